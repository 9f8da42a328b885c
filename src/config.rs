//! Typed configuration from flags and environment (flags win).
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// mubiao (目标): the target-responsibility server of an industrial park.
#[derive(Debug, Parser)]
#[command(name = "mubiao", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// The language of what the office reads: zh (default) or en.
    #[arg(long, global = true, env = "MUBIAO_LANG", default_value = "zh", value_parser = parse_lang)]
    pub lang: domain::Lang,
    #[command(subcommand)]
    pub command: Command,
}

fn parse_lang(tag: &str) -> Result<domain::Lang, String> {
    domain::Lang::from_tag(tag).ok_or_else(|| format!("--lang takes zh or en, not {tag:?}"))
}

// Parsed once at start-up and matched once: the size of `serve`'s
// settings costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve GraphQL (GraphiQL at GET /graphql).
    Serve(ServeConfig),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema this server serves (SDL), as `schema.graphql`
    /// holds it. Needs no database.
    Schema,
    /// Copy a SQLite database to OUT while servers keep serving it (a
    /// consistent snapshot, `VACUUM INTO`). PostgreSQL: use pg_dump (README).
    Backup {
        /// The copy to write; must not exist yet.
        out: std::path::PathBuf,
    },
    /// Replace the SQLite database with a backup. Refused while any server
    /// uses the database: stop them first.
    Restore {
        /// The backup to restore (a file `mubiao backup` wrote).
        from: std::path::PathBuf,
    },
    /// Load the demo plan (a 2025 development-zone plan) and exit.
    Demo,
    /// Issue, list and revoke bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Create, list and rename units (责任单位).
    #[command(subcommand)]
    Unit(UnitCommand),
    /// Accounts that sign in with a password: create, list, disable, reset.
    #[command(subcommand)]
    User(UserCommand),
    /// Work on plans: copy one into another year.
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Fill the database with a synthetic province for benchmarks: one ACTIVE
    /// plan per park with goals of every kind, assignments, milestones and monthly
    /// reports (corrections, late and returned ones), the same for the same seed.
    Generate {
        /// How many parks (each gets its own units and plan).
        #[arg(long, default_value_t = 150)]
        parks: usize,
        /// Goals per plan.
        #[arg(long, default_value_t = 50)]
        goals: usize,
        /// Units (bureaus) per park.
        #[arg(long, default_value_t = 8)]
        units: usize,
        /// Units each goal is broken down to (default: all of the park's).
        #[arg(long)]
        units_per_goal: Option<usize>,
        /// Months of reports from January.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// The plans' year.
        #[arg(long, default_value_t = 2025)]
        year: i32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Import a 目标任务分解表 (.xlsx or .csv) into a plan, all or nothing.
    Import(ImportArgs),
    /// 督查督办: open a RED_LIGHT supervision item for every red or overdue
    /// goal of an ACTIVE plan that has none open (running it twice opens
    /// nothing new).
    Supervise {
        /// The date the goals are judged at (YYYY-MM-DD); default today in each plan.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Write a plan's 完成情况表 as of a date: OUT.xlsx (five sheets, the last
    /// the 目标任务分解表) or OUT.csv; with --breakdown only the 分解表.
    Export {
        /// The plan's ID.
        #[arg(long)]
        plan: i64,
        /// Write only the plan's 目标任务分解表 (what `import` reads), as .xlsx.
        #[arg(long)]
        breakdown: bool,
        /// The date the figures stand at (YYYY-MM-DD); default today in the plan's zone.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// Where to write; .csv writes CSV, anything else .xlsx.
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A plan ID, or a year (2026 or 2026年): the open plan of that year, or
    /// a new DRAFT plan if there is none. A plan ID from 1900 to 2999 is
    /// written id:2025.
    #[arg(long)]
    pub plan: String,
    /// The new plan's name (default: the sheet's title).
    #[arg(long)]
    pub name: Option<String>,
    /// The new plan's owner unit, by ID or name (default: the one top-level unit).
    #[arg(long)]
    pub owner: Option<String>,
    /// The workbook sheet to read (default: the one named …分解…, else the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Check the sheet and print what would be created, without creating it.
    #[arg(long)]
    pub dry_run: bool,
    /// Create units the sheet names that do not exist yet (under the plan's
    /// owner unit) instead of refusing the sheet.
    #[arg(long)]
    pub create_units: bool,
    /// The .xlsx or .csv file.
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token and print it once (only its hash is stored).
    Create {
        /// Who holds it, e.g. "招商合作局 填报员" (default: the unit and role).
        #[arg(long)]
        name: Option<String>,
        /// admin, reporter or viewer.
        #[arg(long, value_parser = ["admin", "reporter", "viewer"])]
        role: String,
        /// The unit a reporter reports for: its ID or its name.
        #[arg(long)]
        unit: Option<String>,
        /// Days until the token stops working.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// List every token (never the secrets).
    List,
    /// Revoke a token by its ID.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Add a unit, at the top of the tree or under a parent.
    Create {
        /// The unit's name, e.g. 招商合作局.
        #[arg(long)]
        name: String,
        /// The parent unit: its ID or its name.
        #[arg(long)]
        parent: Option<String>,
    },
    /// Print the units as a tree, with their IDs.
    List,
    /// Give a unit a new name.
    Rename {
        /// The unit: its ID or its name.
        #[arg(long)]
        unit: String,
        /// The new name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its first password is read from standard input
    /// (one line), and must be changed at first sign-in.
    Create {
        /// What the person signs in with: letters, digits and . _ - @.
        #[arg(long)]
        username: String,
        /// How pages and the audit log name the person, e.g. 招商合作局填报员.
        #[arg(long)]
        name: String,
        /// admin, reporter or viewer.
        #[arg(long, value_parser = ["admin", "reporter", "viewer"])]
        role: String,
        /// The unit a reporter reports for: its ID or its name.
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from standard input (required: a password on
        /// the command line would sit in the shell's history).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List every account (never a password).
    List,
    /// Disable an account: it can no longer sign in, and its sessions end.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Let a disabled account sign in again with its password.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Set a new password (read from standard input) that the person must
    /// change at the next sign-in; the account's sessions end.
    ResetPassword {
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Copy a plan into another year as a DRAFT: the same goals, units,
    /// assignments and milestones, dates moved, last year's actuals as
    /// 上年完成; no reports.
    Copy {
        /// The plan to copy, by ID.
        #[arg(long)]
        plan: i64,
        /// The new plan's year (2000–2100).
        #[arg(long)]
        year: i32,
        /// The new plan's name (default: the old one with its year replaced).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Where the data lives: `sqlite:mubiao.db` (created if missing) or
    /// `postgres://user@host/db`.
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        default_value = "sqlite:mubiao.db"
    )]
    pub database_url: String,
    /// Connections in the pool. SQLite readers share the file in WAL mode;
    /// PostgreSQL deployments size this against max_connections / servers.
    #[arg(
        long,
        env = "MUBIAO_DB_MAX_CONNECTIONS",
        global = true,
        default_value_t = 10
    )]
    pub max_connections: u32,
    /// PostgreSQL schema to use (search_path); tests give each run its own.
    #[arg(long, env = "MUBIAO_DB_SCHEMA", global = true)]
    pub schema: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on.
    #[arg(long, env = "MUBIAO_LISTEN", default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,
    /// Load the demo plan on start if the database has no plans yet.
    #[arg(long, env = "MUBIAO_DEMO")]
    pub demo: bool,
    /// The operator's bootstrap key: accepted as an ADMIN bearer token.
    #[arg(long, env = "MUBIAO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Write logs as JSON lines instead of text.
    #[arg(long, env = "MUBIAO_LOG_JSON")]
    pub log_json: bool,
    /// Do not migrate the database: refuse to start if its schema is
    /// behind this server (for operators who run `mubiao migrate` as a
    /// step of their own before starting servers).
    #[arg(long, env = "MUBIAO_NO_MIGRATE")]
    pub no_migrate: bool,
    /// Do not run the daily 督办 check (`mubiao supervise`) at 02:00 Beijing
    /// time. Every server may run it: the database keeps one open automatic
    /// item per goal, so servers running it together open each item once.
    #[arg(long, env = "MUBIAO_NO_DAILY_SUPERVISION")]
    pub no_daily_supervision: bool,
    /// The bearer token `GET /metrics` (Prometheus) asks for; without one
    /// the server does not serve /metrics.
    #[arg(long, env = "MUBIAO_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    #[command(flatten)]
    pub notify: NotifyConfig,
    #[command(flatten)]
    pub limits: LimitsConfig,
    #[command(flatten)]
    pub connections: ConnectionConfig,
    #[command(flatten)]
    pub sessions: SessionConfig,
}

/// Reminders and webhooks: when the scheduler reminds, how deliveries are
/// retried, and the address people reach the server at (for links in
/// messages). Every server of a deployment should be given the same values.
#[derive(Debug, Clone, Args)]
pub struct NotifyConfig {
    /// Do not run the reminder scheduler on this server (others may).
    #[arg(long, env = "MUBIAO_NO_SCHEDULER")]
    pub no_scheduler: bool,
    /// Seconds between the scheduler's runs (the lease holder's).
    #[arg(long, env = "MUBIAO_SCHEDULER_SECS", default_value_t = 60)]
    pub scheduler_secs: u64,
    /// 催报: days before the due day a unit that has not reported is reminded.
    #[arg(long, env = "MUBIAO_REMIND_DAYS_BEFORE", default_value_t = 3)]
    pub remind_days_before: u32,
    /// Working days after the due day a missing report goes to the target office.
    #[arg(long, env = "MUBIAO_ESCALATE_AFTER_WORKDAYS", default_value_t = 2)]
    pub escalate_after_workdays: u32,
    /// No reminder is written before this time of day (HH:MM, the plan's zone).
    #[arg(long, env = "MUBIAO_REMIND_FROM", default_value = "08:30", value_parser = parse_time)]
    pub remind_from: chrono::NaiveTime,
    /// Do not send webhook deliveries from this server (others may).
    #[arg(long, env = "MUBIAO_NO_WEBHOOKS")]
    pub no_webhooks: bool,
    /// Milliseconds before a failed delivery's first retry, doubled per attempt (at most an hour).
    #[arg(long, env = "MUBIAO_WEBHOOK_RETRY_MS", default_value_t = 30_000)]
    pub webhook_retry_ms: u64,
    /// Attempts before a delivery is dead-lettered.
    #[arg(long, env = "MUBIAO_WEBHOOK_ATTEMPTS", default_value_t = 8)]
    pub webhook_attempts: u32,
    /// Seconds a receiver has to answer.
    #[arg(long, env = "MUBIAO_WEBHOOK_TIMEOUT_SECS", default_value_t = 10)]
    pub webhook_timeout_secs: u64,
    /// The address people open the server at ("http://10.20.1.5:8000"), for
    /// the link in each message; without it messages carry no link.
    #[arg(long, env = "MUBIAO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The SMTP server EMAIL channels send through: `smtps://user:pass@smtp.park.gov.cn:465`,
    /// `smtp://host:587?tls=required`, or `smtp://host:25` inside an intranet.
    #[arg(long, env = "MUBIAO_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of those emails: "目标办 <mubiao@park.gov.cn>".
    #[arg(
        long,
        env = "MUBIAO_SMTP_FROM",
        default_value = "目标责任制管理系统 <mubiao@localhost>"
    )]
    pub smtp_from: String,
}

fn parse_time(s: &str) -> Result<chrono::NaiveTime, String> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| format!("{s:?} is not a time of day (HH:MM)"))
}

