//! Reminders and notifications: which events there are, when the
//! scheduler writes a reporting reminder or a light's alert, how long a
//! failed delivery waits, and the Chinese a group robot posts.
//!
//! Every function is pure: the scheduler gathers the facts (a unit's
//! counts for the month, the day, the last light seen) and writes what
//! these say, under keys that make a second run write nothing.
use std::time::Duration;

use chrono::{Datelike, NaiveDate};

use crate::calendar::UnitCounts;
use crate::kinds::Light;

/// What happened. The names are the API's and the outbox's spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// A webhook's test message (`testWebhook`).
    Test,
}

impl EventKind {
    pub const ALL: [EventKind; 11] = [
        EventKind::ReportDueSoon,
        EventKind::ReportMissing,
        EventKind::ReportReturned,
        EventKind::ReportApproved,
        EventKind::LightChanged,
        EventKind::MilestoneOverdue,
        EventKind::SupervisionAssigned,
        EventKind::SupervisionDueSoon,
        EventKind::SupervisionOverdue,
        EventKind::SupervisionReturned,
        EventKind::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ReportDueSoon => "REPORT_DUE_SOON",
            EventKind::ReportMissing => "REPORT_MISSING",
            EventKind::ReportReturned => "REPORT_RETURNED",
            EventKind::ReportApproved => "REPORT_APPROVED",
            EventKind::LightChanged => "LIGHT_CHANGED",
            EventKind::MilestoneOverdue => "MILESTONE_OVERDUE",
            EventKind::SupervisionAssigned => "SUPERVISION_ASSIGNED",
            EventKind::SupervisionDueSoon => "SUPERVISION_DUE_SOON",
            EventKind::SupervisionOverdue => "SUPERVISION_OVERDUE",
            EventKind::SupervisionReturned => "SUPERVISION_RETURNED",
            EventKind::Test => "TEST",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// When the scheduler reminds and escalates (the operator's settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReminderRules {
    /// REPORT_DUE_SOON from this many days before the due day.
    pub due_soon_days: u32,
    /// REPORT_MISSING goes to the office once the report is this many
    /// working days past its due day.
    pub escalate_after_workdays: u32,
    /// SUPERVISION_DUE_SOON from this many days before an item's deadline.
    pub supervision_due_soon_days: u32,
}

impl Default for ReminderRules {
    fn default() -> Self {
        ReminderRules {
            due_soon_days: 3,
            escalate_after_workdays: 2,
            supervision_due_soon_days: 3,
        }
    }
}

/// A reporting reminder for one unit and month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reminder {
    /// To the unit: shares not yet reported, the due day near.
    DueSoon { pending: u32, days_left: i64 },
    /// To the unit: the due day passed with shares unreported.
    Missing { missing: u32, days_late: i64 },
    /// To the office: still missing after the grace period.
    Escalated { missing: u32, days_late: i64 },
}

/// The reminders a unit's counts for a month call for on `today`, the
/// report being due on `due` and the grace period ending on `escalate_on`
/// (the due day plus the working days of the rules). A unit that has
/// reported every share gets none: reminders go only to who owes.
pub fn reminders(
    counts: &UnitCounts,
    today: NaiveDate,
    due: NaiveDate,
    escalate_on: NaiveDate,
    rules: &ReminderRules,
) -> Vec<Reminder> {
    let days_left = (due - today).num_days();
    let mut out = Vec::new();
    if counts.pending > 0 && (0..=i64::from(rules.due_soon_days)).contains(&days_left) {
        out.push(Reminder::DueSoon {
            pending: counts.pending,
            days_left,
        });
    }
    if counts.missing > 0 && today > due {
        let days_late = (today - due).num_days();
        out.push(Reminder::Missing {
            missing: counts.missing,
            days_late,
        });
        if today > escalate_on {
            out.push(Reminder::Escalated {
                missing: counts.missing,
                days_late,
            });
        }
    }
    out
}

