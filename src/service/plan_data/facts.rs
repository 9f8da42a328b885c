//! A snapshot's facts: the stored rows of a plan turned into what the
//! domain judges (only reports that count, grouped per assignment and goal).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use entity::report;

use super::{PlanData, PlanStructure, ReportScope};
use crate::error::AppResult;
use domain::facts::Dated;
use domain::{AssignmentFacts, GoalFacts, MilestoneFacts, PlanFacts, ReportFact, ReviewState};

/// A snapshot: the structure, the reports of a scope, and the facts the
/// domain judges.
pub(super) fn assemble(
    structure: Arc<PlanStructure>,
    scope: ReportScope,
    reports: Vec<report::Model>,
) -> AppResult<PlanData> {
    let plan = structure.plan.clone();
    let assigned: HashSet<i64> = structure.assignments.iter().map(|a| a.id).collect();
    let reports: Vec<report::Model> = reports
        .into_iter()
        .filter(|r| assigned.contains(&r.assignment_id))
        .collect();

    // Group once so building the facts stays linear in the plan's size.
    let mut reports_by_assignment: HashMap<i64, Vec<ReportFact>> = HashMap::new();
    for r in &reports {
        // Only reports that count are facts: never a returned one, and an
        // unreviewed one only when the plan does not require approval.
        if !ReviewState::from(r.status).counts(plan.require_approval) {
            continue;
        }
        reports_by_assignment
            .entry(r.assignment_id)
            .or_default()
            .push(ReportFact {
                id: r.id,
                as_of: r.as_of,
                value: r.value,
                submitted_at: r.submitted_at,
            });
    }
    let mut assignments_by_goal: HashMap<i64, Vec<AssignmentFacts>> = HashMap::new();
    for a in &structure.assignments {
        assignments_by_goal
            .entry(a.goal_id)
            .or_default()
            .push(AssignmentFacts {
                id: a.id,
                unit_id: a.unit_id,
                target: a.target_value,
                deadline: a.deadline,
                reports: reports_by_assignment.remove(&a.id).unwrap_or_default(),
            });
    }
    let mut milestones_by_goal: HashMap<i64, Vec<MilestoneFacts>> = HashMap::new();
    for m in &structure.milestones {
        milestones_by_goal
            .entry(m.goal_id)
            .or_default()
            .push(MilestoneFacts {
                id: m.id,
                due: m.due_date,
                weight: m.weight,
                completed_on: m.completed_on,
            });
    }
    let goal_facts = structure
        .goals
        .iter()
        .map(|g| {
            Ok(GoalFacts {
                id: g.id,
                parent_id: g.parent_id,
                subset: g.subset,
                category: g.category.clone(),
                kind: g.kind.into(),
                direction: g.direction.into(),
                target: g.target_value,
                baseline: g.baseline_value,
                weight: g.weight,
                deadline: g.deadline,
                monthly_plan: crate::service::goals::monthly_plan_of(g)?,
                assignments: assignments_by_goal.remove(&g.id).unwrap_or_default(),
                milestones: milestones_by_goal.remove(&g.id).unwrap_or_default(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let facts = PlanFacts {
        start: plan.start_date,
        end: plan.end_date,
        score_cap: plan.score_cap,
        time_progress_mode: plan.time_progress_mode.into(),
        thresholds: crate::service::plans::thresholds_of(&plan),
        goals: goal_facts,
    };
    Ok(PlanData {
        plan,
        structure,
        scope,
        reports,
        facts,
        evaluations: Mutex::new(HashMap::new()),
    })
}

/// A stored report, dated the way the rules date reports.
pub(super) struct Stored<'a>(pub(super) &'a report::Model);

impl Dated for Stored<'_> {
    fn as_of(&self) -> NaiveDate {
        self.0.as_of
    }
    fn order_key(&self) -> (NaiveDate, chrono::DateTime<chrono::Utc>, i64) {
        (self.0.as_of, self.0.submitted_at, self.0.id)
    }
}
