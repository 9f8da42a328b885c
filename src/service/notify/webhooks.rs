//! Webhooks (an ADMIN's): where events are pushed, and what became of
//! each delivery.
use chrono::{DateTime, Utc};
use domain::notify::EventKind;
use domain::text::{self, Field};
use entity::{delivery, unit, webhook};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::{Audience, NewEvent, dispatch};
use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};

impl Audited for webhook::Model {
    const OBJECT: &'static str = "webhook";
    fn object_id(&self) -> i64 {
        self.id
    }
    fn touches(&self) -> Touches {
        Touches::Nothing
    }
}

impl Audited for delivery::Model {
    const OBJECT: &'static str = "delivery";
    fn object_id(&self) -> i64 {
        self.id
    }
    fn touches(&self) -> Touches {
        Touches::Nothing
    }
}

pub const KINDS: [&str; 5] = ["WECOM", "DINGTALK", "FEISHU", "GENERIC", "EMAIL"];

/// Whether `hook` takes an event of `kind` addressed to `audiences`: its
/// kinds (all when none are listed), and its unit's events (with a unit)
/// or the office's (without).
pub fn listens(hook: &webhook::Model, kind: EventKind, audiences: &[Audience]) -> bool {
    let kinds: Vec<&str> = hook.events.split(',').filter(|k| !k.is_empty()).collect();
    // A test message goes only where it is sent (`test`), never here.
    if kind == EventKind::Test {
        return false;
    }
    if !kinds.is_empty() && !kinds.contains(&kind.as_str()) {
        return false;
    }
    let wanted = match hook.unit_id {
        Some(u) => Audience::Unit(u),
        None => Audience::Office,
    };
    audiences.contains(&wanted)
}

/// A webhook as the office fills it in.
pub struct NewWebhook {
    pub name: String,
    pub kind: String,
    pub url: String,
    pub secret: Option<String>,
    pub events: Vec<EventKind>,
    pub unit_id: Option<i64>,
}

fn refused(zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::refused(ErrorCode::InvalidValue, zh, en)
}

/// Checks a webhook's address: http or https with a host, no spaces, at
/// most 1000 characters.
fn check_url(url: &str) -> AppResult<String> {
    let url = url.trim();
    let parsed: Result<hyper::Uri, _> = url.parse();
    let ok = url.len() <= 1000
        && !url.chars().any(char::is_whitespace)
        && parsed.as_ref().is_ok_and(|u| {
            matches!(u.scheme_str(), Some("http") | Some("https"))
                && u.host().is_some()
                // A user and password in the address would be shown and
                // never sent: refused.
                && !u.authority().is_some_and(|a| a.as_str().contains('@'))
                && u.authority().is_some_and(|a| port_fits(a.as_str()))
        });
    if !ok {
        // The address is not repeated: it may carry the robot's key.
        return Err(refused(
            "推送地址不是有效的 http(s) 地址（不能含用户名密码，端口须在 1—65535），请从机器人设置中复制完整的 Webhook 地址",
            "the address is not a valid http(s) address (no user or password, a port from 1 to 65535)",
        ));
    }
    Ok(url.to_string())
}

/// Whether an authority's port, if it names one, is 1–65535 (the URI
/// parser takes any digits there).
fn port_fits(authority: &str) -> bool {
    let after_host = authority
        .rsplit_once(']')
        .map_or(authority, |(_, rest)| rest);
    match after_host.rsplit_once(':') {
        Some((_, port)) => port.parse::<u16>().is_ok_and(|n| n != 0),
        None => true,
    }
}

