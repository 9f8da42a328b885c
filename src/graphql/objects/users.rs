//! The caller, and the accounts that sign in with a password.
use super::*;

/// Who is asking: a signed-in account or a token's holder.
#[derive(SimpleObject)]
pub struct Me {
    /// The account's username, or the token's name ("operator" for
    /// MUBIAO_ADMIN_TOKEN): the name audit rows carry.
    pub name: String,
    /// The account's username; null for a token.
    pub username: Option<String>,
    /// How a page greets the caller: the account's display name, or the
    /// token's name.
    pub display_name: String,
    pub role: Role,
    /// The unit a REPORTER reports for.
    pub unit: Option<Unit>,
    /// True while the account must replace the password an administrator
    /// set: until then only `me` and `changePassword` answer. Always false
    /// for a token.
    pub must_change_password: bool,
}

/// An account that signs in with a password. The password is never shown.
pub struct User(pub entity::account::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    /// What the person signs in with (compared ignoring case and width).
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> Role {
        domain::access::Role::from(self.0.role).into()
    }
    /// The unit a REPORTER reports for.
    async fn unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        match self.0.unit_id {
            Some(id) => Ok(RequestContext::of(ctx)?.unit(id).await?.map(Unit)),
            None => Ok(None),
        }
    }
    /// A disabled account cannot sign in; its sessions have ended.
    async fn disabled(&self) -> bool {
        self.0.disabled_at.is_some()
    }
    async fn must_change_password(&self) -> bool {
        self.0.must_change_password
    }
    /// RFC 3339, UTC.
    async fn created_at(&self) -> String {
        self.0.created_at.to_rfc3339()
    }
    async fn disabled_at(&self) -> Option<String> {
        self.0.disabled_at.map(|t| t.to_rfc3339())
    }
    async fn last_login_at(&self) -> Option<String> {
        self.0.last_login_at.map(|t| t.to_rfc3339())
    }
}
