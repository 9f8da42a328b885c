//! The one error type. Every error a client can see carries a stable
//! machine-readable code in `extensions.code`; internal failures are logged
//! with their detail and reach the client only as `INTERNAL`.
use std::fmt;

use domain::{Lang, Message};

/// A sheet's problem with its cell, carried by `AppError::Sheet`.
mod problem;
pub use problem::Problem;

/// Stable codes, part of the API contract: clients switch on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No token, or an unknown, revoked or expired one.
    Unauthenticated,
    /// A valid token without the right to do this to this object.
    Forbidden,
    /// The object named by an ID does not exist (or is archived).
    NotFound,
    /// A malformed date (not `YYYY-MM-DD`) or another unparsable scalar.
    InvalidDate,
    /// A target of 0, or a target where the kind has none / lacks one.
    InvalidTarget,
    /// A negative, non-finite or empty value where it makes no sense.
    InvalidValue,
    /// A deadline outside the plan period.
    DeadlineOutsidePlan,
    /// A milestone due outside the plan period.
    MilestoneOutsidePlan,
    /// A report dated before the plan starts or after it ends.
    ReportOutsidePlan,
    /// Plan start/end dates that are reversed or span more than the year.
    InvalidPlanPeriod,
    /// An unknown IANA time zone.
    InvalidTimeZone,
    /// A write to an archived goal, assignment, milestone or plan.
    Archived,
    /// A write to a CLOSED plan (the year is settled).
    PlanClosed,
    /// A report or completion on a plan still in DRAFT.
    PlanNotActive,
    /// A lifecycle step that does not start from the plan's state.
    InvalidTransition,
    /// DECREASE on a goal that is not a RATE goal.
    DirectionNotAllowed,
    /// An assignment of a GROUP goal.
    GroupNotAssignable,
    /// The operation does not fit the goal's kind (a report on a MILESTONE
    /// goal, a milestone on a CUMULATIVE goal, a sub-goal of a RATE goal…).
    KindMismatch,
    /// Sub-goals of a CUMULATIVE goal must share its measure unit.
    MeasureUnitMismatch,
    /// A parent goal in another plan.
    ParentInOtherPlan,
    /// A change that would make a unit or goal its own ancestor.
    Cycle,
    /// The unit already carries this goal, or a sibling unit has the name.
    Duplicate,
    /// A goal cannot both be broken into sub-goals and assigned to units.
    StructureConflict,
    /// The request itself is malformed (GraphQL syntax, unknown field…).
    BadRequest,
    /// The selection is nested deeper than the server allows.
    QueryTooDeep,
    /// The selection asks for more fields than the server allows.
    QueryTooComplex,
    /// A spreadsheet with problems; each is listed in `extensions.problems`
    /// with its row, column and one of the codes below. Nothing was imported.
    SheetInvalid,
    /// The file is not an .xlsx workbook or CSV text.
    UnreadableFile,
    /// A file beyond what an import reads (`import::limits`): too many
    /// rows, columns, cells with a value, merged regions or shared
    /// strings, too much text, a workbook that unpacks too large or too
    /// compressed (a zip bomb), or one that took longer than the time
    /// allowed. The message names the limit. Nothing was imported.
    SheetTooLarge,
    /// Another import is running on this server and did not finish in
    /// time; the import was not started. Try again.
    ImportBusy,
    /// The sheet lacks a column it needs (目标任务).
    MissingColumn,
    /// A cell that should hold a number, a kind or a direction does not.
    UnreadableValue,
    /// A date that could mean more than one day ("10月之前").
    AmbiguousDate,
    /// The same 序号 twice under one heading.
    DuplicateCode,
    /// A 序号 like 3.1 with no goal 3 above it.
    BadNumbering,
    /// A row with values but no 目标任务, or a 节点时限 without its 节点.
    MissingTitle,
    /// A unit name that matches no unit (and creating units was not asked).
    UnknownUnit,
    /// An import into a plan that already has goals.
    PlanNotEmpty,
    /// More than one plan fits (an import by year that several plans match).
    AmbiguousPlan,
    /// More operations in one batch than the server allows.
    BatchTooLarge,
    /// A request body larger than the server accepts.
    BodyTooLarge,
    /// A text longer than its field holds; the message names the field and
    /// the limit.
    TooLong,
    /// A text with control or bidirectional-override characters.
    InvalidText,
    /// A number no park reports or plans: beyond ±10^12, a target closer
    /// to zero than 10^-6, or a cumulative report above 1,000 times its
    /// assignment's target.
    ImplausibleValue,
    /// A request asking about more distinct dates than the server allows.
    TooManyDates,
    /// A request that would load and judge more rows than the server allows.
    QueryTooExpensive,
    /// An answer that would hold more values than the server sends.
    ResponseTooLarge,
    /// A report dated after today in the plan's time zone.
    ReportInFuture,
    /// An idempotency key sent again with a different report.
    IdempotencyKeyReused,
    /// The request did not arrive in time (a body sent too slowly).
    RequestTimeout,
    /// The server is at its connection limit; try again in a moment.
    ServerBusy,
    /// A write carried by the session cookie without the header
    /// `X-Requested-With: mubiao` (what a page of ours sends and a form on
    /// another site cannot): 403, nothing done.
    CsrfRefused,
    /// The signed-in account must choose a new password first: until then
    /// its session may only ask `me` and `changePassword`.
    PasswordChangeRequired,
    /// A new password shorter than 8 characters.
    PasswordTooShort,
    /// `changePassword` with a current password that is not the account's.
    WrongPassword,
    /// Too many wrong passwords under this username: refused until the
    /// lock ends, right password or not.
    AccountLocked,
    /// An attachment that is not PDF/OFD, an image or an Office/WPS
    /// document by its bytes, or whose name says another kind.
    AttachmentTypeNotAllowed,
    /// An attachment over the per-file limit, or more than one item,
    /// report or problem may hold.
    AttachmentTooLarge,
    /// A live connection asked for more subscriptions than one may hold.
    TooManySubscriptions,
    /// Something failed on our side; details are in the server log.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::InvalidDate => "INVALID_DATE",
            ErrorCode::InvalidTarget => "INVALID_TARGET",
            ErrorCode::InvalidValue => "INVALID_VALUE",
            ErrorCode::DeadlineOutsidePlan => "DEADLINE_OUTSIDE_PLAN",
            ErrorCode::MilestoneOutsidePlan => "MILESTONE_OUTSIDE_PLAN",
            ErrorCode::ReportOutsidePlan => "REPORT_OUTSIDE_PLAN",
            ErrorCode::InvalidPlanPeriod => "INVALID_PLAN_PERIOD",
            ErrorCode::InvalidTimeZone => "INVALID_TIME_ZONE",
            ErrorCode::Archived => "ARCHIVED",
            ErrorCode::PlanClosed => "PLAN_CLOSED",
            ErrorCode::PlanNotActive => "PLAN_NOT_ACTIVE",
            ErrorCode::InvalidTransition => "INVALID_TRANSITION",
            ErrorCode::DirectionNotAllowed => "DIRECTION_NOT_ALLOWED",
            ErrorCode::GroupNotAssignable => "GROUP_NOT_ASSIGNABLE",
            ErrorCode::KindMismatch => "KIND_MISMATCH",
            ErrorCode::MeasureUnitMismatch => "MEASURE_UNIT_MISMATCH",
            ErrorCode::ParentInOtherPlan => "PARENT_IN_OTHER_PLAN",
            ErrorCode::Cycle => "CYCLE",
            ErrorCode::Duplicate => "DUPLICATE",
            ErrorCode::StructureConflict => "STRUCTURE_CONFLICT",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::QueryTooDeep => "QUERY_TOO_DEEP",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::SheetInvalid => "SHEET_INVALID",
            ErrorCode::UnreadableFile => "UNREADABLE_FILE",
            ErrorCode::SheetTooLarge => "SHEET_TOO_LARGE",
            ErrorCode::ImportBusy => "IMPORT_BUSY",
            ErrorCode::MissingColumn => "MISSING_COLUMN",
            ErrorCode::UnreadableValue => "UNREADABLE_VALUE",
            ErrorCode::AmbiguousDate => "AMBIGUOUS_DATE",
            ErrorCode::DuplicateCode => "DUPLICATE_CODE",
            ErrorCode::BadNumbering => "BAD_NUMBERING",
            ErrorCode::MissingTitle => "MISSING_TITLE",
            ErrorCode::UnknownUnit => "UNKNOWN_UNIT",
            ErrorCode::PlanNotEmpty => "PLAN_NOT_EMPTY",
            ErrorCode::AmbiguousPlan => "AMBIGUOUS_PLAN",
            ErrorCode::BatchTooLarge => "BATCH_TOO_LARGE",
            ErrorCode::BodyTooLarge => "BODY_TOO_LARGE",
            ErrorCode::TooLong => "TOO_LONG",
            ErrorCode::InvalidText => "INVALID_TEXT",
            ErrorCode::ImplausibleValue => "IMPLAUSIBLE_VALUE",
            ErrorCode::TooManyDates => "TOO_MANY_DATES",
            ErrorCode::QueryTooExpensive => "QUERY_TOO_EXPENSIVE",
            ErrorCode::ResponseTooLarge => "RESPONSE_TOO_LARGE",
            ErrorCode::ReportInFuture => "REPORT_IN_FUTURE",
            ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::RequestTimeout => "REQUEST_TIMEOUT",
            ErrorCode::ServerBusy => "SERVER_BUSY",
            ErrorCode::CsrfRefused => "CSRF_REFUSED",
            ErrorCode::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            ErrorCode::AttachmentTypeNotAllowed => "ATTACHMENT_TYPE_NOT_ALLOWED",
            ErrorCode::AttachmentTooLarge => "ATTACHMENT_TOO_LARGE",
            ErrorCode::TooManySubscriptions => "TOO_MANY_SUBSCRIPTIONS",
            ErrorCode::PasswordTooShort => "PASSWORD_TOO_SHORT",
            ErrorCode::WrongPassword => "WRONG_PASSWORD",
            ErrorCode::AccountLocked => "ACCOUNT_LOCKED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was refused; the message says why, in terms the user knows.
    #[error("{message}")]
    Rejected { code: ErrorCode, message: Message },
    #[error("{entity} {id} does not exist")]
    NotFound { entity: &'static str, id: String },
    /// A spreadsheet that cannot be imported: its first problems, each with
    /// its cell, and how many more there are.
    #[error("the sheet has {} problem(s) to fix; nothing was imported", problems.len() + more)]
    Sheet { problems: Vec<Problem>, more: usize },
    /// A failure of ours; the detail is for the log only.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// Input refused, with what the person who gave it reads (Chinese
    /// unless they asked for English).
    pub fn refused(code: ErrorCode, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Rejected {
            code,
            message: Message::new(zh, en),
        }
    }

    pub fn not_found(entity: &'static str, id: impl fmt::Display) -> Self {
        AppError::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn internal(detail: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal(detail.into())
    }

    /// What the person reads, in their language; never an internal detail.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (AppError::Rejected { message, .. }, _) => message.get(lang).to_string(),
            (AppError::NotFound { entity, id }, Lang::Zh) => {
                format!("{}（{id}）不存在或已归档", entity_in_chinese(entity))
            }
            (AppError::Sheet { problems, more }, Lang::Zh) => format!(
                "表格中有 {} 处需要修改，未导入任何内容",
                problems.len() + more
            ),
            (AppError::Internal(_), Lang::Zh) => "服务器内部错误".to_string(),
            (other, Lang::En) => other.to_string(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Rejected { code, .. } => *code,
            AppError::NotFound { .. } => ErrorCode::NotFound,
            AppError::Sheet { .. } => ErrorCode::SheetInvalid,
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<domain::Refusal> for AppError {
    fn from(refusal: domain::Refusal) -> Self {
        use domain::Rule;
        let code = match refusal.rule {
            Rule::InvalidValue => ErrorCode::InvalidValue,
            Rule::InvalidTarget => ErrorCode::InvalidTarget,
            Rule::ImplausibleValue => ErrorCode::ImplausibleValue,
            Rule::TooLong => ErrorCode::TooLong,
            Rule::InvalidText => ErrorCode::InvalidText,
            Rule::DirectionNotAllowed => ErrorCode::DirectionNotAllowed,
            Rule::KindMismatch => ErrorCode::KindMismatch,
            Rule::InvalidPlanPeriod => ErrorCode::InvalidPlanPeriod,
            Rule::ReportInFuture => ErrorCode::ReportInFuture,
            Rule::DeadlineOutsidePlan => ErrorCode::DeadlineOutsidePlan,
            Rule::MilestoneOutsidePlan => ErrorCode::MilestoneOutsidePlan,
            Rule::ReportOutsidePlan => ErrorCode::ReportOutsidePlan,
            Rule::InvalidTransition => ErrorCode::InvalidTransition,
            Rule::FileTypeNotAllowed => ErrorCode::AttachmentTypeNotAllowed,
            Rule::FileTooLarge => ErrorCode::AttachmentTooLarge,
        };
        AppError::Rejected {
            code,
            message: refusal.message,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        // The unique indexes stand behind the service's own duplicate
        // checks: a create that raced past a check on another server
        // meets them, and is refused like the check would have.
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) = err.sql_err()
            && let Some(message) = duplicate_message(&detail)
        {
            return AppError::Rejected {
                code: ErrorCode::Duplicate,
                message,
            };
        }
        AppError::Internal(Box::new(err))
    }
}

/// What a violated unique index means to the person who hit it, by the
/// index's name (both databases name it in their message).
fn duplicate_message(detail: &str) -> Option<Message> {
    // PostgreSQL names the index; SQLite names its columns.
    if detail.contains("supervision_item_open_auto_goal")
        || detail.contains("supervision_item.auto_goal_id")
    {
        Some(Message::new(
            "该目标任务已有一项未办结的红灯督办",
            "the goal already has an open automatic supervision item",
        ))
    } else if detail.contains("unit_name_under_parent") {
        Some(Message::new(
            "同一上级单位下已有同名单位",
            "a unit of that name already exists under the same parent",
        ))
    } else if detail.contains("account.username_key") || detail.contains("account_username_key") {
        Some(Message::new(
            "已有同名用户（用户名不区分大小写）",
            "an account of that username already exists (usernames ignore case)",
        ))
    } else if detail.contains("assignment_unit_of_goal") {
        Some(Message::new(
            "该单位已承担这项目标的分解任务，请修改原有分解",
            "this unit already carries a share of the goal; update that assignment instead",
        ))
    } else {
        None
    }
}

/// The object a NotFound names, as a clerk calls it.
fn entity_in_chinese(entity: &str) -> &'static str {
    match entity {
        "plan" => "目标计划",
        "goal" => "目标任务",
        "assignment" => "分解任务",
        "unit" => "单位",
        "report" => "填报记录",
        "milestone" => "节点",
        "token" => "令牌",
        "user" => "用户",
        "supervision item" => "督办事项",
        "extension request" => "延期申请",
        "problem" => "问题",
        "webhook" => "推送设置",
        "delivery" => "推送记录",
        "notification" => "通知",
        _ => "对象",
    }
}

impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(err: sea_orm::TransactionError<AppError>) -> Self {
        match err {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