/// Checks an EMAIL channel's address: `mailto:` and 1–20 addresses,
/// comma-separated ("mailto:mubiaoban@park.gov.cn,zhaoshang@park.gov.cn").
fn check_mailto(url: &str) -> AppResult<String> {
    let url = url.trim();
    let addresses: Vec<&str> = url
        .strip_prefix("mailto:")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();
    let readable = |a: &&str| a.parse::<lettre::Address>().is_ok();
    if url.len() > 1000
        || addresses.is_empty()
        || addresses.len() > 20
        || !addresses.iter().all(readable)
    {
        return Err(refused(
            format!(
                "邮件推送地址“{}”不对：请写成 mailto:地址1,地址2（最多 20 个邮箱）",
                shorten(url)
            ),
            format!(
                "{:?} is not mailto: with 1 to 20 email addresses",
                shorten(url)
            ),
        ));
    }
    Ok(format!("mailto:{}", addresses.join(",")))
}

fn shorten(s: &str) -> String {
    s.chars().take(80).collect()
}

pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewWebhook,
    now: DateTime<Utc>,
) -> AppResult<webhook::Model> {
    let name = text::required(Field::WebhookName, &input.name)?;
    if !KINDS.contains(&input.kind.as_str()) {
        return Err(refused(
            format!(
                "推送类型“{}”不认识，可选 WECOM、DINGTALK、FEISHU、GENERIC、EMAIL",
                input.kind
            ),
            format!("unknown webhook kind {:?}", input.kind),
        ));
    }
    let url = if input.kind == "EMAIL" {
        check_mailto(&input.url)?
    } else {
        check_url(&input.url)?
    };
    let secret = input
        .secret
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if secret.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(AppError::refused(
            ErrorCode::TooLong,
            "签名密钥太长（最多 200 个字符）",
            "the secret is longer than 200 characters",
        ));
    }
    if secret
        .as_ref()
        .is_some_and(|s| s.chars().any(char::is_control))
    {
        return Err(AppError::refused(
            ErrorCode::InvalidText,
            "签名密钥含有控制字符，请从机器人设置中重新复制",
            "the secret holds control characters",
        ));
    }
    if input.kind == "GENERIC" && secret.is_none() {
        return Err(refused(
            "通用推送（GENERIC）须设置签名密钥，接收方据此验证消息来自本系统",
            "a GENERIC webhook needs a secret: receivers check the signature with it",
        ));
    }
    let mut events: Vec<&str> = input.events.iter().map(|k| k.as_str()).collect();
    events.sort_unstable();
    events.dedup();
    if events.contains(&EventKind::Test.as_str()) {
        return Err(refused(
            "TEST 不是可订阅的事件",
            "TEST is not an event to subscribe to",
        ));
    }
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        if let Some(unit_id) = input.unit_id {
            unit::Entity::find_by_id(unit_id)
                .filter(unit::Column::ArchivedAt.is_null())
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::not_found("unit", unit_id))?;
        }
        Ok(webhook::ActiveModel {
            name: Set(name),
            kind: Set(input.kind.clone()),
            url: Set(url),
            secret: Set(secret),
            events: Set(events.join(",")),
            unit_id: Set(input.unit_id),
            active: Set(true),
            created_at: Set(now),
            created_by: Set(author.actor_name.clone()),
            ..Default::default()
        }
        .insert(&txn)
        .await?)
    }
    .await;
    finish(txn, author, result).await
}

pub async fn find<C: sea_orm::ConnectionTrait>(db: &C, id: i64) -> AppResult<webhook::Model> {
    webhook::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("webhook", id))
}

pub async fn list(db: &DatabaseConnection) -> AppResult<Vec<webhook::Model>> {
    Ok(webhook::Entity::find()
        .order_by_asc(webhook::Column::Id)
        .all(db)
        .await?)
}

/// Turns a webhook off (nothing new is queued for it; what is queued is
/// still sent) or on again.
pub async fn set_active(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    active: bool,
) -> AppResult<webhook::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let hook = find(&txn, id).await?;
        let mut active_model: webhook::ActiveModel = hook.into();
        active_model.active = Set(active);
        Ok(active_model.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}

