//! Signing in with a password, and the sessions it opens. Everything is in
//! the database (the hash of each session's token, its expiry and last use,
//! the failures per username), so any server of a deployment accepts a
//! session another opened, and a restart signs no one out.
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use entity::{account, account_session, login_throttle};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, Set,
};

use super::{accounts, passwords, tokens};
use crate::config::SessionConfig;
use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, columns_as, finish, record_changes, settle, statement};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::access::Actor;
use domain::text;

/// The name of the session cookie.
pub const COOKIE: &str = "mubiao_session";

/// How often a session's last use is written: at most once a minute, so a
/// page's requests do not each turn into a write.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A signed-in account and the session it came with.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub account: account::Model,
    pub session_id: i64,
}

impl SignedIn {
    pub fn actor(&self) -> Actor {
        accounts::actor(&self.account)
    }
}

/// What a sign-in came to. The two refusals say nothing about whether
/// the username exists.
#[derive(Debug)]
pub enum Login {
    /// The session's token, for the cookie (only its hash is stored).
    SignedIn {
        token: String,
        account: account::Model,
    },
    /// A wrong password, an unknown username or a disabled account.
    Invalid,
    /// Too many wrong passwords under this username lately.
    Locked,
}

/// An event of an account (a sign-in, a failed one, a lock, a sign-out),
/// for its audit row: the account's ID, or 0 when the username typed
/// names no account.
struct AccountEvent(i64);

impl Audited for AccountEvent {
    const OBJECT: &'static str = "user";
    fn object_id(&self) -> i64 {
        self.0
    }
    fn touches(&self) -> Touches {
        Touches::Nothing
    }
}

/// The author of an account's own event: the account, or "anonymous" for
/// a username that names none. The name typed is not written then: people
/// type their password in the username box, and it would sit in the log.
fn event_author(
    account: Option<&account::Model>,
    operation: &str,
    input: serde_json::Value,
    now: DateTime<Utc>,
) -> Audit {
    Audit {
        actor_name: account.map_or_else(|| "anonymous".into(), |a| a.username.clone()),
        actor_role: account.map_or_else(|| "NONE".into(), |a| a.role.as_str().to_string()),
        operation: operation.into(),
        input,
        at: now,
    }
}

/// The username key a sign-in counts failures under: `None` for one no
/// account can have (blank, or longer than any username's key).
fn throttle_key(username: &str) -> Option<String> {
    let key = text::key(username);
    (!key.is_empty() && key.chars().count() <= 256).then_some(key)
}

/// Until when the username is locked, if it is now.
async fn locked_until<C: ConnectionTrait>(
    db: &C,
    key: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(login_throttle::Entity::find_by_id(key.to_string())
        .one(db)
        .await?
        .and_then(|t| t.locked_until)
        .filter(|until| *until > now))
}

/// Signs in: a session for the right password of an enabled account;
/// otherwise `Invalid` (the same for an unknown username, whose password
/// is checked against a dummy hash so the answer takes as long), or
/// `Locked` while the username is locked, right password or not. Every
/// attempt is audited; the failure that reaches the limit locks the
/// username, and is audited as a lock too.
pub async fn login(
    db: &DatabaseConnection,
    config: &SessionConfig,
    username: &str,
    password: &str,
    now: DateTime<Utc>,
) -> AppResult<Login> {
    let Some(key) = throttle_key(username) else {
        passwords::verify(password, None).await?;
        return Ok(Login::Invalid);
    };
    let account = accounts::find_by_key(db, &key).await?;
    if locked_until(db, &key, now).await?.is_some() {
        let author = event_author(
            account.as_ref(),
            "loginFailed",
            serde_json::json!({ "reason": "locked" }),
            now,
        );
        let txn = begin_write(db).await?;
        let event = AccountEvent(account.as_ref().map_or(0, |a| a.id));
        finish(txn, &author, Ok(event)).await?;
        return Ok(Login::Locked);
    }
    let matched =
        passwords::verify(password, account.as_ref().map(|a| a.password_hash.as_str())).await?;
    match account {
        Some(account) if matched && account.disabled_at.is_none() => {
            let token = open_session(db, config, &account, now).await?;
            Ok(Login::SignedIn { token, account })
        }
        account => {
            let reason = match &account {
                None => "unknown username",
                Some(a) if a.disabled_at.is_some() => "disabled",
                Some(_) => "wrong password",
            };
            record_failure(
                db,
                config,
                &key,
                account.as_ref(),
                "loginFailed",
                reason,
                now,
            )
            .await?;
            Ok(Login::Invalid)
        }
    }
}

