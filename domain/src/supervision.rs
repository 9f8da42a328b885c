//! 督查督办 and 问题台账: what may happen to a supervision item (督办事项)
//! or a problem (问题) in each of its states, an item's three-colour light
//! (三色督办) as of a date, whether it closed on time against the deadline
//! in force, and the per-unit statistics (办结率, 按期办结率). Pure: the
//! server loads the items and asks.
use chrono::NaiveDate;

use crate::kinds::{Light, spelled};
use crate::refusal::{Refusal, Rule};

/// Where a supervision item stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemState {
    /// 已交办: handed to the lead unit.
    Assigned,
    /// 已签收: the unit has taken it.
    Accepted,
    /// 办理中: at its first feedback (and after a returned closure request).
    InProgress,
    /// 申请办结: the unit asks to close it, with a summary.
    ClosureRequested,
    /// 已办结/销号.
    Closed,
}

spelled!(ItemState {
    Assigned => "ASSIGNED",
    Accepted => "ACCEPTED",
    InProgress => "IN_PROGRESS",
    ClosureRequested => "CLOSURE_REQUESTED",
    Closed => "CLOSED",
});

impl ItemState {
    pub const ALL: [ItemState; 5] = [
        ItemState::Assigned,
        ItemState::Accepted,
        ItemState::InProgress,
        ItemState::ClosureRequested,
        ItemState::Closed,
    ];

    /// The word a clerk reads.
    pub fn zh_name(self) -> &'static str {
        match self {
            ItemState::Assigned => "已交办",
            ItemState::Accepted => "已签收",
            ItemState::InProgress => "办理中",
            ItemState::ClosureRequested => "申请办结",
            ItemState::Closed => "已办结",
        }
    }

    fn en_name(self) -> &'static str {
        match self {
            ItemState::Assigned => "assigned",
            ItemState::Accepted => "accepted",
            ItemState::InProgress => "in progress",
            ItemState::ClosureRequested => "awaiting closure",
            ItemState::Closed => "closed",
        }
    }

    pub fn is_open(self) -> bool {
        self != ItemState::Closed
    }
}

/// Where a supervision item comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemSource {
    /// 领导批示.
    LeaderInstruction,
    /// 会议议定.
    Meeting,
    /// A goal turned red or overdue (opened by `supervise`).
    RedLight,
    /// 督查检查.
    Inspection,
    Other,
}
spelled!(ItemSource {
    LeaderInstruction => "LEADER_INSTRUCTION",
    Meeting => "MEETING",
    RedLight => "RED_LIGHT",
    Inspection => "INSPECTION",
    Other => "OTHER",
});

impl ItemSource {
    pub const ALL: [ItemSource; 5] = [
        ItemSource::LeaderInstruction,
        ItemSource::Meeting,
        ItemSource::RedLight,
        ItemSource::Inspection,
        ItemSource::Other,
    ];

    pub fn zh_name(self) -> &'static str {
        match self {
            ItemSource::LeaderInstruction => "领导批示",
            ItemSource::Meeting => "会议议定",
            ItemSource::RedLight => "红灯预警",
            ItemSource::Inspection => "督查检查",
            ItemSource::Other => "其他",
        }
    }
}

/// How closely an item is followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ItemLevel {
    /// 一般.
    Normal,
    /// 重点.
    Key,
    /// 挂牌督办.
    Listed,
}
spelled!(ItemLevel { Normal => "NORMAL", Key => "KEY", Listed => "LISTED" });

impl ItemLevel {
    pub const ALL: [ItemLevel; 3] = [ItemLevel::Normal, ItemLevel::Key, ItemLevel::Listed];

    pub fn zh_name(self) -> &'static str {
        match self {
            ItemLevel::Normal => "一般",
            ItemLevel::Key => "重点",
            ItemLevel::Listed => "挂牌",
        }
    }
}

/// What can be done to a supervision item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemAction {
    /// 签收, by the lead unit.
    Accept,
    /// 反馈 progress, by the lead unit.
    Feedback,
    /// 申请办结 with a summary, by the lead unit.
    RequestClosure,
    /// 办结/销号, by the target office, on a closure request.
    Close,
    /// 办结 in one step, by the target office, of an automatic item whose
    /// goal is no longer red or overdue (`indicatorRecovered`).
    CloseRecovered,
    /// 退回 a closure request with a reason, by the target office.
    Return,
    /// 催办, by the target office: counted, the state stays.
    Urge,
    /// 申请延期, by the lead unit: the state stays until it is decided.
    RequestExtension,
    /// 重新打开 a closed item, by the target office (audited).
    Reopen,
}

