//! Why an input breaks a rule. The rules name the rule broken; the server
//! maps each to its stable client-facing code (`mubiao::error::ErrorCode`),
//! so this crate needs nothing of the server's error type. The message is
//! in Chinese and English; the server sends the reader's language.
use std::fmt;

use crate::message::Message;

/// The rule an input breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A value that makes no sense where it is (negative, empty, reversed…).
    InvalidValue,
    /// A target of 0, or a target where the kind has none / lacks one.
    InvalidTarget,
    /// A number no park reports or plans (beyond ±10^12, too close to 0,
    /// a thousand times its target).
    ImplausibleValue,
    /// A text longer than its field holds.
    TooLong,
    /// A text with control or bidi characters.
    InvalidText,
    /// DECREASE on a goal that is not a RATE goal.
    DirectionNotAllowed,
    /// Something that does not fit the goal's kind.
    KindMismatch,
    /// A plan period or year outside what a plan may have.
    InvalidPlanPeriod,
    /// A report dated after today.
    ReportInFuture,
    /// A deadline outside the plan period.
    DeadlineOutsidePlan,
    /// A milestone due outside the plan period.
    MilestoneOutsidePlan,
    /// A report dated outside the plan period.
    ReportOutsidePlan,
    /// A step that does not start from the object's state (a supervision
    /// item or a problem).
    InvalidTransition,
    /// A file that is not one of the kinds accepted as evidence, or whose
    /// name says another kind than its bytes.
    FileTypeNotAllowed,
    /// A file, or the files of one item, beyond the size allowed.
    FileTooLarge,
}

/// A rule broken, with what the person who gave the input needs to know.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    pub rule: Rule,
    pub message: Message,
}

impl Refusal {
    /// A refusal worded for a 目标办 clerk (`zh`) and in English (`en`).
    pub fn new(rule: Rule, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Refusal {
            rule,
            message: Message::new(zh, en),
        }
    }
}

/// The Chinese message, as the office reads it.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message.fmt(f)
    }
}

impl std::error::Error for Refusal {}
