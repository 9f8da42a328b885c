//! The judgement rules of the target-responsibility system, as pure functions.
//!
//! Nothing here touches the database or GraphQL: the service layer loads a
//! plan's facts (`facts`), and `evaluate` turns them into completion figures
//! for every goal, assignment, unit, category and the plan as of a date.
//! `docs/rules.md` is the prose version of this module.

/// Roles and who may act for which unit.
pub mod access;
/// The reporting calendar: reported, late, missing.
pub mod calendar;
/// Completion percent of one goal or assignment, rule by rule.
pub mod completion;
/// Plan dates: calendar-year defaults and "today" in the plan's time zone.
pub mod dates;
/// When things are due: inherited deadlines, milestone lateness and overdue.
pub mod deadlines;
/// 佐证材料: the kinds of file accepted as evidence, read from their
/// bytes, and the names they are kept under.
pub mod evidence;
/// Plain inputs: a plan's goals, assignments, milestones and reports.
pub mod facts;
/// Gap, light, status and score.
pub mod judgement;
/// Goal kinds and directions, and their stored spellings.
pub mod kinds;
/// Text a person reads, in Chinese and English, and the reader's language.
pub mod message;
/// Reminders and notifications: event kinds, when reminders and alerts
/// fire, backoff, and the messages robots post.
pub mod notify;
/// Why an input breaks a rule: the rule and a message.
pub mod refusal;
/// The whole-plan evaluation: goal trees, plan, category and unit roll-ups.
pub mod rollup;
/// Expected percent (序时进度): linear by month or day, curves, milestones.
pub mod schedule;
/// The year-end view: score lines, cap, veto, maximum.
pub mod scorecard;
/// 督查督办 and 问题台账: states and transitions, the three-colour light
/// of an item, closure on time, per-unit figures.
pub mod supervision;
/// Free text cleaned at the boundary: limits, NFC, no controls, name keys.
pub mod text;
/// Input rules that are pure (targets, weights, dates within the plan, trees).
pub mod validation;
/// Reading the words of a 目标任务分解表: targets, deadlines, points, a
/// unit's part, 节点 in a cell, supporting units named collectively.
pub mod wording;
/// Working days: weekends and the State Council's 法定节假日 and 调休, the
/// next working day (遇节假日顺延), N working days on.
pub mod workdays;

pub use completion::Progress;
pub use facts::{AssignmentFacts, GoalFacts, MilestoneFacts, PlanFacts, ReportFact};
pub use judgement::Thresholds;
pub use kinds::{
    Direction, GoalKind, Light, PlanState, ReportingCycle, ReviewState, Status, TimeProgressMode,
};
pub use message::{Label, Lang, Message};
pub use refusal::{Refusal, Rule};
pub use rollup::{Evaluation, LightCounts, UnitJudgement, UnitProgress, evaluate};
