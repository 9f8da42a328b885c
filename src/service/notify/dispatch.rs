//! The dispatcher: every server runs one. It claims due deliveries in one
//! statement (on PostgreSQL `FOR UPDATE SKIP LOCKED`, so two servers never
//! claim the same row; on SQLite the write lock does the same), marks
//! them claimed until a lease runs out, sends them, and records the
//! answer: DELIVERED, or another attempt after a backoff, or DEAD after
//! the last. A server killed mid-send leaves its claim to expire, and the
//! delivery is sent again (at least once; receivers deduplicate by the
//! event ID). The lease is longer than a request may take, so a delivery
//! is never sent by two servers at once.
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{delivery, outbox_event, webhook};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
};
use tokio::sync::Notify;

use super::client::Client;
use super::robots;
use crate::db::{begin_write, settle, statement};
use crate::error::AppResult;

/// Deliveries one server sends at once.
pub const CONCURRENT_SENDS: usize = 16;

pub const PENDING: &str = "PENDING";
pub const DELIVERED: &str = "DELIVERED";
pub const DEAD: &str = "DEAD";

/// How deliveries are sent and retried (the operator's flags).
#[derive(Clone, Debug)]
pub struct DispatchConfig {
    /// How often idle servers look for due deliveries.
    pub poll: Duration,
    /// The wait after a first failure, doubled per attempt.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Attempts before a delivery is dead-lettered.
    pub max_attempts: u32,
    /// The most one request may take (connect, send, answer).
    pub timeout: Duration,
    /// How long a claim holds; longer than `timeout`.
    pub claim: Duration,
    /// Deliveries claimed at once.
    pub batch: u64,
    /// The server's address as people reach it, for links in messages.
    pub public_url: Option<String>,
    /// The operator's SMTP server for EMAIL channels.
    pub smtp: Option<SmtpConfig>,
}

/// Where EMAIL channels' messages go out: `smtps://user:pass@host:465`,
/// `smtp://host:587?tls=required` or, inside an intranet, `smtp://host:25`.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub url: String,
    /// "目标办 <mubiao@park.gov.cn>".
    pub from: String,
}

/// The SMTP transport, built once.
struct Mailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl SmtpConfig {
    /// The operator's settings as a transport, or what is wrong with them.
    fn mailer(&self) -> Result<Mailer, String> {
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&self.url)
            .map_err(|e| format!("--smtp-url: {e}"))?
            .build();
        let from = self
            .from
            .parse()
            .map_err(|e| format!("--smtp-from {:?}: {e}", self.from))?;
        Ok(Mailer { transport, from })
    }

    /// Whether these settings make a transport (checked at start-up).
    pub fn check(&self) -> Result<(), String> {
        self.mailer().map(|_| ())
    }
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            poll: Duration::from_secs(1),
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            max_attempts: 8,
            timeout: Duration::from_secs(10),
            claim: Duration::from_secs(60),
            batch: 20,
            public_url: None,
            smtp: None,
        }
    }
}

/// One server's dispatcher.
#[derive(Clone)]
pub struct Dispatcher {
    db: DatabaseConnection,
    config: DispatchConfig,
    client: Client,
    /// Who claims: unique per dispatcher, so a record is written only by
    /// the one holding the claim.
    holder: String,
    /// Woken after a commit that wrote deliveries, so they go out at once.
    wake: Arc<Notify>,
    /// EMAIL channels' transport, when the operator configured SMTP.
    mailer: Option<Arc<Mailer>>,
}