/// Queues a test message for one webhook (`testWebhook`): the office
/// checks a robot's address and secret before relying on it.
pub async fn test(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<delivery::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let hook = find(&txn, id).await?;
        switched_on(&hook)?;
        let event = NewEvent {
            kind: EventKind::Test,
            key: format!("TEST:{}:{}", hook.id, uuid::Uuid::now_v7().simple()),
            plan_id: None,
            unit_id: hook.unit_id,
            subject_id: Some(hook.id),
            title: "【测试消息】目标管理系统推送已接通".into(),
            body: format!(
                "这是“{}”的测试消息。收到即说明推送地址和签名设置正确，催报、预警、督办提醒将推送到这里。",
                hook.name
            ),
            link: Some("/dashboard".into()),
            payload: serde_json::json!({ "webhookId": hook.id.to_string() }),
            audiences: Vec::new(),
        };
        let event_id = super::emit(&txn, event, now)
            .await?
            .ok_or_else(|| AppError::internal("a test event's key was taken"))?;
        Ok(delivery::ActiveModel {
            webhook_id: Set(hook.id),
            event_id: Set(event_id),
            state: Set(dispatch::PENDING.into()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?)
    }
    .await;
    finish(txn, author, result).await
}

/// Refuses to send through a webhook the office switched off.
fn switched_on(hook: &webhook::Model) -> AppResult<()> {
    if hook.active {
        return Ok(());
    }
    Err(AppError::refused(
        ErrorCode::InvalidTransition,
        format!("推送“{}”已停用，不再发送；如需发送请先启用", hook.name),
        format!(
            "webhook {:?} is switched off; switch it on first",
            hook.name
        ),
    ))
}

/// The deliveries of a webhook (or all), in a state if asked, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    webhook_id: Option<i64>,
    state: Option<&str>,
    limit: u64,
) -> AppResult<Vec<delivery::Model>> {
    let mut query = delivery::Entity::find();
    if let Some(id) = webhook_id {
        query = query.filter(delivery::Column::WebhookId.eq(id));
    }
    if let Some(state) = state {
        query = query.filter(delivery::Column::State.eq(state));
    }
    Ok(query
        .order_by_desc(delivery::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Deliveries waiting (PENDING) and dead-lettered (DEAD): one statement.
pub async fn backlog(db: &DatabaseConnection) -> AppResult<(i64, i64)> {
    use sea_orm::ConnectionTrait;
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(crate::db::statement(
            backend,
            "SELECT state, COUNT(*) FROM delivery WHERE state IN ('PENDING', 'DEAD') GROUP BY state",
            vec![],
        ))
        .await?;
    let (mut pending, mut dead) = (0, 0);
    for row in rows {
        let state: String = row.try_get_by_index(0)?;
        let n: i64 = row.try_get_by_index(1)?;
        if state == "DEAD" {
            dead = n;
        } else {
            pending = n;
        }
    }
    Ok((pending, dead))
}

/// An ADMIN sends a dead letter again: PENDING, attempts from zero, now.
pub async fn retry(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<delivery::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let row = delivery::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("delivery", id))?;
        if row.state != dispatch::DEAD {
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                format!(
                    "推送记录 {id} {}，只有失败（DEAD）的推送可以重发",
                    if row.state == dispatch::DELIVERED {
                        "已送达"
                    } else {
                        "正在发送或等待重试"
                    }
                ),
                format!(
                    "delivery {id} is {}; only DEAD deliveries are retried",
                    row.state
                ),
            ));
        }
        if let Some(hook) = webhook::Entity::find_by_id(row.webhook_id)
            .one(&txn)
            .await?
        {
            switched_on(&hook)?;
        }
        let mut active: delivery::ActiveModel = row.into();
        active.state = Set(dispatch::PENDING.into());
        active.attempts = Set(0);
        active.next_attempt_at = Set(now);
        active.claimed_by = Set(None);
        active.claimed_until = Set(None);
        Ok(active.update(&txn).await?)
    }
    .await;
    finish(txn, author, result).await
}
