use async_graphql::{Context, ID, MergedObject, Object, Result, SelectionField, Value};
use chrono::NaiveDate;
use entity::{goal, milestone};
use sea_orm::EntityTrait;

use super::context::RequestContext;
use super::inputs::parse_id;
use super::objects::{
    ApiToken, Assignment, AuditEntry, Goal, Milestone, Plan, Report, ReviewItem, Unit,
};
use super::scalars::parse_date;
use crate::db::audit;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::plan_data::ReportScope;
use crate::service::{assignments, plans, reports, tokens, units};
use domain::access::Role;

/// A missing object is `null` in a query; any other failure is an error.
fn found<T>(result: AppResult<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Fields whose figures are judged at an `asOf` date (today by default).
const JUDGED_FIELDS: [&str; 6] = [
    "progress",
    "goalLights",
    "unitProgress",
    "categoryProgress",
    "vetoed",
    "scorecard",
];

/// The `asOf` dates a selection asks figures at, anywhere below it;
/// `None` for "today".
fn dates_asked(field: SelectionField<'_>, out: &mut Vec<Option<NaiveDate>>) {
    for child in field.selection_set() {
        if JUDGED_FIELDS.contains(&child.name()) {
            let as_of = child.arguments().ok().and_then(|args| {
                args.into_iter()
                    .find(|(name, _)| name.as_str() == "asOf")
                    .map(|(_, value)| value)
            });
            match as_of {
                None | Some(Value::Null) => out.push(None),
                Some(Value::String(text)) => {
                    // An unreadable date is the field's own error to report.
                    if let Some(date) = parse_date(&text) {
                        out.push(Some(date));
                    }
                }
                Some(_) => {}
            }
        }
        dates_asked(child, out);
    }
}

/// Loads, for every plan of a list, the reports standing on each date the
/// selection judges at: one query per date for all the plans, instead of
/// one per plan as each plan's fields resolve.
async fn prefetch_figures(
    ctx: &Context<'_>,
    rc: &RequestContext,
    plans: &[entity::plan::Model],
) -> Result<()> {
    let mut asked = Vec::new();
    dates_asked(ctx.field(), &mut asked);
    let mut wanted: Vec<(NaiveDate, i64)> = Vec::new();
    for date in asked {
        for plan in plans {
            wanted.push((date.unwrap_or_else(|| rc.today_for(plan)), plan.id));
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    for chunk in wanted.chunk_by(|a, b| a.0 == b.0) {
        let ids: Vec<i64> = chunk.iter().map(|(_, id)| *id).collect();
        rc.plans_in(&ids, ReportScope::StandingOn(chunk[0].0))
            .await?;
    }
    Ok(())
}

/// The core queries: plans, goals, units and what hangs from them.
#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// Every token ever issued, revoked ones included (ADMIN only).
    async fn tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        Ok(tokens::list(&rc.db)
            .await?
            .into_iter()
            .map(ApiToken)
            .collect())
    }

    /// The audit log, newest first (ADMIN only): every change, who made it,
    /// when, and its input. Filter by object, actor and time range.
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        object_type: Option<String>,
        object_id: Option<ID>,
        actor: Option<String>,
        from: Option<chrono::DateTime<chrono::Utc>>,
        to: Option<chrono::DateTime<chrono::Utc>>,
        #[graphql(default = 100)] limit: u32,
    ) -> Result<Vec<AuditEntry>> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let query = audit::AuditQuery {
            object_type,
            object_id: super::inputs::parse_opt_id("object", &object_id)?,
            actor_name: actor,
            from,
            to,
            limit: u64::from(limit.min(1000)),
        };
        Ok(audit::search(&rc.db, query)
            .await?
            .into_iter()
            .map(AuditEntry)
            .collect())
    }

    /// Reports waiting for review, oldest first (ADMIN only).
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        plan_id: Option<ID>,
        unit_id: Option<ID>,
    ) -> Result<Vec<ReviewItem>> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let plan_id = super::inputs::parse_opt_id("plan", &plan_id)?;
        let unit_id = super::inputs::parse_opt_id("unit", &unit_id)?;
        let queue = reports::review_queue(&rc.db, plan_id, unit_id).await?;
        let mut corrections = reports::corrections(&rc.db, &queue).await?;
        let mut plan_ids: Vec<i64> = queue.iter().map(|r| r.plan_id).collect();
        plan_ids.sort_unstable();
        plan_ids.dedup();
        let snapshots = rc.plans_data(&plan_ids).await?;
        Ok(queue
            .into_iter()
            .filter_map(|r| {
                let data = snapshots.iter().find(|d| d.plan.id == r.plan_id)?;
                data.assignment(r.assignment_id)?;
                Some(ReviewItem {
                    assignment: Assignment::new(data, r.assignment_id),
                    superseded_by: corrections.remove(&r.id).map(Report),
                    report: Report(r),
                })
            })
            .collect())
    }

    /// Every open plan the caller may read, newest year first.
    async fn plans(&self, ctx: &Context<'_>) -> Result<Vec<Plan>> {
        let rc = RequestContext::of(ctx)?;
        let actor = rc.actor()?;
        let list = plans::list(&rc.db).await?;
        // When the selection reads the plans' goals or figures, or the caller
        // may only see some plans, load every snapshot now in one batch
        // rather than plan by plan.
        let look = ctx.look_ahead();
        let restricted = actor.role == Role::Reporter;
        if !restricted && !Plan::SNAPSHOT_FIELDS.iter().any(|f| look.field(f).exists()) {
            return Ok(list.into_iter().map(Plan).collect());
        }
        let ids: Vec<i64> = list.iter().map(|p| p.id).collect();
        let mut readable = Vec::new();
        for data in rc.plans_data(&ids).await? {
            if rc.may_read(&data).await? {
                readable.push(data.plan.clone());
            }
        }
        prefetch_figures(ctx, rc, &readable).await?;
        Ok(readable.into_iter().map(Plan).collect())
    }

    async fn plan(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Plan>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let Ok(id) = parse_id("plan", &id) else {
            return Ok(None);
        };
        let Some(plan) = found(plans::find(&rc.db, id).await)? else {
            return Ok(None);
        };
        Ok(rc.visible_plan(plan.id).await?.map(|_| Plan(plan)))
    }

    /// A goal that is part of an open plan (archived goals are gone).
    async fn goal(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Goal>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let Ok(id) = parse_id("goal", &id) else {
            return Ok(None);
        };
        let Some(row) = goal::Entity::find_by_id(id)
            .one(&rc.db)
            .await
            .map_err(AppError::from)?
        else {
            return Ok(None);
        };
        let Some(data) = rc.visible_plan(row.plan_id).await? else {
            return Ok(None);
        };
        Ok(data.goal(id).map(|g| Goal::new(&data, g)))
    }

    async fn assignment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Assignment>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let Ok(id) = parse_id("assignment", &id) else {
            return Ok(None);
        };
        let Some(row) = found(assignments::find(&rc.db, id).await)? else {
            return Ok(None);
        };
        let Some(data) = rc.visible_plan(row.plan_id).await? else {
            return Ok(None);
        };
        Ok(data.assignment(id).map(|a| Assignment::new(&data, a.id)))
    }

    async fn milestone(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Milestone>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let Ok(id) = parse_id("milestone", &id) else {
            return Ok(None);
        };
        let row = milestone::Entity::find_by_id(id)
            .one(&rc.db)
            .await
            .map_err(AppError::from)?;
        let Some(row) = row.filter(|m| m.archived_at.is_none()) else {
            return Ok(None);
        };
        Ok(rc.visible_plan(row.plan_id).await?.map(|_| Milestone(row)))
    }

    /// Every unit that is not archived, in creation order.
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        Ok(units::list(&rc.db).await?.into_iter().map(Unit).collect())
    }

    async fn unit(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Unit>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let Ok(id) = parse_id("unit", &id) else {
            return Ok(None);
        };
        Ok(found(units::find(&rc.db, id).await)?.map(Unit))
    }
}

/// The query root: the core queries and the watch lists.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    CoreQuery,
    super::watch::WatchQuery,
    super::accounts::AccountQuery,
    super::supervision::SupervisionQuery,
    super::problems::ProblemQuery,
    super::notify::NotifyQuery,
);
