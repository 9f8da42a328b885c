//! The enum columns, typed. Each is stored as the short string the
//! domain spells it with (migration 10 lets the database refuse any other
//! value: CHECK on PostgreSQL, triggers on SQLite), and converts both ways
//! to its `domain` enum, which owns the meaning. They live here rather
//! than in `domain` because SeaORM's traits cannot be implemented on
//! another crate's types, and `domain` stays free of storage.
use sea_orm::entity::prelude::*;

/// `goal.kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum GoalKind {
    #[sea_orm(string_value = "CUMULATIVE")]
    Cumulative,
    #[sea_orm(string_value = "RATE")]
    Rate,
    #[sea_orm(string_value = "MILESTONE")]
    Milestone,
    #[sea_orm(string_value = "VETO")]
    Veto,
    #[sea_orm(string_value = "GROUP")]
    Group,
    #[sea_orm(string_value = "RANK")]
    Rank,
}

/// `goal.direction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Direction {
    #[sea_orm(string_value = "INCREASE")]
    Increase,
    #[sea_orm(string_value = "DECREASE")]
    Decrease,
}

/// `plan.state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum PlanState {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// `plan.time_progress_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TimeProgressMode {
    #[sea_orm(string_value = "MONTHLY")]
    Monthly,
    #[sea_orm(string_value = "DAILY")]
    Daily,
}

/// `plan.reporting_cycle`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ReportingCycle {
    #[sea_orm(string_value = "MONTHLY")]
    Monthly,
    #[sea_orm(string_value = "QUARTERLY")]
    Quarterly,
}

/// `report.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ReviewState {
    #[sea_orm(string_value = "SUBMITTED")]
    Submitted,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "RETURNED")]
    Returned,
}

/// `api_token.role` and `account.role`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "REPORTER")]
    Reporter,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
}

/// `supervision_item.state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ItemState {
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "CLOSURE_REQUESTED")]
    ClosureRequested,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// `supervision_item.source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ItemSource {
    #[sea_orm(string_value = "LEADER_INSTRUCTION")]
    LeaderInstruction,
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    #[sea_orm(string_value = "RED_LIGHT")]
    RedLight,
    #[sea_orm(string_value = "INSPECTION")]
    Inspection,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// `supervision_item.level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ItemLevel {
    #[sea_orm(string_value = "NORMAL")]
    Normal,
    #[sea_orm(string_value = "KEY")]
    Key,
    #[sea_orm(string_value = "LISTED")]
    Listed,
}

/// `problem.state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ProblemState {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "RECTIFYING")]
    Rectifying,
    #[sea_orm(string_value = "RECHECK")]
    Recheck,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// `problem.severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ProblemSeverity {
    #[sea_orm(string_value = "GENERAL")]
    General,
    #[sea_orm(string_value = "MAJOR")]
    Major,
    #[sea_orm(string_value = "SERIOUS")]
    Serious,
}

/// `problem.source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ProblemSource {
    #[sea_orm(string_value = "CHECK")]
    Check,
    #[sea_orm(string_value = "PATROL")]
    Patrol,
    #[sea_orm(string_value = "PETITION")]
    Petition,
    #[sea_orm(string_value = "HIGHER_INSPECTION")]
    HigherInspection,
    #[sea_orm(string_value = "SELF_CHECK")]
    SelfCheck,
}