impl ItemAction {
    fn zh_name(self) -> &'static str {
        match self {
            ItemAction::Accept => "签收",
            ItemAction::Feedback => "反馈",
            ItemAction::RequestClosure => "申请办结",
            ItemAction::Close | ItemAction::CloseRecovered => "办结",
            ItemAction::Return => "退回",
            ItemAction::Urge => "催办",
            ItemAction::RequestExtension => "申请延期",
            ItemAction::Reopen => "重新打开",
        }
    }

    fn en_name(self) -> &'static str {
        match self {
            ItemAction::Accept => "accept",
            ItemAction::Feedback => "give feedback on",
            ItemAction::RequestClosure => "request closure of",
            ItemAction::Close | ItemAction::CloseRecovered => "close",
            ItemAction::Return => "return",
            ItemAction::Urge => "urge",
            ItemAction::RequestExtension => "ask an extension for",
            ItemAction::Reopen => "reopen",
        }
    }
}

/// The state an item is in after `action`, or why the action does not
/// start from `state` (`INVALID_TRANSITION`; nothing changes).
/// `recovered`: the item is automatic and its goal is no longer red or
/// overdue, which alone allows [`ItemAction::CloseRecovered`].
pub fn item_after(
    state: ItemState,
    action: ItemAction,
    recovered: bool,
) -> Result<ItemState, Refusal> {
    use ItemAction as A;
    use ItemState as S;
    let next = match (action, state) {
        (A::Accept, S::Assigned) => Some(S::Accepted),
        (A::Feedback, S::Accepted | S::InProgress) => Some(S::InProgress),
        (A::RequestClosure, S::Accepted | S::InProgress) => Some(S::ClosureRequested),
        (A::Close, S::ClosureRequested) => Some(S::Closed),
        (A::CloseRecovered, s) if s.is_open() && recovered => Some(S::Closed),
        (A::Return, S::ClosureRequested) => Some(S::InProgress),
        (A::Urge, s) if s.is_open() => Some(s),
        // More time is asked while the unit works on it: not before it has
        // accepted, not once it has asked to close.
        (A::RequestExtension, s @ (S::Accepted | S::InProgress)) => Some(s),
        (A::Reopen, S::Closed) => Some(S::InProgress),
        _ => None,
    };
    next.ok_or_else(|| {
        let hint_zh = match (action, state) {
            (A::Feedback | A::RequestClosure, S::Assigned) => "，请先签收",
            (A::Close, s) if s.is_open() => "，须先由责任单位申请办结",
            (A::CloseRecovered, s) if s.is_open() => "，指标尚未恢复，须先由责任单位申请办结",
            (_, S::Closed) => "，已办结的事项只能查看，须先重新打开",
            _ => "",
        };
        let hint_en = match (action, state) {
            (A::Feedback | A::RequestClosure, S::Assigned) => "; accept it first",
            (A::Close, s) if s.is_open() => "; the lead unit must request closure first",
            (A::CloseRecovered, s) if s.is_open() => {
                "; its indicator has not recovered, so the lead unit must request closure first"
            }
            (_, S::Closed) => "; a closed item is read-only until reopened",
            _ => "",
        };
        Refusal::new(
            Rule::InvalidTransition,
            format!(
                "督办事项当前为“{}”，不能{}{hint_zh}",
                state.zh_name(),
                action.zh_name()
            ),
            format!(
                "cannot {} an item that is {}{hint_en}",
                action.en_name(),
                state.en_name()
            ),
        )
    })
}

/// Where a problem of the ledger (问题台账) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemState {
    /// 待整改: recorded, nobody has started.
    Open,
    /// 整改中.
    Rectifying,
    /// 待复查: a rectification was submitted with its evidence.
    Recheck,
    /// 已销号: the recheck passed.
    Closed,
}

