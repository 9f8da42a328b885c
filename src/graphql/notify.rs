//! Reminders and notifications in the API: a caller's notifications and
//! unread count, webhooks and deliveries (ADMIN), the working-day
//! calendar's overrides, and the subscriptions (`planChanged`,
//! `notificationAdded`) served at `/graphql/ws`.
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use domain::notify::EventKind as DomainKind;
use entity::{calendar_day, delivery, webhook};
use futures_util::Stream;

use super::audit::author;
use super::context::RequestContext;
use super::ids::{id_of, parse_id, parse_opt_id};
use super::scalars::Date;
use crate::error::{AppError, ErrorCode};
use crate::service::notify::inbox::{self, Note, Reader};
use crate::service::notify::live::Live;
use crate::service::notify::{webhooks, workdays};

/// What happened, as events and notifications name it.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum EventKind {
    ReportDueSoon,
    ReportMissing,
    ReportReturned,
    ReportApproved,
    LightChanged,
    MilestoneOverdue,
    SupervisionAssigned,
    SupervisionDueSoon,
    SupervisionOverdue,
    SupervisionReturned,
    /// A webhook's test message.
    Test,
}

impl From<EventKind> for DomainKind {
    fn from(k: EventKind) -> Self {
        match k {
            EventKind::ReportDueSoon => DomainKind::ReportDueSoon,
            EventKind::ReportMissing => DomainKind::ReportMissing,
            EventKind::ReportReturned => DomainKind::ReportReturned,
            EventKind::ReportApproved => DomainKind::ReportApproved,
            EventKind::LightChanged => DomainKind::LightChanged,
            EventKind::MilestoneOverdue => DomainKind::MilestoneOverdue,
            EventKind::SupervisionAssigned => DomainKind::SupervisionAssigned,
            EventKind::SupervisionDueSoon => DomainKind::SupervisionDueSoon,
            EventKind::SupervisionOverdue => DomainKind::SupervisionOverdue,
            EventKind::SupervisionReturned => DomainKind::SupervisionReturned,
            EventKind::Test => DomainKind::Test,
        }
    }
}

fn kind_of(text: &str) -> Option<EventKind> {
    DomainKind::parse(text).map(|k| match k {
        DomainKind::ReportDueSoon => EventKind::ReportDueSoon,
        DomainKind::ReportMissing => EventKind::ReportMissing,
        DomainKind::ReportReturned => EventKind::ReportReturned,
        DomainKind::ReportApproved => EventKind::ReportApproved,
        DomainKind::LightChanged => EventKind::LightChanged,
        DomainKind::MilestoneOverdue => EventKind::MilestoneOverdue,
        DomainKind::SupervisionAssigned => EventKind::SupervisionAssigned,
        DomainKind::SupervisionDueSoon => EventKind::SupervisionDueSoon,
        DomainKind::SupervisionOverdue => EventKind::SupervisionOverdue,
        DomainKind::SupervisionReturned => EventKind::SupervisionReturned,
        DomainKind::Test => EventKind::Test,
    })
}

/// One notification in a reader's list.
pub struct Notification(pub Note);

#[Object]
impl Notification {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    /// The event's ID: the same one webhooks carry (`X-Mubiao-Event-Id`).
    async fn event_id(&self) -> ID {
        id_of(self.0.event.id)
    }
    async fn kind(&self) -> Option<EventKind> {
        kind_of(&self.0.event.kind)
    }
    /// The first line, in Chinese: "【未报提醒】招商合作局：2025年10月进度逾期未报".
    async fn title(&self) -> &str {
        &self.0.event.title
    }
    /// The message with its figures, in Chinese.
    async fn body(&self) -> &str {
        &self.0.event.body
    }
    /// The page it is about ("/goals/12"), when there is one.
    async fn link(&self) -> Option<&str> {
        self.0.event.link.as_deref()
    }
    async fn plan_id(&self) -> Option<ID> {
        self.0.event.plan_id.map(id_of)
    }
    /// The unit it is addressed to; none for the target office's.
    async fn unit_id(&self) -> Option<ID> {
        self.0.unit_id.map(id_of)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.event.created_at
    }
    /// When this reader read it.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }
}

/// A page of notifications, newest first.
pub struct NotificationPage {
    notes: Vec<Note>,
    has_next_page: bool,
    unread_count: i64,
}

#[Object]
impl NotificationPage {
    async fn nodes(&self) -> Vec<Notification> {
        self.notes.iter().cloned().map(Notification).collect()
    }
    /// Pass as `after` for the next page.
    async fn end_cursor(&self) -> Option<ID> {
        self.notes.last().map(|n| id_of(n.id))
    }
    async fn has_next_page(&self) -> bool {
        self.has_next_page
    }
    /// The reader's unread notifications, all pages.
    async fn unread_count(&self) -> i64 {
        self.unread_count
    }
}