impl NotifyConfig {
    pub fn dispatch(&self) -> crate::service::notify::dispatch::DispatchConfig {
        use std::time::Duration;
        crate::service::notify::dispatch::DispatchConfig {
            base_backoff: Duration::from_millis(self.webhook_retry_ms.max(1)),
            max_attempts: self.webhook_attempts.max(1),
            timeout: Duration::from_secs(self.webhook_timeout_secs.max(1)),
            public_url: self.public_url.clone(),
            smtp: self
                .smtp_url
                .clone()
                .map(|url| crate::service::notify::dispatch::SmtpConfig {
                    url,
                    from: self.smtp_from.clone(),
                }),
            ..Default::default()
        }
    }

    pub fn scheduler(&self) -> crate::service::notify::scheduler::SchedulerConfig {
        crate::service::notify::scheduler::SchedulerConfig {
            interval: std::time::Duration::from_secs(self.scheduler_secs.max(1)),
            rules: domain::notify::ReminderRules {
                due_soon_days: self.remind_days_before,
                escalate_after_workdays: self.escalate_after_workdays,
                supervision_due_soon_days: self.remind_days_before,
            },
            not_before: self.remind_from,
            ..Default::default()
        }
    }
}

/// Signing in with a password (`POST /login`) and the sessions it opens.
/// Sessions live in the database, so every server of a deployment must be
/// given the same values.
#[derive(Debug, Clone, Copy, Args)]
pub struct SessionConfig {
    /// Hours a session lasts from sign-in, however busy.
    #[arg(long, env = "MUBIAO_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,
    /// Minutes without a request after which a session ends.
    #[arg(long, env = "MUBIAO_SESSION_IDLE_MINUTES", default_value_t = 120)]
    pub session_idle_minutes: u32,
    /// Wrong passwords in a row under one username that lock it.
    #[arg(long, env = "MUBIAO_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: u32,
    /// Minutes a locked username stays locked (and a quiet spell after
    /// which earlier failures are forgotten).
    #[arg(long, env = "MUBIAO_LOGIN_LOCK_MINUTES", default_value_t = 15)]
    pub login_lock_minutes: u32,
    /// Mark the session cookie `Secure` (sent over HTTPS only). Set it
    /// whenever people reach the server over HTTPS, which is usually a
    /// proxy in front of it: the server never sees TLS itself, and a flag
    /// cannot be forged by a client the way `X-Forwarded-Proto` can.
    #[arg(long, env = "MUBIAO_SECURE_COOKIES")]
    pub secure_cookies: bool,
}