spelled!(ProblemState {
    Open => "OPEN",
    Rectifying => "RECTIFYING",
    Recheck => "RECHECK",
    Closed => "CLOSED",
});

impl ProblemState {
    pub const ALL: [ProblemState; 4] = [
        ProblemState::Open,
        ProblemState::Rectifying,
        ProblemState::Recheck,
        ProblemState::Closed,
    ];

    pub fn zh_name(self) -> &'static str {
        match self {
            ProblemState::Open => "待整改",
            ProblemState::Rectifying => "整改中",
            ProblemState::Recheck => "待复查",
            ProblemState::Closed => "已销号",
        }
    }

    fn en_name(self) -> &'static str {
        match self {
            ProblemState::Open => "open",
            ProblemState::Rectifying => "being rectified",
            ProblemState::Recheck => "awaiting recheck",
            ProblemState::Closed => "closed",
        }
    }
}

/// How serious a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemSeverity {
    /// 一般.
    General,
    /// 较大.
    Major,
    /// 重大.
    Serious,
}
spelled!(ProblemSeverity { General => "GENERAL", Major => "MAJOR", Serious => "SERIOUS" });

/// How a problem was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemSource {
    /// 检查.
    Check,
    /// 巡查.
    Patrol,
    /// 信访.
    Petition,
    /// 上级督查.
    HigherInspection,
    /// 自查.
    SelfCheck,
}
spelled!(ProblemSource {
    Check => "CHECK",
    Patrol => "PATROL",
    Petition => "PETITION",
    HigherInspection => "HIGHER_INSPECTION",
    SelfCheck => "SELF_CHECK",
});

/// Problems found and closed, and the closure rate.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProblemTally {
    pub found: u32,
    pub closed: u32,
}

impl ProblemTally {
    /// Counts one problem found in the period, closed by its end or not.
    pub fn add(&mut self, closed: bool) {
        self.found += 1;
        self.closed += u32::from(closed);
    }

    /// closed / found × 100; `None` with nothing found.
    pub fn closure_rate(&self) -> Option<f64> {
        (self.found > 0).then(|| f64::from(self.closed) / f64::from(self.found) * 100.0)
    }
}

/// A problem is overdue on `date` when that is past its deadline and it
/// was not closed (销号) by then.
/// How far from its plan's year a problem's dates may lie: a problem found
/// years ago may still be open (旧账), but not in year 1, and a deadline a
/// decade out is a typing slip, not a plan.
pub const PROBLEM_YEARS_BACK: i32 = 10;
pub const PROBLEM_YEARS_AHEAD: i32 = 3;

/// The dates of a recorded problem: found no later than today and not
/// before [`PROBLEM_YEARS_BACK`] years ahead of the plan's year; due no
/// earlier than found and within [`PROBLEM_YEARS_AHEAD`] years after it.
pub fn check_problem_dates(
    found_on: NaiveDate,
    deadline: NaiveDate,
    today: NaiveDate,
    plan_year: i32,
) -> Result<(), Refusal> {
    let earliest = NaiveDate::from_ymd_opt(plan_year - PROBLEM_YEARS_BACK, 1, 1);
    let latest = NaiveDate::from_ymd_opt(plan_year + PROBLEM_YEARS_AHEAD, 12, 31);
    if found_on > today {
        return Err(Refusal::new(
            Rule::InvalidValue,
            format!("发现日期 {found_on} 晚于今天（{today}）"),
            format!("foundOn {found_on} is after today ({today})"),
        ));
    }
    if let Some(earliest) = earliest.filter(|e| found_on < *e) {
        return Err(Refusal::new(
            Rule::InvalidValue,
            format!("发现日期 {found_on} 早于 {earliest}，请检查是否填错"),
            format!("foundOn {found_on} is before {earliest}; check it"),
        ));
    }
    if deadline < found_on {
        return Err(Refusal::new(
            Rule::InvalidValue,
            format!("整改时限 {deadline} 早于发现日期 {found_on}"),
            format!("deadline {deadline} is before the day it was found ({found_on})"),
        ));
    }
    if let Some(latest) = latest.filter(|l| deadline > *l) {
        return Err(Refusal::new(
            Rule::InvalidValue,
            format!("整改时限 {deadline} 晚于 {latest}，请检查是否填错"),
            format!("deadline {deadline} is after {latest}; check it"),
        ));
    }
    Ok(())
}