/// Where events are pushed.
pub struct Webhook(pub webhook::Model);

#[Object]
impl Webhook {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// WECOM, DINGTALK, FEISHU, GENERIC or EMAIL.
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    /// The address with its key hidden ("…/send?key=••••", a 飞书
    /// robot's last path part): the key is the robot's password.
    async fn url(&self) -> String {
        masked(&self.0.kind, &self.0.url)
    }
    /// Whether a signing secret is set (the secret itself is never shown).
    async fn has_secret(&self) -> bool {
        self.0.secret.is_some()
    }
    /// The kinds it takes (every kind when it was made with none).
    async fn events(&self) -> Vec<EventKind> {
        let listed: Vec<EventKind> = self.0.events.split(',').filter_map(kind_of).collect();
        if !listed.is_empty() {
            return listed;
        }
        DomainKind::ALL
            .into_iter()
            .filter(|k| *k != DomainKind::Test)
            .filter_map(|k| kind_of(k.as_str()))
            .collect()
    }
    /// Whether it takes every kind (made with no `events`).
    async fn all_events(&self) -> bool {
        self.0.events.is_empty()
    }
    /// Only this unit's events; none: the target office's.
    async fn unit_id(&self) -> Option<ID> {
        self.0.unit_id.map(id_of)
    }
    async fn active(&self) -> bool {
        self.0.active
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
}

/// A URL with every query value hidden, and for 飞书 (whose key is the
/// last part of the path) that part too.
fn masked(kind: &str, url: &str) -> String {
    let url = if kind == "FEISHU" {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let hidden = match path.rsplit_once('/') {
            Some((head, _)) => format!("{head}/••••"),
            None => path.to_string(),
        };
        if query.is_empty() {
            hidden
        } else {
            format!("{hidden}?{query}")
        }
    } else {
        url.to_string()
    };
    match url.split_once('?') {
        None => url.to_string(),
        Some((base, query)) => {
            let hidden: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) => format!("{k}=••••"),
                    None => pair.to_string(),
                })
                .collect();
            format!("{base}?{}", hidden.join("&"))
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum DeliveryState {
    /// Waiting for its first attempt or a retry.
    Pending,
    Delivered,
    /// Every attempt failed; an ADMIN may retry it.
    Dead,
}

impl DeliveryState {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "PENDING",
            DeliveryState::Delivered => "DELIVERED",
            DeliveryState::Dead => "DEAD",
        }
    }
}

/// One event to one webhook.
pub struct Delivery(pub delivery::Model);

#[Object]
impl Delivery {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn webhook_id(&self) -> ID {
        id_of(self.0.webhook_id)
    }
    /// The event's ID (`X-Mubiao-Event-Id`).
    async fn event_id(&self) -> ID {
        id_of(self.0.event_id)
    }
    async fn state(&self) -> DeliveryState {
        match self.0.state.as_str() {
            "DELIVERED" => DeliveryState::Delivered,
            "DEAD" => DeliveryState::Dead,
            _ => DeliveryState::Pending,
        }
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.state == "PENDING").then_some(self.0.next_attempt_at)
    }
    /// The receiver's last HTTP status, if it answered.
    async fn last_status(&self) -> Option<i32> {
        self.0.last_status
    }
    /// Why the last attempt failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A day whose working status an ADMIN set.
#[derive(SimpleObject)]
pub struct CalendarDay {
    pub date: Date,
    /// Whether people work that day, in force now.
    pub workday: bool,
    /// Whether this is an ADMIN's override (false: the notices again).
    pub overridden: bool,
    pub set_by: Option<String>,
}

impl CalendarDay {
    fn of(row: calendar_day::Model, overridden: bool) -> Self {
        CalendarDay {
            date: Date(row.day),
            workday: row.workday,
            overridden,
            set_by: overridden.then_some(row.set_by),
        }
    }
}

#[derive(InputObject)]
pub struct CreateWebhookInput {
    pub name: String,
    /// WECOM (企业微信群机器人), DINGTALK (钉钉自定义机器人), FEISHU (飞书自定义机器人)
    /// or GENERIC (signed JSON).
    pub kind: WebhookKind,
    /// The robot's Webhook address, as its settings show it.
    pub url: String,
    /// 钉钉 加签 / 飞书 签名校验 secret; required for GENERIC.
    pub secret: Option<String>,
    /// The kinds to push; none or empty: every kind.
    pub events: Option<Vec<EventKind>>,
    /// Only this unit's events (its reminders, returned reports); none:
    /// the target office's (escalations, lights, overdue items).
    pub unit_id: Option<ID>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum WebhookKind {
    Wecom,
    Dingtalk,
    Feishu,
    Generic,
    /// Email through the operator's SMTP server (`--smtp-url`); `url` is
    /// `mailto:` with the addresses, comma-separated.
    Email,
}

impl WebhookKind {
    fn as_str(self) -> &'static str {
        match self {
            WebhookKind::Wecom => "WECOM",
            WebhookKind::Dingtalk => "DINGTALK",
            WebhookKind::Feishu => "FEISHU",
            WebhookKind::Generic => "GENERIC",
            WebhookKind::Email => "EMAIL",
        }
    }
}

