//! The audit log. A change is recorded by `db::finish` inside the change's
//! own transaction, so a failed change leaves no row and a committed one
//! always has its row.
//!
//! Who is changing what is a parameter of every audited write
//! (`db::finish(txn, author, result)`, and each service's write takes the
//! `author`): the GraphQL layer makes it from the caller and the mutation
//! (`graphql::audit::author`), the CLI and the demo loader name
//! themselves. Only the benchmark generator writes without an author, and
//! it says so by settling its transaction without `finish`.
use chrono::{DateTime, Utc};
use entity::{account, api_token, assignment, audit_log, goal, milestone, plan, report, unit};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::error::AppResult;

/// Who is changing what: the row written with each change.
#[derive(Clone, Debug)]
pub struct Audit {
    pub actor_name: String,
    pub actor_role: String,
    pub operation: String,
    pub input: serde_json::Value,
    pub at: DateTime<Utc>,
}

/// Keys whose values are never written to the log.
const SECRET_KEYS: [&str; 4] = ["token", "password", "secret", "authorization"];

/// The input with secret-looking fields replaced, at any depth.
pub fn redact(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| {
                let secret = SECRET_KEYS.iter().any(|s| k.to_lowercase().contains(s));
                (
                    k,
                    if secret {
                        serde_json::Value::from("[removed]")
                    } else {
                        redact(v)
                    },
                )
            })
            .collect(),
        serde_json::Value::Array(items) => items.into_iter().map(redact).collect(),
        other => other,
    }
}

/// Which plans a committed change makes every loaded copy of stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Touches {
    Plan(i64),
    /// Units are named in every plan that assigns them.
    AllPlans,
    Nothing,
}

/// What a committed write returns, so its row names the object and the
/// plans it changes.
pub trait Audited {
    const OBJECT: &'static str;
    fn object_id(&self) -> i64;
    fn touches(&self) -> Touches;
}

macro_rules! audited {
    ($($model:ty => $name:literal, |$m:ident| $touches:expr);+ $(;)?) => {
        $(impl Audited for $model {
            const OBJECT: &'static str = $name;
            fn object_id(&self) -> i64 { self.id }
            fn touches(&self) -> Touches { let $m = self; $touches }
        })+
    };
}

audited! {
    unit::Model => "unit", |_u| Touches::AllPlans;
    plan::Model => "plan", |p| Touches::Plan(p.id);
    goal::Model => "goal", |g| Touches::Plan(g.plan_id);
    assignment::Model => "assignment", |a| Touches::Plan(a.plan_id);
    milestone::Model => "milestone", |m| Touches::Plan(m.plan_id);
    report::Model => "report", |r| Touches::Plan(r.plan_id);
    api_token::Model => "token", |_t| Touches::Nothing;
    account::Model => "user", |_a| Touches::Nothing;
}

/// Writes one row per change that has an author, in one statement.
pub async fn record_all<C: ConnectionTrait, T: Audited>(
    txn: &C,
    changes: &[(Option<&Audit>, &T)],
) -> AppResult<()> {
    let rows: Vec<audit_log::ActiveModel> = changes
        .iter()
        .filter_map(|(author, changed)| {
            let audit = (*author)?;
            Some(audit_log::ActiveModel {
                at: Set(audit.at),
                actor_name: Set(audit.actor_name.clone()),
                actor_role: Set(audit.actor_role.clone()),
                operation: Set(audit.operation.clone()),
                object_type: Set(T::OBJECT.to_string()),
                object_id: Set(changed.object_id()),
                input: Set(audit.input.to_string()),
                ..Default::default()
            })
        })
        .collect();
    if !rows.is_empty() {
        audit_log::Entity::insert_many(rows).exec(txn).await?;
    }
    Ok(())
}

/// What the log is asked for; every field narrows.
#[derive(Default)]
pub struct AuditQuery {
    pub object_type: Option<String>,
    pub object_id: Option<i64>,
    pub actor_name: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: u64,
}

/// Newest first.
pub async fn search(db: &DatabaseConnection, q: AuditQuery) -> AppResult<Vec<audit_log::Model>> {
    let mut query = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::Id)
        .limit(q.limit);
    if let Some(t) = q.object_type {
        query = query.filter(audit_log::Column::ObjectType.eq(t));
    }
    if let Some(id) = q.object_id {
        query = query.filter(audit_log::Column::ObjectId.eq(id));
    }
    if let Some(actor) = q.actor_name {
        query = query.filter(audit_log::Column::ActorName.eq(actor));
    }
    if let Some(from) = q.from {
        query = query.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = q.to {
        query = query.filter(audit_log::Column::At.lte(to));
    }
    Ok(query.all(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_the_log() {
        let input = serde_json::json!({ "i": { "name": "填报员", "token": "mb_123", "nested": [{ "Authorization": "Bearer x" }] } });
        let clean = redact(input).to_string();
        assert!(
            !clean.contains("mb_123") && !clean.contains("Bearer x"),
            "{clean}"
        );
        assert!(clean.contains("填报员"));
    }
}
