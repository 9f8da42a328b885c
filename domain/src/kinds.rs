use std::fmt;
use std::str::FromStr;

/// How a goal's progress is read (rules page, "Kinds of goal").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GoalKind {
    /// A cumulative amount since the plan start: 签约项目 20 个.
    Cumulative,
    /// The current level of an indicator: 资产负债率 ≤ 65 %.
    Rate,
    /// Dated deliverables completed on a date: 主体厂房 by 10-31.
    Milestone,
    /// Incidents that must stay at or under a limit (一票否决).
    Veto,
    /// A dimension that only groups sub-goals.
    Group,
    /// A place in a ranking, lower is better: 五好园区综合排名 稳固全省30强.
    Rank,
}

impl GoalKind {
    pub const ALL: [GoalKind; 6] = [
        GoalKind::Cumulative,
        GoalKind::Rate,
        GoalKind::Milestone,
        GoalKind::Veto,
        GoalKind::Group,
        GoalKind::Rank,
    ];

    /// The spelling stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalKind::Cumulative => "CUMULATIVE",
            GoalKind::Rate => "RATE",
            GoalKind::Milestone => "MILESTONE",
            GoalKind::Veto => "VETO",
            GoalKind::Group => "GROUP",
            GoalKind::Rank => "RANK",
        }
    }

    /// The kind as a 目标办 names it on a sheet (the 类型 column).
    pub fn zh_name(self) -> &'static str {
        match self {
            GoalKind::Cumulative => "累计型",
            GoalKind::Rate => "比率型",
            GoalKind::Milestone => "节点型",
            GoalKind::Veto => "一票否决",
            GoalKind::Group => "分组",
            GoalKind::Rank => "排名型",
        }
    }

    /// Kinds whose units report figures (MILESTONE and GROUP do not).
    pub fn takes_reports(self) -> bool {
        matches!(
            self,
            GoalKind::Cumulative | GoalKind::Rate | GoalKind::Veto | GoalKind::Rank
        )
    }

    /// Kinds that carry a target value: the ones that take reports, whose
    /// figures are judged against it.
    pub fn has_target(self) -> bool {
        self.takes_reports()
    }
}

impl fmt::Display for GoalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GoalKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GoalKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown goal kind {s:?}"))
    }
}

/// Whether higher or lower is better. DECREASE is only meaningful for RATE goals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    #[default]
    Increase,
    Decrease,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "INCREASE",
            Direction::Decrease => "DECREASE",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Direction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "INCREASE" => Ok(Direction::Increase),
            "DECREASE" => Ok(Direction::Decrease),
            _ => Err(format!("unknown direction {s:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_reviewed_reports_count() {
        assert!(ReviewState::Submitted.counts(false));
        assert!(!ReviewState::Submitted.counts(true));
        assert!(ReviewState::Approved.counts(true));
        assert!(!ReviewState::Returned.counts(false));
        assert!(!ReviewState::Returned.counts(true));
    }

    #[test]
    fn kinds_round_trip_through_their_stored_spelling() {
        for kind in GoalKind::ALL {
            assert_eq!(kind.as_str().parse::<GoalKind>(), Ok(kind));
        }
        assert_eq!("RANK".parse::<GoalKind>(), Ok(GoalKind::Rank));
        assert!(GoalKind::Rank.takes_reports() && GoalKind::Rank.has_target());
        assert!(!GoalKind::Group.takes_reports() && !GoalKind::Milestone.has_target());
        assert_eq!(GoalKind::Rank.zh_name(), "排名型");
        assert!("cumulative".parse::<GoalKind>().is_err());
        assert_eq!("DECREASE".parse::<Direction>(), Ok(Direction::Decrease));
        assert!("DOWN".parse::<Direction>().is_err());
    }
}

/// Defines a small enum with its stored spelling (as_str, Display, FromStr).
macro_rules! spelled_enum {
    ($(#[$meta:meta])* $ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $ty { $($variant),+ }
        $crate::kinds::spelled!($ty { $($variant => $text),+ });
    };
}
pub(crate) use spelled_enum;

/// Spellings shared by the small enums below.
macro_rules! spelled {
    ($ty:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),+ }
            }
        }
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    _ => Err(format!("unknown {} {s:?}", stringify!($ty))),
                }
            }
        }
    };
}

/// How 序时进度 advances: by whole months (as the reports count "1-9月")
/// or day by day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum TimeProgressMode {
    #[default]
    Monthly,
    Daily,
}
spelled!(TimeProgressMode { Monthly => "MONTHLY", Daily => "DAILY" });

/// How often units report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ReportingCycle {
    #[default]
    Monthly,
    /// Reports for March, June, September and December only.
    Quarterly,
}
spelled!(ReportingCycle { Monthly => "MONTHLY", Quarterly => "QUARTERLY" });

/// The warning colour (红黄绿灯, with blue for 关注).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Light {
    Green,
    Blue,
    Yellow,
    Red,
}
spelled!(Light { Green => "GREEN", Blue => "BLUE", Yellow => "YELLOW", Red => "RED" });

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    NotStarted,
    InProgress,
    Completed,
    Overdue,
}
pub(crate) use spelled;

spelled_enum! {
    /// Where a report stands in review (审核).
    ReviewState { Submitted => "SUBMITTED", Approved => "APPROVED", Returned => "RETURNED" }
}

impl ReviewState {
    /// Whether a report in this state counts: a returned one never does;
    /// an unreviewed one unless the plan requires approval.
    pub fn counts(self, require_approval: bool) -> bool {
        match self {
            ReviewState::Approved => true,
            ReviewState::Submitted => !require_approval,
            ReviewState::Returned => false,
        }
    }
}

spelled_enum! {
    /// A plan's lifecycle: targets are set in DRAFT, reports are accepted
    /// while ACTIVE, and a CLOSED year is read-only until reopened.
    PlanState { Draft => "DRAFT", Active => "ACTIVE", Closed => "CLOSED" }
}

spelled!(Status { NotStarted => "NOT_STARTED", InProgress => "IN_PROGRESS", Completed => "COMPLETED", Overdue => "OVERDUE" });