/// Notifications marked read by ID in one request, at most.
const MARKED_AT_ONCE: usize = 1000;

/// A page size asked for: 1 to `most`.
fn page_size(first: i32, most: i32) -> Result<u64> {
    if !(1..=most).contains(&first) {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            format!("每页条数 first 应在 1—{most} 之间，收到 {first}"),
            format!("first must be from 1 to {most}, not {first}"),
        )
        .into());
    }
    Ok(first as u64)
}

async fn reader(rc: &RequestContext) -> Result<Reader> {
    let actor = rc.actor()?;
    Ok(Reader::of(&rc.db, actor, rc.caller_key()).await?)
}

#[derive(Default)]
pub struct NotifyQuery;

#[Object]
impl NotifyQuery {
    /// The caller's notifications, newest first: a unit's clerks see their
    /// unit's (and the units' below), the target office and leaders the
    /// office's. `after`: a page's `endCursor`. At most 100 a page.
    async fn my_notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] unread_only: bool,
        #[graphql(default = 20)] first: i32,
        after: Option<ID>,
    ) -> Result<NotificationPage> {
        let rc = RequestContext::of(ctx)?;
        let reader = reader(rc).await?;
        let first = page_size(first, 100)?;
        let after = parse_opt_id("notification", &after)?;
        let page = inbox::list(&rc.db, &reader, unread_only, first, after).await?;
        Ok(NotificationPage {
            notes: page.notes,
            has_next_page: page.has_next,
            unread_count: inbox::unread_count(&rc.db, &reader).await?,
        })
    }

    /// How many of the caller's notifications are unread (the header's badge).
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let rc = RequestContext::of(ctx)?;
        let reader = reader(rc).await?;
        Ok(inbox::unread_count(&rc.db, &reader).await?)
    }

    /// Every webhook (ADMIN).
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<Webhook>> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        Ok(webhooks::list(&rc.db)
            .await?
            .into_iter()
            .map(Webhook)
            .collect())
    }

    /// Deliveries, newest first, of one webhook or all, in one state or
    /// any (ADMIN). At most `first` (100 by default, 500 at most).
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        webhook_id: Option<ID>,
        state: Option<DeliveryState>,
        #[graphql(default = 100)] first: i32,
    ) -> Result<Vec<Delivery>> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let webhook_id = parse_opt_id("webhook", &webhook_id)?;
        if let Some(id) = webhook_id {
            webhooks::find(&rc.db, id).await?;
        }
        let rows = webhooks::deliveries(
            &rc.db,
            webhook_id,
            state.map(DeliveryState::as_str),
            page_size(first, 500)?,
        )
        .await?;
        Ok(rows.into_iter().map(Delivery).collect())
    }

    /// The days an ADMIN made working days or days off, against the
    /// State Council's notices (2025 and 2026 shipped).
    async fn calendar_overrides(&self, ctx: &Context<'_>) -> Result<Vec<CalendarDay>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        Ok(workdays::overrides(&rc.db)
            .await?
            .into_iter()
            .map(|d| CalendarDay::of(d, true))
            .collect())
    }
}

#[derive(Default)]
pub struct NotifyMutation;

