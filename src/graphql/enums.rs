//! The API's enums, each the mirror of a domain enum (`remote`), so
//! inputs and objects share them without depending on each other.
use async_graphql::Enum;

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "GoalKind", remote = "domain::GoalKind")]
pub enum GoalKind {
    Cumulative,
    Rate,
    Milestone,
    Veto,
    Group,
    /// A place in a ranking (稳固全省30强): lower is better.
    Rank,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "Direction", remote = "domain::Direction")]
pub enum Direction {
    Increase,
    Decrease,
}

/// 红黄绿灯, with BLUE for 关注 (a near miss).
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "Light", remote = "domain::Light")]
pub enum Light {
    Green,
    Blue,
    Yellow,
    Red,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "ProgressStatus", remote = "domain::Status")]
pub enum ProgressStatus {
    NotStarted,
    InProgress,
    Completed,
    Overdue,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "TimeProgressMode", remote = "domain::TimeProgressMode")]
pub enum TimeProgressMode {
    Monthly,
    Daily,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "ReportingCycle", remote = "domain::ReportingCycle")]
pub enum ReportingCycle {
    Monthly,
    Quarterly,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "ReviewState", remote = "domain::ReviewState")]
pub enum ReviewState {
    Submitted,
    Approved,
    Returned,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "PlanState", remote = "domain::PlanState")]
pub enum PlanState {
    Draft,
    Active,
    Closed,
}

#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "Role", remote = "domain::access::Role")]
pub enum Role {
    Admin,
    Reporter,
    Viewer,
}