/// Counts a wrong password under `key` (one statement, atomic on either
/// database, so servers racing on one name count every failure) and locks
/// the name when the count reaches the limit. After a quiet spell as long
/// as the lock, a name's failures are forgotten (its row deleted, and so
/// are other names' rows that have been quiet as long).
async fn record_failure(
    db: &DatabaseConnection,
    config: &SessionConfig,
    key: &str,
    account: Option<&account::Model>,
    operation: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let forget_before = now - config.lock();
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let backend = txn.get_database_backend();
        txn.execute_raw(statement(
            backend,
            "DELETE FROM login_throttle WHERE last_failure_at <= ? \
             AND (locked_until IS NULL OR locked_until <= ?)",
            vec![forget_before.into(), now.into()],
        ))
        .await?;
        let row = txn
            .query_one_raw(statement(
                backend,
                "INSERT INTO login_throttle (username_key, failures, last_failure_at, locked_until) \
                 VALUES (?, 1, ?, NULL) \
                 ON CONFLICT (username_key) DO UPDATE SET \
                 failures = login_throttle.failures + 1, last_failure_at = excluded.last_failure_at \
                 RETURNING failures",
                vec![key.into(), now.into()],
            ))
            .await?
            .ok_or_else(|| AppError::internal("the failure count came back empty"))?;
        let failures: i32 = row.try_get("", "failures")?;
        let locks = u32::try_from(failures).is_ok_and(|n| n >= config.login_max_failures.max(1));
        if locks {
            // Counting starts afresh once the lock ends.
            login_throttle::Entity::update_many()
                .col_expr(
                    login_throttle::Column::LockedUntil,
                    sea_orm::sea_query::Expr::value(now + config.lock()),
                )
                .col_expr(
                    login_throttle::Column::Failures,
                    sea_orm::sea_query::Expr::value(0),
                )
                .filter(login_throttle::Column::UsernameKey.eq(key))
                .exec(&txn)
                .await?;
        }
        Ok((failures, locks))
    }
    .await;
    let (failures, locks) = match result {
        Ok(counted) => counted,
        Err(err) => return settle(txn, Err(err)).await,
    };
    let id = account.map_or(0, |a| a.id);
    let failed = event_author(
        account,
        operation,
        serde_json::json!({ "reason": reason, "failures": failures }),
        now,
    );
    let locked = event_author(
        account,
        "lockUsername",
        serde_json::json!({
            "failures": config.login_max_failures,
            "lockedUntil": (now + config.lock()).to_rfc3339(),
        }),
        now,
    );
    let (one, two) = (AccountEvent(id), AccountEvent(id));
    let mut rows = vec![(Some(&failed), &one)];
    if locks {
        rows.push((Some(&locked), &two));
    }
    let written = record_changes(&txn, &rows).await;
    settle(txn, written).await
}

