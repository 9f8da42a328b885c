//! Tokens issued to callers.
use super::*;

/// An issued token; the token itself is shown only once, at creation.
pub struct ApiToken(pub entity::api_token::Model);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn role(&self) -> Role {
        domain::access::Role::from(self.0.role).into()
    }
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.unit_id {
            Some(id) => Ok(RequestContext::of(ctx)?.unit(id).await?.map(Unit)),
            None => Ok(None),
        }
    }
    /// RFC 3339, UTC.
    async fn created_at(&self) -> String {
        self.0.created_at.to_rfc3339()
    }
    async fn expires_at(&self) -> Option<String> {
        self.0.expires_at.map(|t| t.to_rfc3339())
    }
    async fn last_used_at(&self) -> Option<String> {
        self.0.last_used_at.map(|t| t.to_rfc3339())
    }
    async fn revoked_at(&self) -> Option<String> {
        self.0.revoked_at.map(|t| t.to_rfc3339())
    }
}

/// A token just issued: `token` is the secret, shown this once.
#[derive(SimpleObject)]
pub struct IssuedToken {
    pub token: String,
    pub api_token: ApiToken,
}
