//! Bearer tokens: random, long, stored only as a SHA-256 hash.
use chrono::{DateTime, Duration, Utc};
use entity::api_token;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use super::units;
use crate::db::audit::Audit;
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::Lang;
use domain::access::{Actor, Role};
use domain::text::{self, Field};

/// The name `MUBIAO_ADMIN_TOKEN` acts under.
pub const OPERATOR: &str = "operator";

pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A role as the person who holds or issues a token reads it: the API's
/// spelling in English, the office's word in Chinese.
pub fn role_label(role: Role, lang: Lang) -> &'static str {
    match (role, lang) {
        (Role::Admin, Lang::Zh) => "管理员",
        (Role::Reporter, Lang::Zh) => "填报员",
        (Role::Viewer, Lang::Zh) => "只读",
        (role, Lang::En) => role.as_str(),
    }
}

/// SHA-256 of a token, lower-case hex: what is stored and looked up.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new token: "mb_" and 64 hex digits from the operating system's
/// random source (two v4 UUIDs, 244 random bits).
pub fn generate() -> String {
    format!(
        "mb_{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Equality that takes the same time wherever the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn unauthenticated() -> AppError {
    AppError::refused(
        ErrorCode::Unauthenticated,
        "令牌无效、已过期或已被吊销，请向目标办索取有效的令牌",
        "a valid bearer token is required",
    )
}

/// The caller behind a bearer token. `admin_token_hash` is the hash of
/// `MUBIAO_ADMIN_TOKEN` when the operator set one. Marks the token used at
/// most once a minute, so reads do not turn into a write each.
pub async fn authenticate(
    db: &DatabaseConnection,
    token: &str,
    now: DateTime<Utc>,
    admin_token_hash: Option<&str>,
) -> AppResult<Actor> {
    let hashed = hash(token);
    if admin_token_hash.is_some_and(|admin| same(admin, &hashed)) {
        return Ok(Actor {
            name: OPERATOR.into(),
            role: Role::Admin,
            unit_id: None,
            token_id: None,
        });
    }
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hashed))
        .one(db)
        .await?
        .ok_or_else(unauthenticated)?;
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|at| at <= now) {
        return Err(unauthenticated());
    }
    if row
        .last_used_at
        .is_none_or(|at| now - at >= Duration::minutes(1))
    {
        api_token::Entity::update_many()
            .col_expr(
                api_token::Column::LastUsedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(api_token::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Actor {
        name: row.name.clone(),
        role: row.role.into(),
        unit_id: row.unit_id,
        token_id: Some(row.id),
    })
}

/// Issues a token; the plain token is returned once and never stored.
pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewToken,
    now: DateTime<Utc>,
) -> AppResult<(String, api_token::Model)> {
    let name = text::required(Field::TokenName, &input.name)?;
    match (input.role, input.unit_id) {
        (Role::Reporter, None) => {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                "填报员令牌须绑定所填报的单位，请指定单位",
                "a REPORTER token reports for a unit: give unitId",
            ));
        }
        (Role::Admin | Role::Viewer, Some(_)) => {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                "只有填报员令牌绑定单位，管理员和只读令牌请不要选择单位",
                "only REPORTER tokens are bound to a unit",
            ));
        }
        _ => {}
    }
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "有效期截止时间须晚于现在",
            "expiresAt must lie in the future",
        ));
    }
    let token = generate();
    let created = insert(db, author, input, name, &token, now).await?;
    Ok((token, created))
}

/// Stores a token whose plain text the caller chose (the demo's well-known
/// read-only token); everything else goes through `create`.
pub async fn create_known(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewToken,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<api_token::Model> {
    let name = text::required(Field::TokenName, &input.name)?;
    insert(db, author, input, name, token, now).await
}

async fn insert(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewToken,
    name: String,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<api_token::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        if let Some(unit) = input.unit_id {
            units::find(&txn, unit).await?;
        }
        let created = api_token::ActiveModel {
            name: Set(name),
            role: Set(input.role.into()),
            unit_id: Set(input.unit_id),
            token_hash: Set(hash(token)),
            created_at: Set(now),
            expires_at: Set(input.expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        Ok(created)
    }
    .await;
    finish(txn, author, result).await
}

pub async fn revoke(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<api_token::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let row = find(&txn, id).await?;
        if row.revoked_at.is_some() {
            return Ok(row);
        }
        let mut active: api_token::ActiveModel = row.into();
        active.revoked_at = Set(Some(now));
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<api_token::Model> {
    api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("token", id))
}

pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<api_token::Model>> {
    Ok(api_token::Entity::find()
        .order_by_asc(api_token::Column::Id)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(a.len(), 67);
        assert!(a.starts_with("mb_") && a[3..].bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(same(&hash(&a), &hash(&a)) && !same(&hash(&a), &hash(&b)));
    }
}