/// Whether a closed problem was closed (销号) on or before its deadline;
/// `None` while it is open.
pub fn problem_closed_on_time(deadline: NaiveDate, closed_on: Option<NaiveDate>) -> Option<bool> {
    closed_on.map(|c| c <= deadline)
}

pub fn problem_overdue(deadline: NaiveDate, closed_on: Option<NaiveDate>, date: NaiveDate) -> bool {
    date > deadline && closed_on.is_none_or(|c| c > date)
}

/// Whether a problem found on `found_on` counts in the period `from`..=`to`
/// of the ledger's figures, and if so whether it was closed by `to`.
pub fn problem_in_period(
    found_on: NaiveDate,
    closed_on: Option<NaiveDate>,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<bool> {
    (from..=to)
        .contains(&found_on)
        .then(|| closed_on.is_some_and(|c| c <= to))
}

/// What can be done to a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemAction {
    /// 开始整改, by the responsible unit.
    StartRectifying,
    /// 提交整改 with evidence, by the responsible unit.
    SubmitRectification,
    /// 复查通过 → 销号, by the target office.
    RecheckPassed,
    /// 复查未通过 → back to 整改中, by the target office.
    RecheckFailed,
    /// 升级为督办, by the target office: the state stays.
    Escalate,
}

impl ProblemAction {
    fn zh_name(self) -> &'static str {
        match self {
            ProblemAction::StartRectifying => "开始整改",
            ProblemAction::SubmitRectification => "提交整改",
            ProblemAction::RecheckPassed | ProblemAction::RecheckFailed => "复查",
            ProblemAction::Escalate => "升级为督办",
        }
    }

    fn en_name(self) -> &'static str {
        match self {
            ProblemAction::StartRectifying => "start rectifying",
            ProblemAction::SubmitRectification => "submit a rectification of",
            ProblemAction::RecheckPassed | ProblemAction::RecheckFailed => "recheck",
            ProblemAction::Escalate => "escalate",
        }
    }
}

/// The state a problem is in after `action`, or why not (`INVALID_TRANSITION`).
/// A rectification may be submitted straight from 待整改 (the work was done
/// before anyone pressed 开始整改).
pub fn problem_after(state: ProblemState, action: ProblemAction) -> Result<ProblemState, Refusal> {
    use ProblemAction as A;
    use ProblemState as S;
    let next = match (action, state) {
        (A::StartRectifying, S::Open) => Some(S::Rectifying),
        (A::SubmitRectification, S::Open | S::Rectifying) => Some(S::Recheck),
        (A::RecheckPassed, S::Recheck) => Some(S::Closed),
        (A::RecheckFailed, S::Recheck) => Some(S::Rectifying),
        (A::Escalate, s) if s != S::Closed => Some(s),
        _ => None,
    };
    next.ok_or_else(|| {
        Refusal::new(
            Rule::InvalidTransition,
            format!("问题当前为“{}”，不能{}", state.zh_name(), action.zh_name()),
            format!(
                "cannot {} a problem that is {}",
                action.en_name(),
                state.en_name()
            ),
        )
    })
}

/// How the lights of items are set; each park may change them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemLightRules {
    /// YELLOW when no feedback came within this many days (default 15).
    pub feedback_cycle_days: i64,
    /// BLUE when the deadline is this many days away or fewer (default 7).
    pub due_soon_days: i64,
}

impl Default for ItemLightRules {
    fn default() -> Self {
        ItemLightRules {
            feedback_cycle_days: 15,
            due_soon_days: 7,
        }
    }
}

/// An approved extension: from `decided_on` the item is due on `new_deadline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension {
    pub decided_on: NaiveDate,
    pub new_deadline: NaiveDate,
}

/// What judging an item needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemFacts {
    pub state: ItemState,
    /// The day it was handed over (交办).
    pub assigned_on: NaiveDate,
    /// The deadline it was given.
    pub deadline: NaiveDate,
    /// Approved extensions, any order.
    pub extensions: Vec<Extension>,
    /// Days feedback came in (反馈 and 申请办结), any order.
    pub feedback_on: Vec<NaiveDate>,
    /// The day it was closed, while it is closed.
    pub closed_on: Option<NaiveDate>,
}