#[Object]
impl NotifyMutation {
    /// Marks the caller's notifications read: these IDs, or with none
    /// every one. IDs that are not the caller's are ignored. Answers the
    /// unread count after.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<ID>>,
    ) -> Result<i64> {
        let rc = RequestContext::of(ctx)?;
        let reader = reader(rc).await?;
        let ids = match ids {
            Some(ids) if ids.len() > MARKED_AT_ONCE => {
                return Err(AppError::refused(
                    ErrorCode::InvalidValue,
                    format!("一次最多标记 {MARKED_AT_ONCE} 条通知为已读；全部标记请不传 ids"),
                    format!(
                        "at most {MARKED_AT_ONCE} notifications at once; send no ids to mark all"
                    ),
                )
                .into());
            }
            Some(ids) => Some(super::ids::parse_ids("notification", &ids)?),
            None => None,
        };
        inbox::mark_read(&rc.db, &reader, ids.as_deref(), rc.now).await?;
        Ok(inbox::unread_count(&rc.db, &reader).await?)
    }

    /// Adds a webhook (ADMIN): a 企业微信, 钉钉 or 飞书 group robot, or a
    /// receiver of signed JSON. Events written from now on reach it.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookInput,
    ) -> Result<Webhook> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let mut author = author(ctx)?;
        // The robot's key is in its URL: the log keeps the address without it.
        let kind = input.kind.as_str();
        if let Some(url) = author.input.pointer_mut("/input/url") {
            *url = masked(kind, url.as_str().unwrap_or_default()).into();
        }
        let unit_id = parse_opt_id("unit", &input.unit_id)?;
        let hook = webhooks::create(
            &rc.db,
            &author,
            webhooks::NewWebhook {
                name: input.name,
                kind: input.kind.as_str().into(),
                url: input.url,
                secret: input.secret,
                events: input
                    .events
                    .unwrap_or_default()
                    .into_iter()
                    .map(Into::into)
                    .collect(),
                unit_id,
            },
            rc.now,
        )
        .await?;
        Ok(Webhook(hook))
    }

    /// Turns a webhook off (nothing new is queued for it) or on (ADMIN).
    async fn set_webhook_active(&self, ctx: &Context<'_>, id: ID, active: bool) -> Result<Webhook> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let hook =
            webhooks::set_active(&rc.db, &author(ctx)?, parse_id("webhook", &id)?, active).await?;
        Ok(Webhook(hook))
    }

    /// Sends a test message to one webhook (ADMIN); its delivery shows
    /// whether the address and secret work.
    async fn test_webhook(&self, ctx: &Context<'_>, id: ID) -> Result<Delivery> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let row = webhooks::test(&rc.db, &author(ctx)?, parse_id("webhook", &id)?, rc.now).await?;
        Ok(Delivery(row))
    }

    /// Sends a dead letter again, from its first attempt (ADMIN).
    async fn retry_delivery(&self, ctx: &Context<'_>, id: ID) -> Result<Delivery> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let row =
            webhooks::retry(&rc.db, &author(ctx)?, parse_id("delivery", &id)?, rc.now).await?;
        Ok(Delivery(row))
    }

    /// Makes `date` a working day (`workday: true`) or a day off (`false`)
    /// whatever the State Council's notices say (a local 调休), or with
    /// `workday: null` removes the override (ADMIN). Due days 遇节假日顺延
    /// follow at once.
    async fn set_calendar_day(
        &self,
        ctx: &Context<'_>,
        date: Date,
        workday: Option<bool>,
    ) -> Result<CalendarDay> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let row = workdays::set_day(&rc.db, &author(ctx)?, date.0, workday, rc.now).await?;
        Ok(CalendarDay::of(row, workday.is_some()))
    }
}

/// A plan's data moved.
#[derive(SimpleObject, Clone)]
pub struct PlanChange {
    pub plan_id: ID,
    /// The plan's data version now: a page refetches when it grows.
    pub data_version: i64,
}

/// The least time between two `planChanged` events of one subscription.
const PLAN_THROTTLE: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Fires when the plan's data changes (a report, a target, a share, a
    /// 节点), through any server; at most once a second, with the latest
    /// version. Only for a plan the caller may read.
    async fn plan_changed(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
    ) -> Result<impl Stream<Item = PlanChange> + use<>> {
        let rc = RequestContext::of(ctx)?;
        let id = parse_id("plan", &plan_id)?;
        rc.readable_plan(id).await?;
        let live = ctx.data::<Arc<Live>>()?.clone();
        let mut versions = live.plan_versions();
        let mut known = live.version_of(id).await?.unwrap_or(0);
        Ok(async_stream::stream! {
            let mut last_sent: Option<tokio::time::Instant> = None;
            loop {
                let moved = match versions.recv().await {
                    Ok(v) => v,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                };
                if moved.plan_id != id || moved.data_version <= known {
                    continue;
                }
                known = moved.data_version;
                if let Some(at) = last_sent {
                    let since = at.elapsed();
                    if since < PLAN_THROTTLE {
                        tokio::time::sleep(PLAN_THROTTLE - since).await;
                    }
                    // What moved meanwhile is in this one event.
                    while let Ok(more) = versions.try_recv() {
                        if more.plan_id == id && more.data_version > known {
                            known = more.data_version;
                        }
                    }
                }
                last_sent = Some(tokio::time::Instant::now());
                yield PlanChange { plan_id: id_of(id), data_version: known };
            }
        })
    }

    /// Each notification written for the caller from now on, through any server.
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Notification> + use<>> {
        let rc = RequestContext::of(ctx)?;
        let reader = reader(rc).await?;
        let live = ctx.data::<Arc<Live>>()?.clone();
        let mut notes = live.notifications();
        let start = inbox::last_id(&rc.db).await?;
        Ok(async_stream::stream! {
            loop {
                let note = match notes.recv().await {
                    Ok(n) => n,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                };
                if note.id > start && reader.sees(note.unit_id) {
                    yield Notification((*note).clone());
                }
            }
        })
    }
}