/// Opens a session for an account that just proved its password: a random
/// 256-bit token for the cookie, its hash stored. The same transaction
/// clears the username's failures, stamps the sign-in, deletes sessions
/// that have run out (anyone's), and writes the audit row.
async fn open_session(
    db: &DatabaseConnection,
    config: &SessionConfig,
    account: &account::Model,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let token = passwords::random_hex(32);
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        account_session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(account_session::Column::ExpiresAt.lte(now))
                    .add(account_session::Column::LastSeenAt.lte(now - config.idle())),
            )
            .exec(&txn)
            .await?;
        login_throttle::Entity::delete_by_id(account.username_key.clone())
            .exec(&txn)
            .await?;
        let session = account_session::ActiveModel {
            token_hash: Set(tokens::hash(&token)),
            account_id: Set(account.id),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(now + config.lifetime()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        account::Entity::update_many()
            .col_expr(
                account::Column::LastLoginAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(account::Column::Id.eq(account.id))
            .exec(&txn)
            .await?;
        Ok(session.id)
    }
    .await;
    let session = match result {
        Ok(id) => id,
        Err(err) => return settle(txn, Err(err)).await,
    };
    let author = event_author(
        Some(account),
        "login",
        serde_json::json!({ "session": session }),
        now,
    );
    finish(txn, &author, Ok(AccountEvent(account.id))).await?;
    Ok(token)
}

/// Whether a cookie's value could be one of our tokens (64 lower-case hex
/// digits); anything else is not looked up.
fn well_formed(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The session a cookie's token opens, with its account, in one
/// statement: `None` for an unknown token, a session past its end or idle
/// too long, or a disabled account. Writes the session's last use at most
/// once a minute.
pub async fn authenticate(
    db: &DatabaseConnection,
    config: &SessionConfig,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<SignedIn>> {
    if !well_formed(token) {
        return Ok(None);
    }
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = SQL.get_or_init(|| {
        format!(
            "SELECT {}, {} FROM account_session s JOIN account a ON a.id = s.account_id \
             WHERE s.token_hash = ?",
            columns_as::<account_session::Entity>("s", "s_"),
            columns_as::<account::Entity>("a", "a_"),
        )
    });
    let backend = db.get_database_backend();
    let Some(row) = db
        .query_one_raw(statement(backend, sql, vec![tokens::hash(token).into()]))
        .await?
    else {
        return Ok(None);
    };
    let session = account_session::Model::from_query_result(&row, "s_")?;
    let account = account::Model::from_query_result(&row, "a_")?;
    if session.expires_at <= now || session.last_seen_at + config.idle() <= now {
        account_session::Entity::delete_by_id(session.id)
            .exec(db)
            .await?;
        return Ok(None);
    }
    if account.disabled_at.is_some() {
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        account_session::Entity::update_many()
            .col_expr(
                account_session::Column::LastSeenAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(account_session::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(Some(SignedIn {
        account,
        session_id: session.id,
    }))
}

/// Ends the session, or with `everywhere` every session of its account;
/// audited as the account's `logout`.
pub async fn logout(
    db: &DatabaseConnection,
    signed_in: &SignedIn,
    everywhere: bool,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let author = event_author(
        Some(&signed_in.account),
        "logout",
        serde_json::json!({ "everywhere": everywhere }),
        now,
    );
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        if everywhere {
            accounts::end_sessions(&txn, signed_in.account.id, None).await
        } else {
            Ok(account_session::Entity::delete_by_id(signed_in.session_id)
                .exec(&txn)
                .await?
                .rows_affected)
        }
    }
    .await;
    let ended = match result {
        Ok(n) => n,
        Err(err) => return settle(txn, Err(err)).await,
    };
    finish(txn, &author, Ok(AccountEvent(signed_in.account.id))).await?;
    Ok(ended)
}

/// The signed-in person changes their own password: the current one must
/// be right (a wrong one counts towards the username's lock, as at
/// sign-in, so a stolen session cannot guess it for long), the new one
/// long enough and different. The must-change mark goes; the account's
/// other sessions end, this one stays.
pub async fn change_password(
    db: &DatabaseConnection,
    config: &SessionConfig,
    signed_in: &SignedIn,
    current: &str,
    new: &str,
    now: DateTime<Utc>,
) -> AppResult<account::Model> {
    passwords::check_new(new)?;
    let account = accounts::find(db, signed_in.account.id).await?;
    if locked_until(db, &account.username_key, now)
        .await?
        .is_some()
    {
        return Err(AppError::refused(
            ErrorCode::AccountLocked,
            "密码输错次数过多，账号已暂时锁定，请稍后再试",
            "too many wrong passwords: the account is locked for a while; try again later",
        ));
    }
    if !passwords::verify(current, Some(&account.password_hash)).await? {
        record_failure(
            db,
            config,
            &account.username_key,
            Some(&account),
            "changePasswordFailed",
            "wrong current password",
            now,
        )
        .await?;
        return Err(AppError::refused(
            ErrorCode::WrongPassword,
            "当前密码不正确",
            "the current password is not right",
        ));
    }
    if current == new {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        ));
    }
    let author = event_author(Some(&account), "changePassword", serde_json::json!({}), now);
    accounts::set_own_password(
        db,
        &author,
        account.id,
        new,
        Some(signed_in.session_id),
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tokens_of_our_shape_are_looked_up() {
        assert!(well_formed(&passwords::random_hex(32)));
        assert!(!well_formed(&"A".repeat(64)));
        assert!(!well_formed(&"a".repeat(63)));
        assert!(!well_formed("' OR 1=1 --"));
        assert_eq!(throttle_key("  ZhaoShang "), Some("zhaoshang".into()));
        assert_eq!(throttle_key("   "), None);
        assert_eq!(throttle_key(&"a".repeat(257)), None);
    }
}
