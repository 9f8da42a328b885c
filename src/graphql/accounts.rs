//! Accounts in the API: `me` for whoever asks, `users` and the account
//! mutations for ADMINs, `changePassword` for the signed-in person. Every
//! change is audited; no password is ever in an answer or an audit row
//! (`createUser`'s and `resetUserPassword`'s arguments are redacted by
//! `audit::author`, `changePassword` writes none).
use async_graphql::{Context, ID, InputObject, Object, Result};

use super::audit::author;
use super::context::RequestContext;
use super::enums::Role;
use super::inputs::{parse_id, parse_opt_id};
use super::objects::{Me, Unit, User};
use crate::error::{AppError, ErrorCode};
use crate::service::{accounts, sessions};

#[derive(InputObject)]
pub struct CreateUserInput {
    /// What the person signs in with: letters, digits and `. _ - @`, at
    /// most 64; compared ignoring case and width.
    pub username: String,
    /// How pages and the audit trail name the person, e.g. "招商合作局填报员".
    pub display_name: String,
    pub role: Role,
    /// Required for a REPORTER: the unit it reports for (and the units below).
    pub unit_id: Option<ID>,
    /// The first password (at least 8 characters), which the person must
    /// change at first sign-in.
    pub password: String,
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// Who the caller is: a signed-in account or a token's holder; null
    /// when the request carries neither. Answers even while the account
    /// must change its password.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<Me>> {
        let rc = RequestContext::of(ctx)?;
        let Some(actor) = rc.caller() else {
            return Ok(None);
        };
        let unit = match actor.unit_id {
            Some(id) => rc.unit(id).await?.map(Unit),
            None => None,
        };
        let (username, display_name, must_change_password) = match rc.signed_in() {
            Some(s) => (
                Some(s.account.username.clone()),
                s.account.display_name.clone(),
                s.account.must_change_password,
            ),
            None => (None, actor.name.clone(), false),
        };
        Ok(Some(Me {
            name: actor.name.clone(),
            username,
            display_name,
            role: actor.role.into(),
            unit,
            must_change_password,
        }))
    }

    /// Every account, disabled ones included, in the order they were made
    /// (ADMIN only).
    async fn users(&self, ctx: &Context<'_>) -> Result<Vec<User>> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        Ok(accounts::list(&rc.db)
            .await?
            .into_iter()
            .map(User)
            .collect())
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account (ADMIN only). The person must change the
    /// password at first sign-in. A password under 8 characters is refused
    /// with PASSWORD_TOO_SHORT, a username taken (ignoring case) with
    /// DUPLICATE.
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let created = accounts::create(
            &rc.db,
            &author(ctx)?,
            accounts::NewAccount {
                username: input.username,
                display_name: input.display_name,
                role: input.role.into(),
                unit_id: parse_opt_id("unit", &input.unit_id)?,
                password: input.password,
                must_change_password: true,
            },
            rc.now,
        )
        .await?;
        Ok(User(created))
    }

    /// Disables an account (ADMIN only): it can no longer sign in, and its
    /// sessions end at once.
    async fn disable_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let id = parse_id("user", &id)?;
        Ok(User(
            accounts::disable(&rc.db, &author(ctx)?, id, rc.now).await?,
        ))
    }

    /// Lets a disabled account sign in again with its password (ADMIN
    /// only); audited like every change.
    async fn enable_user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let id = parse_id("user", &id)?;
        Ok(User(accounts::enable(&rc.db, &author(ctx)?, id).await?))
    }

    /// Sets a new password for an account (ADMIN only): the person must
    /// change it at the next sign-in, its sessions end, and a lock after
    /// wrong passwords is lifted.
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        id: ID,
        password: String,
    ) -> Result<User> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let id = parse_id("user", &id)?;
        Ok(User(
            accounts::reset_password(&rc.db, &author(ctx)?, id, &password, rc.now).await?,
        ))
    }

    /// The signed-in person replaces their password: `current` must be
    /// right (WRONG_PASSWORD otherwise, counted towards the lock after
    /// wrong passwords), `new` at least 8 characters and different. Clears
    /// must-change-password; the account's other sessions end.
    async fn change_password(&self, ctx: &Context<'_>, current: String, new: String) -> Result<Me> {
        let rc = RequestContext::of(ctx)?;
        let Some(signed_in) = rc.signed_in() else {
            return Err(match rc.caller() {
                None => AppError::refused(ErrorCode::Unauthenticated, "请先登录", "sign in first"),
                Some(_) => AppError::refused(
                    ErrorCode::Forbidden,
                    "令牌没有密码可改：请登录账号后修改密码",
                    "a token has no password: sign in to an account to change one",
                ),
            }
            .into());
        };
        let account =
            sessions::change_password(&rc.db, &rc.sessions, signed_in, &current, &new, rc.now)
                .await?;
        let unit = match account.unit_id {
            Some(id) => rc.unit(id).await?.map(Unit),
            None => None,
        };
        Ok(Me {
            name: account.username.clone(),
            username: Some(account.username.clone()),
            display_name: account.display_name.clone(),
            role: domain::access::Role::from(account.role).into(),
            unit,
            must_change_password: account.must_change_password,
        })
    }
}
