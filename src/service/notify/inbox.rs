//! In-app notifications. A reader sees the notifications of its unit and
//! the units below it (a REPORTER), or the office's (an ADMIN, or a
//! leader's VIEWER token without a unit); whether each is read is kept per
//! reader (account or token), so one clerk reading does not hide it from
//! another.
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::access::{Actor, Role};
use entity::{outbox_event, unit};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult};

use crate::db::{columns_as, statement};
use crate::error::AppResult;

/// Who is reading: the key their read marks are kept under, and what they see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reader {
    pub key: String,
    pub office: bool,
    pub units: Vec<i64>,
}

impl Reader {
    /// The reader `actor` is, keyed by `key` (`RequestContext::caller_key`).
    pub async fn of<C: ConnectionTrait>(db: &C, actor: &Actor, key: String) -> AppResult<Reader> {
        let units = match (actor.role, actor.unit_id) {
            (Role::Reporter, Some(own)) | (Role::Viewer, Some(own)) => {
                let parents: HashMap<i64, Option<i64>> = unit::Entity::find()
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u.parent_id))
                    .collect();
                parents
                    .keys()
                    .copied()
                    .filter(|u| domain::access::is_within(*u, own, &parents))
                    .collect()
            }
            _ => Vec::new(),
        };
        Ok(Reader {
            key,
            office: actor.role == Role::Admin
                || (actor.role == Role::Viewer && actor.unit_id.is_none()),
            units,
        })
    }

    /// Whether a notification addressed to `unit_id` (None: the office)
    /// is this reader's.
    pub fn sees(&self, unit_id: Option<i64>) -> bool {
        match unit_id {
            None => self.office,
            Some(u) => self.units.contains(&u),
        }
    }

    /// The SQL condition on `n` (notification) for what this reader sees,
    /// with its values.
    fn condition(&self) -> (String, Vec<sea_orm::Value>) {
        let mut parts = Vec::new();
        let mut values: Vec<sea_orm::Value> = Vec::new();
        if self.office {
            parts.push("n.unit_id IS NULL".to_string());
        }
        if !self.units.is_empty() {
            let marks = vec!["?"; self.units.len()].join(", ");
            parts.push(format!("n.unit_id IN ({marks})"));
            values.extend(self.units.iter().map(|u| sea_orm::Value::from(*u)));
        }
        if parts.is_empty() {
            return ("1 = 0".into(), values);
        }
        (format!("({})", parts.join(" OR ")), values)
    }
}

/// One notification as its reader sees it.
#[derive(Clone, Debug)]
pub struct Note {
    pub id: i64,
    pub unit_id: Option<i64>,
    pub event: outbox_event::Model,
    pub read_at: Option<DateTime<Utc>>,
}

/// A page of a reader's notifications, newest first.
pub struct Page {
    pub notes: Vec<Note>,
    pub has_next: bool,
}

/// The reader's notifications newest first, `first` of them after the
/// notification `after` (a cursor: its id), unread ones only if asked.
pub async fn list(
    db: &DatabaseConnection,
    reader: &Reader,
    unread_only: bool,
    first: u64,
    after: Option<i64>,
) -> AppResult<Page> {
    let backend = db.get_database_backend();
    let (visible, mut values) = reader.condition();
    let mut sql = format!(
        "SELECT n.id AS n_id, n.unit_id AS n_unit_id, r.read_at AS r_read_at, {} \
         FROM notification n JOIN outbox_event e ON e.id = n.event_id \
         LEFT JOIN notification_read r ON r.notification_id = n.id AND r.reader_key = ? \
         WHERE {visible}",
        columns_as::<outbox_event::Entity>("e", "e_")
    );
    values.insert(0, reader.key.clone().into());
    if unread_only {
        sql.push_str(" AND r.read_at IS NULL");
    }
    if let Some(after) = after {
        sql.push_str(" AND n.id < ?");
        values.push(after.into());
    }
    sql.push_str(" ORDER BY n.id DESC LIMIT ?");
    values.push(((first + 1) as i64).into());
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut notes = Vec::with_capacity(rows.len());
    for row in &rows {
        notes.push(Note {
            id: row.try_get("", "n_id")?,
            unit_id: row.try_get("", "n_unit_id")?,
            read_at: row.try_get("", "r_read_at")?,
            event: outbox_event::Model::from_query_result(row, "e_")?,
        });
    }
    let has_next = notes.len() as u64 > first;
    notes.truncate(first as usize);
    Ok(Page { notes, has_next })
}

/// How many of the reader's notifications are unread: one statement.
pub async fn unread_count(db: &DatabaseConnection, reader: &Reader) -> AppResult<i64> {
    let backend = db.get_database_backend();
    let (visible, mut values) = reader.condition();
    values.insert(0, reader.key.clone().into());
    let sql = format!(
        "SELECT COUNT(*) FROM notification n \
         LEFT JOIN notification_read r ON r.notification_id = n.id AND r.reader_key = ? \
         WHERE {visible} AND r.read_at IS NULL"
    );
    let row = db.query_one_raw(statement(backend, &sql, values)).await?;
    Ok(match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    })
}

/// Marks `ids` (or, with `None`, every notification of the reader) read
/// for this reader; ids that are not the reader's are ignored. Answers how
/// many were newly marked.
pub async fn mark_read(
    db: &DatabaseConnection,
    reader: &Reader,
    ids: Option<&[i64]>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let backend = db.get_database_backend();
    let (visible, visible_values) = reader.condition();
    let mut values: Vec<sea_orm::Value> = vec![reader.key.clone().into(), now.into()];
    values.extend(visible_values);
    let mut sql = format!(
        "INSERT INTO notification_read (notification_id, reader_key, read_at) \
         SELECT n.id, ?, ? FROM notification n WHERE {visible}"
    );
    if let Some(ids) = ids {
        if ids.is_empty() {
            return Ok(0);
        }
        sql.push_str(&format!(
            " AND n.id IN ({})",
            vec!["?"; ids.len()].join(", ")
        ));
        values.extend(ids.iter().map(|i| sea_orm::Value::from(*i)));
    }
    sql.push_str(" ON CONFLICT (notification_id, reader_key) DO NOTHING");
    let txn = crate::db::begin_write(db).await?;
    let result = txn.execute_raw(statement(backend, &sql, values)).await;
    let done = crate::db::settle(txn, result.map_err(Into::into)).await?;
    Ok(done.rows_affected())
}

/// Notifications after `after_id` (for the live feed), oldest first, at most `limit`.
pub async fn since(db: &DatabaseConnection, after_id: i64, limit: u64) -> AppResult<Vec<Note>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT n.id AS n_id, n.unit_id AS n_unit_id, {} \
         FROM notification n JOIN outbox_event e ON e.id = n.event_id \
         WHERE n.id > ? ORDER BY n.id LIMIT ?",
        columns_as::<outbox_event::Entity>("e", "e_")
    );
    let rows = db
        .query_all_raw(statement(
            backend,
            &sql,
            vec![after_id.into(), (limit as i64).into()],
        ))
        .await?;
    let mut notes = Vec::with_capacity(rows.len());
    for row in &rows {
        notes.push(Note {
            id: row.try_get("", "n_id")?,
            unit_id: row.try_get("", "n_unit_id")?,
            read_at: None,
            event: outbox_event::Model::from_query_result(row, "e_")?,
        });
    }
    Ok(notes)
}

/// The newest notification's id (0 with none): where a live feed starts.
pub async fn last_id(db: &DatabaseConnection) -> AppResult<i64> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(statement(
            backend,
            "SELECT COALESCE(MAX(id), 0) FROM notification",
            vec![],
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    })
}