/// Whether a goal seen `now` after being seen `before` has turned YELLOW
/// or RED. The first sighting is the baseline, not a change: a server
/// started on a plan full of red goals does not post them all at once.
pub fn light_turned(before: Option<Light>, now: Light) -> bool {
    match before {
        None => false,
        Some(before) => before != now && matches!(now, Light::Yellow | Light::Red),
    }
}

/// Whether an open item's deadline is near (SUPERVISION_DUE_SOON) or past
/// (SUPERVISION_OVERDUE) on `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineAlert {
    DueSoon { days_left: i64 },
    Overdue { days_late: i64 },
}

pub fn deadline_alert(
    deadline: NaiveDate,
    today: NaiveDate,
    soon_days: u32,
) -> Option<DeadlineAlert> {
    let days_left = (deadline - today).num_days();
    if days_left < 0 {
        Some(DeadlineAlert::Overdue {
            days_late: -days_left,
        })
    } else if days_left <= i64::from(soon_days) {
        Some(DeadlineAlert::DueSoon { days_left })
    } else {
        None
    }
}

/// How long a delivery that failed its `attempts`th attempt waits before
/// the next: `base` doubled per attempt, at most `cap`.
pub fn backoff(attempts: u32, base: Duration, cap: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(30);
    base.saturating_mul(1u32 << doublings).min(cap)
}

/// "2025年10月".
pub fn month_words(month: NaiveDate) -> String {
    format!("{}年{}月", month.year(), month.month())
}

/// "10月9日（周四）".
pub fn day_words(day: NaiveDate) -> String {
    const WEEK: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    format!(
        "{}月{}日（周{}）",
        day.month(),
        day.day(),
        WEEK[day.weekday().num_days_from_monday() as usize]
    )
}

/// A light as the office says it.
pub fn light_words(light: Light) -> &'static str {
    match light {
        Light::Green => "绿灯",
        Light::Blue => "蓝灯",
        Light::Yellow => "黄灯",
        Light::Red => "红灯",
    }
}

/// The title and body of a reporting reminder.
pub fn reminder_text(
    reminder: &Reminder,
    plan: &str,
    unit: &str,
    month: NaiveDate,
    due: NaiveDate,
) -> (String, String) {
    let month = month_words(month);
    let due_words = day_words(due);
    match *reminder {
        Reminder::DueSoon { pending, days_left } => (
            format!("【催报提醒】{unit}：{month}进度请于{due_words}前报送"),
            format!(
                "{plan}\n{unit}还有 {pending} 项目标未报送{month}进度，截止 {due_words}，{}。",
                if days_left == 0 {
                    "今天截止".to_string()
                } else {
                    format!("还有 {days_left} 天")
                }
            ),
        ),
        Reminder::Missing { missing, days_late } => (
            format!("【未报提醒】{unit}：{month}进度逾期未报"),
            format!(
                "{plan}\n{unit}有 {missing} 项目标的{month}进度未报送，截止日 {due_words} 已过 {days_late} 天，请尽快填报。"
            ),
        ),
        Reminder::Escalated { missing, days_late } => (
            format!("【未报升级】{unit}逾期 {days_late} 天未报{month}进度"),
            format!(
                "{plan}\n{unit}有 {missing} 项目标的{month}进度仍未报送（截止 {due_words}，已逾期 {days_late} 天），请目标办督促。"
            ),
        ),
    }
}

/// The title and body of a goal's light turning yellow or red.
pub struct LightFacts<'a> {
    pub plan: &'a str,
    pub goal: &'a str,
    pub lead_unit: Option<&'a str>,
    pub before: Light,
    pub now: Light,
    pub date: NaiveDate,
    /// Completion and time progress, in percent.
    pub completion: Option<f64>,
    pub time_progress: Option<f64>,
}