impl SessionConfig {
    pub fn lifetime(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(self.session_hours))
    }

    pub fn idle(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.session_idle_minutes))
    }

    pub fn lock(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.login_lock_minutes))
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            session_hours: 12,
            session_idle_minutes: 120,
            login_max_failures: 5,
            login_lock_minutes: 15,
            secure_cookies: false,
        }
    }
}

/// What one connection may hold of the server: a client that sends its
/// headers a byte at a time, or opens connections and sends nothing, is
/// cut off instead of holding a task and a socket for ever.
#[derive(Debug, Clone, Copy, Args)]
pub struct ConnectionConfig {
    /// Seconds a client has to send a request's headers, counted from when
    /// the server is ready for them (so also how long an idle keep-alive
    /// connection stays open).
    #[arg(long, env = "MUBIAO_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a connection may go without any byte read or written while
    /// no request is being handled on it (a client that stops reading its
    /// answer).
    #[arg(long, env = "MUBIAO_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub idle_timeout_secs: u64,
    /// Seconds an answer may wait for its client to read it (a client that
    /// reads a few bytes now and then would hold it in memory for ever).
    #[arg(long, env = "MUBIAO_WRITE_TIMEOUT_SECS", default_value_t = 120)]
    pub write_timeout_secs: u64,
    /// HTTP connections served at once; more are answered 503 and closed.
    #[arg(long, env = "MUBIAO_MAX_HTTP_CONNECTIONS", default_value_t = 1024)]
    pub max_http_connections: usize,
    /// Seconds a stopping server waits for requests under way to finish.
    #[arg(long, env = "MUBIAO_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
    pub shutdown_grace_secs: u64,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        ConnectionConfig {
            header_timeout_secs: 10,
            idle_timeout_secs: 60,
            write_timeout_secs: 120,
            max_http_connections: 1024,
            shutdown_grace_secs: 30,
        }
    }
}