impl ItemFacts {
    /// The deadline in force on `date`: the last extension approved on or
    /// before it, else the deadline it was given. Both are kept.
    pub fn deadline_on(&self, date: NaiveDate) -> NaiveDate {
        self.extensions
            .iter()
            .filter(|e| e.decided_on <= date)
            .max_by_key(|e| e.decided_on)
            .map_or(self.deadline, |e| e.new_deadline)
    }

    /// Closed as of `date`.
    pub fn closed_by(&self, date: NaiveDate) -> bool {
        self.closed_on.is_some_and(|d| d <= date)
    }

    /// Closed on or before the deadline in force on the day it closed.
    pub fn closed_on_time(&self) -> Option<bool> {
        self.closed_on.map(|d| d <= self.deadline_on(d))
    }

    /// Open on `date` and past the deadline in force that day.
    pub fn overdue_on(&self, date: NaiveDate) -> bool {
        date >= self.assigned_on && !self.closed_by(date) && date > self.deadline_on(date)
    }

    /// The last feedback on or before `date`.
    fn last_feedback_by(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.feedback_on
            .iter()
            .copied()
            .filter(|d| *d <= date)
            .max()
    }
}

/// The three-colour light of an item as of `date` (三色督办): RED when
/// overdue; YELLOW when no feedback came within the feedback cycle (counted
/// from the last feedback, or from the handover before any); BLUE when
/// the deadline is near; else GREEN. A closed item has none.
pub fn item_light(item: &ItemFacts, date: NaiveDate, rules: ItemLightRules) -> Option<Light> {
    // Before it was handed over there is nothing to light.
    if item.closed_by(date) || date < item.assigned_on {
        return None;
    }
    let deadline = item.deadline_on(date);
    if date > deadline {
        return Some(Light::Red);
    }
    let since = item.last_feedback_by(date).unwrap_or(item.assigned_on);
    if (date - since).num_days() > rules.feedback_cycle_days {
        return Some(Light::Yellow);
    }
    if (deadline - date).num_days() <= rules.due_soon_days {
        return Some(Light::Blue);
    }
    Some(Light::Green)
}

/// A unit's supervision figures as of a date.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ItemStats {
    /// Items handed to the unit on or before the date.
    pub assigned: u32,
    /// Of those, closed by the date.
    pub closed: u32,
    /// Of those closed, closed on or before the deadline in force then.
    pub closed_on_time: u32,
    /// Open on the date and past their deadline.
    pub overdue: u32,
    /// Items that should be finished by the date: closed, or due by then.
    pub due: u32,
}

impl ItemStats {
    /// 办结率: closed / assigned × 100; `None` with nothing assigned.
    pub fn closure_rate(&self) -> Option<f64> {
        (self.assigned > 0).then(|| f64::from(self.closed) / f64::from(self.assigned) * 100.0)
    }

    /// 按期办结率: closed on time / the items that should be finished by
    /// the date (closed ones and those already due) × 100; `None` when
    /// nothing is due yet. An item not due yet is no failure of time.
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.closed_on_time) / f64::from(self.due) * 100.0)
    }
}

/// The figures of a unit's items as of `date`.
pub fn item_stats<'a>(
    items: impl IntoIterator<Item = &'a ItemFacts>,
    date: NaiveDate,
) -> ItemStats {
    let mut stats = ItemStats::default();
    for item in items.into_iter().filter(|i| i.assigned_on <= date) {
        stats.assigned += 1;
        let closed = item.closed_by(date);
        if closed {
            stats.closed += 1;
            if item.closed_on_time() == Some(true) {
                stats.closed_on_time += 1;
            }
        }
        if item.overdue_on(date) {
            stats.overdue += 1;
        }
        if closed || item.deadline_on(date) <= date {
            stats.due += 1;
        }
    }
    stats
}

/// Whether a goal judged `light` with `overdue` status calls for an
/// automatic (RED_LIGHT) item: red or overdue. The same test, negated,
/// is an item's `indicatorRecovered`.
pub fn goal_needs_supervision(light: Light, overdue: bool) -> bool {
    light == Light::Red || overdue
}

#[cfg(test)]
mod tests;
