//! Reminders and notifications: events written in the transaction of what
//! caused them (the outbox), the in-app lists, webhooks and their
//! deliveries, the scheduler of time-based events, and the live feed
//! behind GraphQL subscriptions.
//!
//! One event fans out inside its own transaction: a notification row per
//! audience (a unit, or the target office) and a PENDING delivery per
//! webhook that listens, so what was committed is delivered (the
//! dispatcher works from those rows, on any server, after any restart) and
//! nothing uncommitted ever is.

/// Events of changes (a report reviewed, a 督办 step), in their transaction.
pub mod changes;
/// The HTTP client deliveries go out with.
pub mod client;
/// Claims due deliveries, sends them, records what came back.
pub mod dispatch;
/// In-app notifications: a reader's list, unread count, marking read.
pub mod inbox;
/// Data versions and new notifications, polled, for subscriptions.
pub mod live;
/// Each kind of webhook's request: body, URL and signature.
pub mod robots;
/// The cluster-wide scheduler of reminders and alerts.
pub mod scheduler;
/// Webhooks: create, list, test; their deliveries; retrying dead letters.
pub mod webhooks;
/// The working-day calendar in force and an ADMIN's overrides.
pub mod workdays;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use domain::notify::EventKind;
use entity::{delivery, notification, webhook};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::db::statement;
use crate::error::AppResult;

/// Who an event is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// A unit's accounts and tokens (and its webhooks).
    Unit(i64),
    /// The target office: ADMINs and leaders (and webhooks without a unit).
    Office,
}

/// An event about to be written.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub kind: EventKind,
    /// What makes it the same event: written once, however often computed.
    pub key: String,
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub subject_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub payload: serde_json::Value,
    pub audiences: Vec<Audience>,
}

impl NewEvent {
    /// An event about a 督办 item: its plan, lead unit, page and facts,
    /// with `detail` (days left, a reason) added to the payload.
    #[allow(clippy::too_many_arguments)]
    pub fn about_item(
        kind: EventKind,
        key: String,
        item: &entity::supervision_item::Model,
        lead: &str,
        deadline: chrono::NaiveDate,
        (title, body): (String, String),
        detail: (&str, serde_json::Value),
        audiences: Vec<Audience>,
    ) -> NewEvent {
        let mut payload = serde_json::json!({
            "itemId": item.id.to_string(),
            "title": item.title,
            "leadUnit": lead,
            "deadline": deadline.to_string(),
        });
        payload[detail.0] = detail.1;
        NewEvent {
            kind,
            key,
            plan_id: Some(item.plan_id),
            unit_id: Some(item.lead_unit_id),
            subject_id: Some(item.id),
            title,
            body,
            link: Some(format!("/supervision?item={}", item.id)),
            payload,
            audiences,
        }
    }
}

/// Writes `event` with its notifications and deliveries in the caller's
/// transaction. `None` when an event with its key was already written
/// (a scheduler run repeated, a restart): nothing is written twice.
pub async fn emit<C: ConnectionTrait>(
    txn: &C,
    event: NewEvent,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let backend = txn.get_database_backend();
    let inserted = txn
        .query_one_raw(statement(
            backend,
            "INSERT INTO outbox_event (event_key, kind, plan_id, unit_id, subject_id, title, body, link, payload, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING RETURNING id",
            vec![
                event.key.clone().into(),
                event.kind.as_str().into(),
                event.plan_id.into(),
                event.unit_id.into(),
                event.subject_id.into(),
                event.title.clone().into(),
                event.body.clone().into(),
                event.link.clone().into(),
                event.payload.to_string().into(),
                now.into(),
            ],
        ))
        .await?;
    let Some(row) = inserted else {
        return Ok(None);
    };
    let id: i64 = row.try_get_by_index(0)?;
    let mut audiences = event.audiences.clone();
    audiences.dedup();
    let mut seen = HashSet::new();
    audiences.retain(|a| seen.insert(*a));
    if !audiences.is_empty() {
        notification::Entity::insert_many(audiences.iter().map(|a| notification::ActiveModel {
            event_id: Set(id),
            unit_id: Set(match a {
                Audience::Unit(u) => Some(*u),
                Audience::Office => None,
            }),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec(txn)
        .await?;
    }
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::Active.eq(true))
        .all(txn)
        .await?;
    let listening: Vec<&webhook::Model> = hooks
        .iter()
        .filter(|h| webhooks::listens(h, event.kind, &audiences))
        .collect();
    if !listening.is_empty() {
        delivery::Entity::insert_many(listening.iter().map(|h| delivery::ActiveModel {
            webhook_id: Set(h.id),
            event_id: Set(id),
            state: Set(dispatch::PENDING.into()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        }))
        .exec(txn)
        .await?;
    }
    Ok(Some(id))
}

/// The keys among `keys` already written: one statement per thousand, so
/// a scheduler run that finds nothing new writes nothing.
pub async fn written_keys<C: ConnectionTrait>(
    db: &C,
    keys: &[String],
) -> AppResult<HashSet<String>> {
    use entity::outbox_event;
    use sea_orm::QuerySelect;
    let mut out = HashSet::new();
    for chunk in keys.chunks(1000) {
        let found: Vec<String> = outbox_event::Entity::find()
            .select_only()
            .column(outbox_event::Column::EventKey)
            .filter(outbox_event::Column::EventKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(found);
    }
    Ok(out)
}
