//! One row of the audit log.
use super::*;

/// One row of the audit log.
pub struct AuditEntry(pub entity::audit_log::Model);

#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    /// RFC 3339, UTC.
    async fn at(&self) -> String {
        self.0.at.to_rfc3339()
    }
    async fn actor(&self) -> &str {
        &self.0.actor_name
    }
    async fn role(&self) -> &str {
        &self.0.actor_role
    }
    /// The mutation or command, e.g. "submitReport".
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    async fn object_id(&self) -> ID {
        id_of(self.0.object_id)
    }
    /// The input as given, secrets removed.
    async fn input(&self) -> Result<async_graphql::Json<serde_json::Value>> {
        let value =
            serde_json::from_str(&self.0.input).map_err(crate::error::AppError::internal)?;
        Ok(async_graphql::Json(value))
    }
}