pub fn light_text(f: &LightFacts<'_>) -> (String, String) {
    let title = format!("【{}预警】{}", light_words(f.now), f.goal);
    let mut body = format!(
        "{}\n“{}”由{}转为{}（截至 {}）",
        f.plan,
        f.goal,
        light_words(f.before),
        light_words(f.now),
        f.date
    );
    if let (Some(c), Some(e)) = (f.completion, f.time_progress) {
        body.push_str(&format!(
            "：完成 {}%，序时进度 {}%，落后 {} 个百分点",
            one_decimal(c),
            one_decimal(e),
            one_decimal((e - c).max(0.0))
        ));
    }
    body.push('。');
    if let Some(lead) = f.lead_unit {
        body.push_str(&format!("\n责任单位：{lead}"));
    }
    (title, body)
}

/// The title and body of a milestone past its due day, not done.
pub fn milestone_text(
    plan: &str,
    goal: &str,
    milestone: &str,
    due: NaiveDate,
    days_late: i64,
    lead_unit: Option<&str>,
) -> (String, String) {
    let mut body =
        format!("{plan}\n“{goal}”的节点“{milestone}”应于 {due} 完成，已逾期 {days_late} 天。");
    if let Some(lead) = lead_unit {
        body.push_str(&format!("\n责任单位：{lead}"));
    }
    (format!("【节点逾期】{goal}：{milestone}"), body)
}

/// The title and body of a supervision event.
pub fn supervision_text(
    kind: EventKind,
    title: &str,
    lead_unit: &str,
    deadline: NaiveDate,
    detail: Option<&str>,
    today: NaiveDate,
) -> (String, String) {
    let days = (deadline - today).num_days();
    let (head, line) = match kind {
        EventKind::SupervisionAssigned => (
            "督办交办",
            format!("牵头单位：{lead_unit}，办理时限 {deadline}。请及时签收办理。"),
        ),
        EventKind::SupervisionDueSoon => (
            "督办临期",
            format!(
                "牵头单位：{lead_unit}，办理时限 {deadline}，{}。",
                if days <= 0 {
                    "今天到期".to_string()
                } else {
                    format!("还有 {days} 天")
                }
            ),
        ),
        EventKind::SupervisionOverdue => (
            "督办逾期",
            format!(
                "牵头单位：{lead_unit}，办理时限 {deadline}，已逾期 {} 天。",
                (-days).max(1)
            ),
        ),
        _ => (
            "督办退回",
            format!("牵头单位：{lead_unit}，办理时限 {deadline}。请按退回意见继续办理。"),
        ),
    };
    let mut body = format!("“{title}”\n{line}");
    if let Some(detail) = detail {
        body.push_str(&format!("\n意见：{detail}"));
    }
    (format!("【{head}】{title}"), body)
}

/// The title and body of a reviewed report.
pub fn review_text(
    approved: bool,
    goal: &str,
    unit: &str,
    as_of: NaiveDate,
    value: &str,
    reason: Option<&str>,
) -> (String, String) {
    if approved {
        (
            format!("【审核通过】{goal}（{unit}，截至 {as_of}）"),
            format!("{unit}报送的“{goal}”截至 {as_of} 进度 {value} 已审核通过。"),
        )
    } else {
        (
            format!("【填报退回】{goal}（{unit}，截至 {as_of}）"),
            format!(
                "{unit}报送的“{goal}”截至 {as_of} 进度 {value} 被退回。退回原因：{}。请更正后重新填报。",
                reason.unwrap_or("未说明")
            ),
        )
    }
}

