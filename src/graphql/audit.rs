//! The author of a mutation, for the audit log (`db::audit`): the caller,
//! the mutation's name and its arguments with variables filled in and
//! secrets removed. Every mutation that writes makes one and hands it to
//! the service, which cannot finish an audited write without it.
use async_graphql::{Context, Result};

use super::context::RequestContext;
use crate::db::audit::{self, Audit};

/// The author of the mutation being resolved. Fails only where the
/// resolver itself would (no caller).
pub fn author(ctx: &Context<'_>) -> Result<Audit> {
    let rc = RequestContext::of(ctx)?;
    let actor = rc.actor()?;
    let field = ctx.field();
    let args: serde_json::Map<String, serde_json::Value> = field
        .arguments()?
        .into_iter()
        .map(|(name, value)| {
            let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
            (name.to_string(), value)
        })
        .collect();
    Ok(Audit {
        actor_name: actor.name.clone(),
        actor_role: actor.role.as_str().to_string(),
        operation: field.name().to_string(),
        input: audit::redact(serde_json::Value::Object(args)),
        at: rc.now,
    })
}
