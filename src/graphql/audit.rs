//! Puts the author of each mutation field in scope for the audit log
//! (`db::audit`): the caller, the mutation's name and its arguments
//! with variables filled in and secrets removed.
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextResolve, ResolveInfo,
};
use async_graphql::{Request, ServerResult, Value, Variables};

use super::context::RequestContext;
use crate::db::audit::{self, Audit};

/// Registered on the schema; makes one extension per request.
pub struct AuditMutations;

impl ExtensionFactory for AuditMutations {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AuditExtension {
            variables: Mutex::new(Variables::default()),
        })
    }
}

struct AuditExtension {
    /// The request's variables, to resolve `$i` in a field's arguments.
    variables: Mutex<Variables>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for AuditExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        *self.variables.lock().unwrap_or_else(|e| e.into_inner()) = request.variables.clone();
        next.run(ctx, request).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type != "MutationRoot" {
            return next.run(ctx, info).await;
        }
        // Without a caller the resolver refuses; nothing to record.
        let Some(actor) = ctx
            .data_opt::<RequestContext>()
            .and_then(|rc| rc.actor().ok().map(|a| (a.clone(), rc.now)))
        else {
            return next.run(ctx, info).await;
        };
        let (actor, now) = actor;
        let input = {
            let variables = self.variables.lock().unwrap_or_else(|e| e.into_inner());
            let args: serde_json::Map<String, serde_json::Value> = info
                .field
                .arguments
                .iter()
                .map(|(name, value)| {
                    let value = value
                        .node
                        .clone()
                        .into_const_with(|var| variables.get(&var).cloned().ok_or(()))
                        .ok()
                        .and_then(|v| serde_json::to_value(v).ok())
                        .unwrap_or(serde_json::Value::Null);
                    (name.node.to_string(), value)
                })
                .collect();
            audit::redact(serde_json::Value::Object(args))
        };
        let author = Audit {
            actor_name: actor.name.clone(),
            actor_role: actor.role.as_str().to_string(),
            operation: info.name.to_string(),
            input,
            at: now,
        };
        audit::scoped(author, next.run(ctx, info)).await
    }
}
