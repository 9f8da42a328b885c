//! Accounts: people who sign in with a password. An account has a token's
//! role rules (a REPORTER reports for one unit, the others for none) and
//! signs in to the same `Actor`, so every permission check applies as it
//! does to tokens. Passwords are checked and hashed here
//! (`service::passwords`), never stored, returned or logged.
use chrono::{DateTime, Utc};
use entity::{account, account_session, login_throttle};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::{passwords, units};
use crate::db::audit::Audit;
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::access::{Actor, Role};
use domain::text::{self, Field};

pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub password: String,
    /// True for every account an administrator makes (the person chooses
    /// their own password at first sign-in); false for the demo's.
    pub must_change_password: bool,
}

/// The caller a signed-in account acts as: its username names it in the
/// audit log (unique, where display names need not be).
pub fn actor(account: &account::Model) -> Actor {
    Actor {
        name: account.username.clone(),
        role: account.role.into(),
        unit_id: account.unit_id,
        token_id: None,
    }
}

/// A REPORTER reports for one unit; an ADMIN or VIEWER for none.
fn check_role_and_unit(role: Role, unit_id: Option<i64>) -> AppResult<()> {
    match (role, unit_id) {
        (Role::Reporter, None) => Err(AppError::refused(
            ErrorCode::InvalidValue,
            "填报员账号须绑定所填报的单位，请指定单位",
            "a REPORTER account reports for a unit: give unitId",
        )),
        (Role::Admin | Role::Viewer, Some(_)) => Err(AppError::refused(
            ErrorCode::InvalidValue,
            "只有填报员账号绑定单位，管理员和只读账号请不要选择单位",
            "only REPORTER accounts are bound to a unit",
        )),
        _ => Ok(()),
    }
}

fn duplicate(username: &str) -> AppError {
    AppError::refused(
        ErrorCode::Duplicate,
        format!("已有用户名为“{username}”的用户（用户名不区分大小写）"),
        format!("an account named {username} already exists (usernames ignore case)"),
    )
}

/// Creates an account. The password is hashed before the write begins (it
/// takes a while, and SQLite's write lock should not wait for it).
pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewAccount,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    let username = text::username(&input.username)?;
    let display_name = text::required(Field::DisplayName, &input.display_name)?;
    check_role_and_unit(input.role, input.unit_id)?;
    let password_hash = passwords::hash(&input.password).await?;
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        if let Some(unit) = input.unit_id {
            units::find(&txn, unit).await?;
        }
        // The unique index settles two creates racing past this check.
        if find_by_key(&txn, &text::key(&username)).await?.is_some() {
            return Err(duplicate(&username));
        }
        Ok(account::ActiveModel {
            username: Set(username.clone()),
            display_name: Set(display_name),
            role: Set(input.role.into()),
            unit_id: Set(input.unit_id),
            password_hash: Set(password_hash),
            must_change_password: Set(input.must_change_password),
            disabled_at: Set(None),
            created_at: Set(now),
            password_changed_at: Set(now),
            last_login_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?)
    }
    .await;
    finish(txn, author, result).await
}

/// The account a username names (compared by `text::key`), if any.
pub async fn find_by_key<C: ConnectionTrait>(
    db: &C,
    key: &str,
) -> AppResult<Option<account::Model>> {
    Ok(account::Entity::find()
        .filter(account::Column::UsernameKey.eq(key))
        .one(db)
        .await?)
}

/// The account a username names, or NOT_FOUND.
pub async fn find_by_username<C: ConnectionTrait>(
    db: &C,
    username: &str,
) -> AppResult<account::Model> {
    find_by_key(db, &text::key(username))
        .await?
        .ok_or_else(|| AppError::not_found("user", username.trim()))
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<account::Model> {
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("user", id))
}

/// Every account, disabled ones included, in the order they were made.
pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<account::Model>> {
    Ok(account::Entity::find()
        .order_by_asc(account::Column::Id)
        .all(db)
        .await?)
}

/// Disables an account and ends all its sessions at once. Disabling a
/// disabled account changes nothing (and records the request).
pub async fn disable(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let row = find(&txn, id).await?;
        end_sessions(&txn, id, None).await?;
        if row.disabled_at.is_some() {
            return Ok(row);
        }
        let mut active: account::ActiveModel = row.into();
        active.disabled_at = Set(Some(now));
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}

/// Lets a disabled account sign in again (its password unchanged; its
/// sessions ended when it was disabled, so it signs in anew).
pub async fn enable(db: &DatabaseConnection, author: &Audit, id: i64) -> AppResult<account::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let row = find(&txn, id).await?;
        if row.disabled_at.is_none() {
            return Ok(row);
        }
        let mut active: account::ActiveModel = row.into();
        active.disabled_at = Set(None);
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}

/// Sets a password an administrator chose: the person must change it at
/// the next sign-in, every session of the account ends (whoever knew the
/// old password is out), and a lock on the username is lifted.
pub async fn reset_password(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    password: &str,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    let password_hash = passwords::hash(password).await?;
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let row = find(&txn, id).await?;
        end_sessions(&txn, id, None).await?;
        login_throttle::Entity::delete_by_id(row.username_key.clone())
            .exec(&txn)
            .await?;
        let mut active: account::ActiveModel = row.into();
        active.password_hash = Set(password_hash);
        active.must_change_password = Set(true);
        active.password_changed_at = Set(now);
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}

/// Stores the password the person chose (the current one already
/// checked): the must-change mark goes, and every other session of the
/// account ends; `keep` (the session that changed it) stays.
pub async fn set_own_password(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    password: &str,
    keep: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    let password_hash = passwords::hash(password).await?;
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let row = find(&txn, id).await?;
        end_sessions(&txn, id, keep).await?;
        let mut active: account::ActiveModel = row.into();
        active.password_hash = Set(password_hash);
        active.must_change_password = Set(false);
        active.password_changed_at = Set(now);
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}

/// Deletes an account's sessions, all of them or all but `keep`.
pub async fn end_sessions<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    keep: Option<i64>,
) -> AppResult<u64> {
    let mut delete = account_session::Entity::delete_many()
        .filter(account_session::Column::AccountId.eq(account_id));
    if let Some(keep) = keep {
        delete = delete.filter(account_session::Column::Id.ne(keep));
    }
    Ok(delete.exec(db).await?.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reporter_has_a_unit_and_no_one_else_does() {
        assert!(check_role_and_unit(Role::Reporter, Some(3)).is_ok());
        assert!(check_role_and_unit(Role::Admin, None).is_ok());
        assert!(check_role_and_unit(Role::Viewer, None).is_ok());
        for (role, unit) in [
            (Role::Reporter, None),
            (Role::Admin, Some(3)),
            (Role::Viewer, Some(3)),
        ] {
            assert_eq!(
                check_role_and_unit(role, unit).unwrap_err().code(),
                ErrorCode::InvalidValue
            );
        }
    }
}