/// `From` both ways between a stored enum and its domain enum, variant by
/// variant (a variant added on either side fails to compile here), plus
/// `as_str` and `Display` in the domain's spelling.
macro_rules! mirror {
    ($stored:ident <=> $domain:path { $($variant:ident),+ $(,)? }) => {
        impl From<$stored> for $domain {
            fn from(value: $stored) -> Self {
                match value {
                    $($stored::$variant => <$domain>::$variant),+
                }
            }
        }

        impl From<$domain> for $stored {
            fn from(value: $domain) -> Self {
                match value {
                    $(<$domain>::$variant => $stored::$variant),+
                }
            }
        }

        impl $stored {
            /// The stored spelling (the domain's).
            pub fn as_str(self) -> &'static str {
                <$domain>::from(self).as_str()
            }
        }

        impl std::fmt::Display for $stored {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mirror!(GoalKind <=> domain::GoalKind { Cumulative, Rate, Milestone, Veto, Group, Rank });
mirror!(Direction <=> domain::Direction { Increase, Decrease });
mirror!(PlanState <=> domain::PlanState { Draft, Active, Closed });
mirror!(TimeProgressMode <=> domain::TimeProgressMode { Monthly, Daily });
mirror!(ReportingCycle <=> domain::ReportingCycle { Monthly, Quarterly });
mirror!(ReviewState <=> domain::ReviewState { Submitted, Approved, Returned });
mirror!(Role <=> domain::access::Role { Admin, Reporter, Viewer });
mirror!(ItemState <=> domain::supervision::ItemState {
    Assigned, Accepted, InProgress, ClosureRequested, Closed
});
mirror!(ItemSource <=> domain::supervision::ItemSource {
    LeaderInstruction, Meeting, RedLight, Inspection, Other
});
mirror!(ItemLevel <=> domain::supervision::ItemLevel { Normal, Key, Listed });
mirror!(ProblemState <=> domain::supervision::ProblemState { Open, Rectifying, Recheck, Closed });
mirror!(ProblemSeverity <=> domain::supervision::ProblemSeverity { General, Major, Serious });
mirror!(ProblemSource <=> domain::supervision::ProblemSource {
    Check, Patrol, Petition, HigherInspection, SelfCheck
});

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    /// The value SeaORM stores is the domain's spelling, for every variant,
    /// and reading it back gives the same variant.
    fn stored_as_the_domain_spells<E, D>()
    where
        E: ActiveEnum<Value = String> + Iterable + Copy + PartialEq + std::fmt::Debug + From<D>,
        D: From<E> + std::fmt::Display,
    {
        let all: Vec<E> = E::iter().collect();
        assert!(!all.is_empty());
        for stored in all {
            let spelled = D::from(stored).to_string();
            assert_eq!(stored.to_value(), spelled);
            assert_eq!(E::try_from_value(&spelled).unwrap(), stored);
            assert_eq!(E::from(D::from(stored)), stored);
        }
        assert!(E::try_from_value(&"unknown".to_string()).is_err());
    }

    #[test]
    fn every_stored_spelling_is_the_domains() {
        stored_as_the_domain_spells::<GoalKind, domain::GoalKind>();
        stored_as_the_domain_spells::<Direction, domain::Direction>();
        stored_as_the_domain_spells::<PlanState, domain::PlanState>();
        stored_as_the_domain_spells::<TimeProgressMode, domain::TimeProgressMode>();
        stored_as_the_domain_spells::<ReportingCycle, domain::ReportingCycle>();
        stored_as_the_domain_spells::<ReviewState, domain::ReviewState>();
        stored_as_the_domain_spells::<Role, domain::access::Role>();
        stored_as_the_domain_spells::<ItemState, domain::supervision::ItemState>();
        stored_as_the_domain_spells::<ItemSource, domain::supervision::ItemSource>();
        stored_as_the_domain_spells::<ItemLevel, domain::supervision::ItemLevel>();
        stored_as_the_domain_spells::<ProblemState, domain::supervision::ProblemState>();
        stored_as_the_domain_spells::<ProblemSeverity, domain::supervision::ProblemSeverity>();
        stored_as_the_domain_spells::<ProblemSource, domain::supervision::ProblemSource>();
    }

    /// Every domain variant has a stored one: the domain's `FromStr` reads
    /// back what is stored, and the spellings migrations 10 and 11 allow are
    /// these.
    #[test]
    fn the_spellings_are_the_ones_the_database_checks() {
        let spellings = |values: Vec<String>| values.join(",");
        assert_eq!(
            spellings(GoalKind::values()),
            "CUMULATIVE,RATE,MILESTONE,VETO,GROUP,RANK"
        );
        assert_eq!(spellings(Direction::values()), "INCREASE,DECREASE");
        assert_eq!(spellings(PlanState::values()), "DRAFT,ACTIVE,CLOSED");
        assert_eq!(spellings(TimeProgressMode::values()), "MONTHLY,DAILY");
        assert_eq!(spellings(ReportingCycle::values()), "MONTHLY,QUARTERLY");
        assert_eq!(
            spellings(ReviewState::values()),
            "SUBMITTED,APPROVED,RETURNED"
        );
        assert_eq!(spellings(Role::values()), "ADMIN,REPORTER,VIEWER");
        for kind in domain::GoalKind::ALL {
            assert_eq!(GoalKind::from(kind).as_str(), kind.as_str());
        }
    }
}