/// What one request may ask of the server; over a limit the request is
/// refused with a clear error before anything runs.
#[derive(Debug, Clone, Copy, Args)]
pub struct LimitsConfig {
    /// Production mode: no GraphiQL page and no schema introspection.
    #[arg(long, env = "MUBIAO_PRODUCTION")]
    pub production: bool,
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "MUBIAO_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Most fields (complexity points) a query may select.
    #[arg(long, env = "MUBIAO_MAX_COMPLEXITY", default_value_t = 2000)]
    pub max_complexity: usize,
    /// Most operations in one batch request (a JSON array of requests).
    #[arg(long, env = "MUBIAO_MAX_BATCH", default_value_t = 10)]
    pub max_batch: usize,
    /// Largest request body, in bytes.
    #[arg(long, env = "MUBIAO_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Seconds a client has to send a request's body once its headers
    /// arrived; slower is answered 408.
    #[arg(long, env = "MUBIAO_BODY_TIMEOUT_SECS", default_value_t = 30)]
    pub body_timeout_secs: u64,
    /// Distinct dates (asOf) one request may ask figures for.
    #[arg(long, env = "MUBIAO_MAX_DATES", default_value_t = 64)]
    pub max_dates: usize,
    /// Rows of plans and reports one request may hold, each evaluation
    /// counting a plan's rows once more (about 150 bytes each).
    #[arg(long, env = "MUBIAO_MAX_REQUEST_ROWS", default_value_t = 1_000_000)]
    pub max_request_rows: usize,
    /// Values (fields and list items) one answer may hold.
    #[arg(long, env = "MUBIAO_MAX_RESPONSE_VALUES", default_value_t = 200_000)]
    pub max_response_values: usize,
    /// Seconds an import may spend reading its file (SHEET_TOO_LARGE after).
    #[arg(long, env = "MUBIAO_IMPORT_READ_SECS", default_value_t = 20)]
    pub import_read_secs: u64,
    /// Seconds an import waits for the one running (IMPORT_BUSY after).
    #[arg(long, env = "MUBIAO_IMPORT_WAIT_SECS", default_value_t = 10)]
    pub import_wait_secs: u64,
    /// Largest attachment (佐证材料), in bytes; an upload's body may be
    /// this much larger than `max_body_bytes`.
    #[arg(long, env = "MUBIAO_MAX_ATTACHMENT_BYTES", default_value_t = 20 << 20)]
    pub max_attachment_bytes: u64,
    /// Most attachments one supervision item, problem or report holds.
    #[arg(long, env = "MUBIAO_MAX_ATTACHMENTS_PER_ITEM", default_value_t = 20)]
    pub max_attachments_per_item: usize,
    /// Most bytes of attachments one item, problem or report holds.
    #[arg(long, env = "MUBIAO_MAX_ATTACHMENT_BYTES_PER_ITEM", default_value_t = 100 << 20)]
    pub max_attachment_bytes_per_item: u64,
}

