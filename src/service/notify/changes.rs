//! Events of changes, written inside the change's own transaction: a
//! report reviewed (REPORT_RETURNED, REPORT_APPROVED), a 督办 item handed
//! over (SUPERVISION_ASSIGNED) or its closure returned
//! (SUPERVISION_RETURNED). Rolled back with the change, committed with it.
use chrono::{DateTime, NaiveDate, Utc};
use domain::notify::{self, EventKind};
use entity::{assignment, goal, report, supervision_item, unit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{Audience, NewEvent, emit};
use crate::error::{AppError, AppResult};

/// A figure as the office writes it: no trailing zeros ("12", "3.5").
fn figure(v: f64) -> String {
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

async fn unit_name<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<String> {
    Ok(unit::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|u| u.name)
        .unwrap_or_else(|| format!("单位 {id}")))
}

/// REPORT_APPROVED or REPORT_RETURNED, to the unit that filed `report`.
pub async fn report_reviewed<C: ConnectionTrait>(
    txn: &C,
    report: &report::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let approved = domain::ReviewState::from(report.status) == domain::ReviewState::Approved;
    let share = assignment::Entity::find_by_id(report.assignment_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("assignment", report.assignment_id))?;
    let goal = goal::Entity::find_by_id(share.goal_id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found("goal", share.goal_id))?;
    let unit = unit_name(txn, share.unit_id).await?;
    let value = format!(
        "{}{}",
        figure(report.value),
        goal.measure_unit.clone().unwrap_or_default()
    );
    let (title, body) = notify::review_text(
        approved,
        &goal.title,
        &unit,
        report.as_of,
        &value,
        report.review_reason.as_deref(),
    );
    let kind = if approved {
        EventKind::ReportApproved
    } else {
        EventKind::ReportReturned
    };
    emit(
        txn,
        NewEvent {
            kind,
            key: format!("{}:{}", kind.as_str(), report.id),
            plan_id: Some(report.plan_id),
            unit_id: Some(share.unit_id),
            subject_id: Some(report.id),
            title,
            body,
            link: Some(format!("/goals/{}", goal.id)),
            payload: serde_json::json!({
                "reportId": report.id.to_string(),
                "goalId": goal.id.to_string(),
                "goal": goal.title,
                "unit": unit,
                "asOf": report.as_of.to_string(),
                "value": report.value,
                "reason": report.review_reason,
                "reviewedBy": report.reviewed_by,
            }),
            audiences: vec![Audience::Unit(share.unit_id)],
        },
        now,
    )
    .await?;
    Ok(())
}

/// SUPERVISION_ASSIGNED (to the lead and supporting units) or
/// SUPERVISION_RETURNED (to the lead unit, with the office's reason),
/// keyed by the item's event row.
pub async fn supervision_step<C: ConnectionTrait>(
    txn: &C,
    kind: EventKind,
    item: &supervision_item::Model,
    event_id: i64,
    reason: Option<&str>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let lead = unit_name(txn, item.lead_unit_id).await?;
    let mut audiences = vec![Audience::Unit(item.lead_unit_id)];
    if kind == EventKind::SupervisionAssigned {
        let supporting = entity::supervision_item_unit::Entity::find()
            .filter(entity::supervision_item_unit::Column::ItemId.eq(item.id))
            .all(txn)
            .await?;
        audiences.extend(supporting.into_iter().map(|s| Audience::Unit(s.unit_id)));
    }
    let text = notify::supervision_text(kind, &item.title, &lead, item.deadline, reason, today);
    let key = format!("{}:{}:{event_id}", kind.as_str(), item.id);
    let event = NewEvent::about_item(
        kind,
        key,
        item,
        &lead,
        item.deadline,
        text,
        ("reason", reason.into()),
        audiences,
    );
    emit(txn, event, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn figures_drop_trailing_zeros() {
        assert_eq!(super::figure(12.0), "12");
        assert_eq!(super::figure(3.5), "3.5");
        assert_eq!(super::figure(-0.0), "0");
    }
}