impl Dispatcher {
    pub fn new(db: DatabaseConnection, config: DispatchConfig) -> Dispatcher {
        let claim = config.claim.max(config.timeout + Duration::from_secs(5));
        let mailer = config.smtp.as_ref().and_then(|smtp| match smtp.mailer() {
            Ok(mailer) => Some(Arc::new(mailer)),
            Err(err) => {
                tracing::error!(error = %err, "SMTP is misconfigured; EMAIL channels will fail");
                None
            }
        });
        Dispatcher {
            mailer,
            client: Client::new(config.timeout),
            config: DispatchConfig { claim, ..config },
            db,
            holder: format!("dispatcher-{}", uuid::Uuid::now_v7().simple()),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Wakes the loop (after a write that emitted events).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs until the process ends: sends what is due, then waits for the
    /// poll interval or a wake.
    pub async fn run(self) {
        // Each delivery is sent by a task of its own, at most
        // `CONCURRENT_SENDS` at once: a receiver that hangs holds its own
        // slot until the timeout, never the others' messages.
        let slots = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_SENDS));
        loop {
            let free = slots.available_permits().min(self.config.batch as usize);
            let claimed = if free > 0 {
                match self.claimed(Utc::now(), free as u64).await {
                    Ok(claimed) => claimed,
                    Err(err) => {
                        tracing::error!(error = %err, "webhook dispatch failed");
                        Vec::new()
                    }
                }
            } else {
                Vec::new()
            };
            let any = !claimed.is_empty();
            for (d, hook, event) in claimed {
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let me = self.clone();
                tokio::spawn(async move {
                    let _slot = slot;
                    if let Err(err) = me.deliver(&d, &hook, &event).await {
                        tracing::error!(error = %err, "a delivery's outcome could not be recorded");
                    }
                });
            }
            if any {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll) => {}
                _ = self.wake.notified() => {}
            }
        }
    }

    /// Claims the deliveries due at `now`, sends them side by side and
    /// records each answer, waiting for all. Answers how many were
    /// attempted.
    pub async fn run_once(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let claimed = self.claimed(now, self.config.batch).await?;
        let sends = claimed
            .iter()
            .map(|(d, hook, event)| self.deliver(d, hook, event));
        let results = futures_util::future::join_all(sends).await;
        for result in &results {
            if let Err(err) = result {
                tracing::error!(error = %err, "a delivery's outcome could not be recorded");
            }
        }
        Ok(results.len())
    }

    /// Up to `limit` deliveries due at `now`, claimed, with their webhooks
    /// and events: four statements.
    async fn claimed(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> AppResult<Vec<(delivery::Model, webhook::Model, outbox_event::Model)>> {
        let ids = self.claim(now, limit).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let deliveries = delivery::Entity::find()
            .filter(delivery::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?;
        let hooks: std::collections::HashMap<i64, webhook::Model> = webhook::Entity::find()
            .filter(webhook::Column::Id.is_in(deliveries.iter().map(|d| d.webhook_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|h| (h.id, h))
            .collect();
        let events: std::collections::HashMap<i64, outbox_event::Model> =
            outbox_event::Entity::find()
                .filter(outbox_event::Column::Id.is_in(deliveries.iter().map(|d| d.event_id)))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect();
        Ok(deliveries
            .into_iter()
            .filter_map(|d| {
                let hook = hooks.get(&d.webhook_id)?.clone();
                let event = events.get(&d.event_id)?.clone();
                Some((d, hook, event))
            })
            .collect())
    }

    async fn claim(&self, now: DateTime<Utc>, limit: u64) -> AppResult<Vec<i64>> {
        let backend = self.db.get_database_backend();
        let lock = if backend == DbBackend::Postgres {
            " FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let until = now + chrono::Duration::from_std(self.config.claim).unwrap_or_default();
        let sql = format!(
            "UPDATE delivery SET claimed_by = ?, claimed_until = ? WHERE id IN (\
             SELECT id FROM delivery WHERE state = 'PENDING' AND next_attempt_at <= ? \
             AND (claimed_until IS NULL OR claimed_until < ?) \
             AND webhook_id IN (SELECT id FROM webhook WHERE active = ?) \
             ORDER BY next_attempt_at, id LIMIT ?{lock}) RETURNING id"
        );
        let txn = begin_write(&self.db).await?;
        let rows = txn
            .query_all_raw(statement(
                backend,
                &sql,
                vec![
                    self.holder.clone().into(),
                    until.into(),
                    now.into(),
                    now.into(),
                    true.into(),
                    (limit as i64).into(),
                ],
            ))
            .await;
        let rows = settle(txn, rows.map_err(Into::into)).await?;
        rows.iter()
            .map(|r| r.try_get_by_index::<i64>(0).map_err(Into::into))
            .collect()
    }

    /// Sends an EMAIL channel's message through the operator's SMTP server.
    async fn mail(&self, hook: &webhook::Model, event: &outbox_event::Model) -> Result<(), String> {
        use lettre::AsyncTransport;
        use lettre::message::header::{ContentTransferEncoding, ContentType};
        let Some(smtp) = &self.mailer else {
            return Err("SMTP is not configured on this server (--smtp-url, --smtp-from)".into());
        };
        let (subject, body) = robots::mail(event, self.config.public_url.as_deref());
        let mut message = lettre::Message::builder()
            .from(smtp.from.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::Base64);
        for to in robots::mail_recipients(hook) {
            let address: lettre::message::Mailbox = to
                .parse()
                .map_err(|e| format!("not an address {to:?}: {e}"))?;
            message = message.to(address);
        }
        let message = message
            .body(body)
            .map_err(|e| format!("the message could not be built: {e}"))?;
        match tokio::time::timeout(self.config.timeout, smtp.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(format!("SMTP: {e}")),
            Err(_) => Err(format!(
                "SMTP: no answer within {}s",
                self.config.timeout.as_secs_f64()
            )),
        }
    }

    /// Sends one delivery and records what came of it, if the claim is
    /// still this dispatcher's.
    async fn deliver(
        &self,
        d: &delivery::Model,
        hook: &webhook::Model,
        event: &outbox_event::Model,
    ) -> AppResult<()> {
        let outcome = if hook.kind == "EMAIL" {
            (None, self.mail(hook, event).await)
        } else {
            let out = robots::request(hook, event, self.config.public_url.as_deref(), Utc::now());
            match self.client.post(&out).await {
                Ok(answer) => (
                    Some(i32::from(answer.status)),
                    robots::accepted(&hook.kind, answer.status, &answer.body),
                ),
                Err(reason) => (None, Err(reason)),
            }
        };
        let attempts = d.attempts + 1;
        let now = Utc::now();
        let (state, next, error) = match &outcome.1 {
            Ok(()) => (DELIVERED, now, None),
            Err(reason) if attempts as u32 >= self.config.max_attempts => {
                (DEAD, now, Some(reason.clone()))
            }
            Err(reason) => {
                let wait = domain::notify::backoff(
                    attempts as u32,
                    self.config.base_backoff,
                    self.config.max_backoff,
                );
                (
                    PENDING,
                    now + chrono::Duration::from_std(wait).unwrap_or_default(),
                    Some(reason.clone()),
                )
            }
        };
        if let Some(reason) = &error {
            tracing::warn!(delivery = d.id, webhook = hook.id, attempts, state, reason = %reason, "webhook delivery failed");
        }
        let error = error.map(|e| e.chars().take(500).collect::<String>());
        let delivered_at = (state == DELIVERED).then_some(now);
        let backend = self.db.get_database_backend();
        self.db
            .execute_raw(statement(
                backend,
                "UPDATE delivery SET state = ?, attempts = ?, next_attempt_at = ?, last_status = ?, \
                 last_error = ?, delivered_at = ?, claimed_by = NULL, claimed_until = NULL \
                 WHERE id = ? AND claimed_by = ?",
                vec![
                    state.into(),
                    attempts.into(),
                    next.into(),
                    outcome.0.into(),
                    error.into(),
                    delivered_at.into(),
                    d.id.into(),
                    self.holder.clone().into(),
                ],
            ))
            .await?;
        Ok(())
    }
}