/// A percentage with at most one decimal ("87.5", "90").
fn one_decimal(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let text = format!("{rounded:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text).to_string();
    if text == "-0" { "0".into() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn counts(pending: u32, missing: u32, reported: u32) -> UnitCounts {
        UnitCounts {
            unit_id: 7,
            reported,
            late: 0,
            missing,
            pending,
        }
    }

    #[test]
    fn reminders_go_only_to_who_owes() {
        let rules = ReminderRules::default();
        let due = d("2025-11-05");
        let escalate_on = d("2025-11-07");
        // Three days before: due soon; four days before: nothing yet.
        assert_eq!(
            reminders(&counts(2, 0, 1), d("2025-11-02"), due, escalate_on, &rules),
            vec![Reminder::DueSoon {
                pending: 2,
                days_left: 3
            }]
        );
        assert!(reminders(&counts(2, 0, 1), d("2025-11-01"), due, escalate_on, &rules).is_empty());
        // A unit that reported everything: nothing, before or after.
        assert!(reminders(&counts(0, 0, 3), d("2025-11-04"), due, escalate_on, &rules).is_empty());
        assert!(reminders(&counts(0, 0, 3), d("2025-11-20"), due, escalate_on, &rules).is_empty());
        // After the due day: missing; after the grace: escalated too.
        assert_eq!(
            reminders(&counts(0, 1, 2), d("2025-11-06"), due, escalate_on, &rules),
            vec![Reminder::Missing {
                missing: 1,
                days_late: 1
            }]
        );
        assert_eq!(
            reminders(&counts(0, 1, 2), d("2025-11-08"), due, escalate_on, &rules).len(),
            2
        );
    }

    #[test]
    fn a_light_alert_is_a_change_to_yellow_or_red() {
        assert!(!light_turned(None, Light::Red));
        assert!(light_turned(Some(Light::Blue), Light::Yellow));
        assert!(light_turned(Some(Light::Yellow), Light::Red));
        assert!(!light_turned(Some(Light::Red), Light::Red));
        // Better, yet still yellow: the office hears of it.
        assert!(light_turned(Some(Light::Red), Light::Yellow));
        assert!(!light_turned(Some(Light::Yellow), Light::Blue));
    }

    #[test]
    fn deadlines_alert_near_and_past() {
        assert_eq!(deadline_alert(d("2025-11-10"), d("2025-11-06"), 3), None);
        assert_eq!(
            deadline_alert(d("2025-11-10"), d("2025-11-07"), 3),
            Some(DeadlineAlert::DueSoon { days_left: 3 })
        );
        assert_eq!(
            deadline_alert(d("2025-11-10"), d("2025-11-12"), 3),
            Some(DeadlineAlert::Overdue { days_late: 2 })
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = Duration::from_secs;
        assert_eq!(backoff(1, s(10), s(3600)), s(10));
        assert_eq!(backoff(2, s(10), s(3600)), s(20));
        assert_eq!(backoff(4, s(10), s(3600)), s(80));
        assert_eq!(backoff(20, s(10), s(3600)), s(3600));
    }

    #[test]
    fn messages_carry_the_figures() {
        let (title, body) = reminder_text(
            &Reminder::Missing {
                missing: 2,
                days_late: 3,
            },
            "洞庭湖产业园 2025 年度目标",
            "招商合作局",
            d("2025-09-01"),
            d("2025-10-09"),
        );
        assert_eq!(title, "【未报提醒】招商合作局：2025年9月进度逾期未报");
        assert!(
            body.contains("有 2 项目标的2025年9月进度未报送，截止日 10月9日（周四） 已过 3 天")
        );
        let (title, body) = light_text(&LightFacts {
            plan: "2025 年度目标",
            goal: "新签约项目",
            lead_unit: Some("招商合作局"),
            before: Light::Yellow,
            now: Light::Red,
            date: d("2025-10-31"),
            completion: Some(60.0),
            time_progress: Some(83.33),
        });
        assert_eq!(title, "【红灯预警】新签约项目");
        assert!(body.contains(
            "由黄灯转为红灯（截至 2025-10-31）：完成 60%，序时进度 83.3%，落后 23.3 个百分点"
        ));
        assert_eq!(
            EventKind::parse("LIGHT_CHANGED"),
            Some(EventKind::LightChanged)
        );
        assert_eq!(EventKind::parse("NOPE"), None);
    }
}