impl LimitsConfig {
    pub fn attachment_limits(&self) -> crate::service::attachments::AttachmentLimits {
        crate::service::attachments::AttachmentLimits {
            per_file_bytes: self.max_attachment_bytes,
            per_owner_count: self.max_attachments_per_item,
            per_owner_bytes: self.max_attachment_bytes_per_item,
        }
    }

    /// The largest body of a multipart request (a file upload): a sheet
    /// for `importPlan` or an attachment, with room for the form around it.
    pub fn max_upload_body_bytes(&self) -> usize {
        let attachment = usize::try_from(self.max_attachment_bytes).unwrap_or(usize::MAX);
        self.max_body_bytes.max(attachment.saturating_add(64 << 10))
    }

    pub fn import_timing(&self) -> crate::import::limits::ImportTiming {
        crate::import::limits::ImportTiming {
            read: std::time::Duration::from_secs(self.import_read_secs),
            wait: std::time::Duration::from_secs(self.import_wait_secs),
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            production: false,
            max_depth: 16,
            max_complexity: 2000,
            max_batch: 10,
            max_body_bytes: 1 << 20,
            body_timeout_secs: 30,
            max_dates: 64,
            max_request_rows: 1_000_000,
            max_response_values: 200_000,
            import_read_secs: 20,
            import_wait_secs: 10,
            max_attachment_bytes: 20 << 20,
            max_attachments_per_item: 20,
            max_attachment_bytes_per_item: 100 << 20,
        }
    }
}

impl DatabaseConfig {
    pub fn new(database_url: impl Into<String>) -> Self {
        DatabaseConfig {
            database_url: database_url.into(),
            max_connections: 10,
            schema: None,
        }
    }

    /// The SQLite file behind the URL, if it is a file database.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}
