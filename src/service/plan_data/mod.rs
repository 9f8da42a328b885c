//! A plan's rows, loaded set-wise: six queries for the structure of any
//! number of plans, whatever their size, and one for their reports in the
//! scope a question needs (none, the report standing on a date per
//! assignment, or the whole history). Everything a progress question needs
//! is in here, so GraphQL resolvers read from it instead of querying per
//! object.
//!
//! This file is the snapshot API (what resolvers and services read); the
//! SQL lives in `load`, reading rows by position in `decode`, and turning
//! rows into the facts the domain judges in `facts`.

mod decode;
mod facts;
/// The memory a structure or snapshot holds, for the snapshot cache.
mod footprint;
mod load;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use entity::{assignment, goal, goal_supporting_unit, milestone, plan, report, unit};

use crate::error::{AppError, AppResult};
use domain::completion::latest_report;
use domain::facts::Dated;
use domain::{Evaluation, PlanFacts, ReviewState, evaluate};
use facts::Stored;

pub use load::{load_plans, load_structures, snapshots, versions};

/// Which reports a snapshot carries. A judgement at a date reads only the
/// report that stands on that date per assignment, so progress questions
/// load one row per assignment; only report lists, trends and the reporting
/// calendar need the whole history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportScope {
    /// No reports: the plan's goals, assignments, milestones and units.
    Structure,
    /// Per assignment, the counting report that stands on the date.
    StandingOn(NaiveDate),
    /// Every report, returned ones included.
    History,
    /// Every report of the assignments of one goal and its sub-goals: a goal's
    /// trend. Only that goal's subtree is judged from it.
    GoalHistory(i64),
}

/// A plan's rows without its reports: loaded once per request and shared
/// by every snapshot of the plan.
#[derive(Debug)]
pub struct PlanStructure {
    pub plan: plan::Model,
    /// Active goals in display order (position, then creation).
    goals: Vec<goal::Model>,
    assignments: Vec<assignment::Model>,
    milestones: Vec<milestone::Model>,
    supporting: Vec<goal_supporting_unit::Model>,
    /// Every unit the plan names (owner, lead, supporting, assigned).
    units: HashMap<i64, unit::Model>,
}

#[derive(Debug)]
pub struct PlanData {
    pub plan: plan::Model,
    structure: Arc<PlanStructure>,
    scope: ReportScope,
    /// Reports of active assignments in the scope, oldest first by (asOf,
    /// submission).
    reports: Vec<report::Model>,
    facts: PlanFacts,
    /// Evaluations already computed for this snapshot, by asOf date.
    evaluations: Mutex<HashMap<NaiveDate, Arc<Evaluation>>>,
}

impl PlanStructure {
    /// The ids of the assignments of a goal and of its sub-goals.
    pub fn subtree_assignment_ids(&self, goal_id: i64) -> Vec<i64> {
        let mut subtree = HashSet::from([goal_id]);
        // Goals come parents first within a plan's display order only by
        // position, so grow the set until it stops changing.
        loop {
            let before = subtree.len();
            for g in &self.goals {
                if g.parent_id.is_some_and(|p| subtree.contains(&p)) {
                    subtree.insert(g.id);
                }
            }
            if subtree.len() == before {
                break;
            }
        }
        self.assignments
            .iter()
            .filter(|a| subtree.contains(&a.goal_id))
            .map(|a| a.id)
            .collect()
    }

    /// Rows held: goals, assignments, milestones and supporting units.
    pub fn row_count(&self) -> usize {
        self.goals.len() + self.assignments.len() + self.milestones.len() + self.supporting.len()
    }
}

impl PlanData {
    /// Reports held in this snapshot's scope.
    pub fn report_count(&self) -> usize {
        self.reports.len()
    }

    pub fn structure(&self) -> &Arc<PlanStructure> {
        &self.structure
    }

    pub fn scope(&self) -> ReportScope {
        self.scope
    }

    pub fn goal(&self, id: i64) -> Option<&goal::Model> {
        self.structure.goals.iter().find(|g| g.id == id)
    }

    pub fn goals(&self) -> &[goal::Model] {
        &self.structure.goals
    }

    /// Every goal in 分解表 order: each parent followed by its sub-goals.
    pub fn goals_in_order(&self) -> Vec<&goal::Model> {
        let mut ordered = Vec::with_capacity(self.structure.goals.len());
        let mut stack: Vec<&goal::Model> = self.top_level_goals().collect();
        stack.reverse();
        while let Some(g) = stack.pop() {
            ordered.push(g);
            let mut children: Vec<&goal::Model> = self.children(g.id).collect();
            children.reverse();
            stack.extend(children);
        }
        ordered
    }

    pub fn top_level_goals(&self) -> impl Iterator<Item = &goal::Model> {
        self.structure
            .goals
            .iter()
            .filter(|g| g.parent_id.is_none())
    }

    pub fn children(&self, goal_id: i64) -> impl Iterator<Item = &goal::Model> {
        self.structure
            .goals
            .iter()
            .filter(move |g| g.parent_id == Some(goal_id))
    }

    pub fn assignments_of(&self, goal_id: i64) -> impl Iterator<Item = &assignment::Model> {
        self.structure
            .assignments
            .iter()
            .filter(move |a| a.goal_id == goal_id)
    }

    pub fn assignments(&self) -> &[assignment::Model] {
        &self.structure.assignments
    }

    pub fn assignment(&self, id: i64) -> Option<&assignment::Model> {
        self.structure.assignments.iter().find(|a| a.id == id)
    }

    pub fn milestones_of(&self, goal_id: i64) -> impl Iterator<Item = &milestone::Model> {
        self.structure
            .milestones
            .iter()
            .filter(move |m| m.goal_id == goal_id)
    }

    /// The reports of an assignment in this snapshot's scope, oldest first.
    pub fn reports_of(&self, assignment_id: i64) -> impl Iterator<Item = &report::Model> {
        self.reports
            .iter()
            .filter(move |r| r.assignment_id == assignment_id)
    }

    /// The counting report that stands on `date` among these assignments'
    /// reports (the domain's rule: latest asOf, then last submitted).
    pub fn latest_counting_report(
        &self,
        assignment_ids: impl IntoIterator<Item = i64>,
        date: NaiveDate,
    ) -> AppResult<Option<&report::Model>> {
        self.check_date(date)?;
        let reports: Vec<Stored> = assignment_ids
            .into_iter()
            .flat_map(|a| self.counting_reports_of(a))
            .map(Stored)
            .collect();
        Ok(latest_report(&reports, date).map(|r| r.0))
    }

    /// How many assignments' figures standing on `date` come from a report
    /// the target office has not reviewed yet. They count (the plan does
    /// not require approval), so a leader's figure rests on them; with
    /// approval required none does, and this is 0.
    pub fn unreviewed_standing(&self, date: NaiveDate) -> AppResult<usize> {
        self.check_date(date)?;
        let require_approval = self.plan.require_approval;
        let mut standing: HashMap<i64, Stored> = HashMap::new();
        for r in &self.reports {
            if r.as_of > date || !ReviewState::from(r.status).counts(require_approval) {
                continue;
            }
            let candidate = Stored(r);
            match standing.get(&r.assignment_id) {
                Some(current) if current.order_key() >= candidate.order_key() => {}
                _ => {
                    standing.insert(r.assignment_id, candidate);
                }
            }
        }
        Ok(standing
            .values()
            .filter(|s| ReviewState::from(s.0.status) == ReviewState::Submitted)
            .count())
    }

    /// The reports of an assignment that count, oldest first.
    pub fn counting_reports_of(&self, assignment_id: i64) -> impl Iterator<Item = &report::Model> {
        let require_approval = self.plan.require_approval;
        self.reports_of(assignment_id)
            .filter(move |r| ReviewState::from(r.status).counts(require_approval))
    }

    pub fn supporting_unit_ids(&self, goal_id: i64) -> Vec<i64> {
        self.structure
            .supporting
            .iter()
            .filter(|s| s.goal_id == goal_id)
            .map(|s| s.unit_id)
            .collect()
    }

    /// A unit the plan names (archived ones included: history names them).
    pub fn unit(&self, id: i64) -> Option<&unit::Model> {
        self.structure.units.get(&id)
    }

    pub fn facts(&self) -> &PlanFacts {
        &self.facts
    }

    /// A snapshot standing on one date answers for that date only; asking
    /// it for another is a bug in the caller, and the figures would be
    /// wrong: refused (an internal error) in every build, never answered.
    fn check_date(&self, date: NaiveDate) -> AppResult<()> {
        match self.scope {
            ReportScope::StandingOn(d) if d != date => Err(AppError::internal(format!(
                "a snapshot of plan {} standing on {d} was asked about {date}",
                self.plan.id
            ))),
            ReportScope::Structure => Err(AppError::internal(format!(
                "a structure snapshot of plan {} was asked for figures",
                self.plan.id
            ))),
            _ => Ok(()),
        }
    }

    /// The judgement as of `as_of`, computed once per date per snapshot.
    pub fn evaluation(&self, as_of: NaiveDate) -> AppResult<Arc<Evaluation>> {
        self.check_date(as_of)?;
        let mut cache = self.evaluations.lock().unwrap_or_else(|e| e.into_inner());
        Ok(cache
            .entry(as_of)
            .or_insert_with(|| Arc::new(evaluate(&self.facts, as_of)))
            .clone())
    }
}

/// Plans without rows, for the tests of the footprint and of the snapshot
/// cache.
#[cfg(test)]
pub(crate) mod fixtures {
    use std::collections::HashMap;
    use std::sync::Arc;

    use chrono::{NaiveDate, TimeZone, Utc};
    use entity::plan;

    use super::facts::assemble;
    use super::{PlanData, PlanStructure, ReportScope};

    /// An empty DRAFT plan of 2025 (no goals, assignments or units).
    pub(crate) fn empty_structure(plan_id: i64) -> Arc<PlanStructure> {
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        Arc::new(PlanStructure {
            plan: plan::Model {
                id: plan_id,
                owner_unit_id: 1,
                name: "空白草稿计划".into(),
                year: 2025,
                start_date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                end_date: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
                time_zone: "Asia/Shanghai".into(),
                score_cap: 1.0,
                time_progress_mode: entity::enums::TimeProgressMode::Monthly,
                yellow_gap: 10.0,
                red_gap: 30.0,
                rate_yellow_floor: 80.0,
                reporting_cycle: entity::enums::ReportingCycle::Monthly,
                report_due_day: 5,
                state: entity::enums::PlanState::Draft,
                require_approval: false,
                data_version: 0,
                archived_at: None,
                created_at: at,
                updated_at: at,
                remarks: None,
                report_due_postponed: true,
            },
            goals: Vec::new(),
            assignments: Vec::new(),
            milestones: Vec::new(),
            supporting: Vec::new(),
            units: HashMap::new(),
        })
    }

    /// A snapshot of `structure` in `scope`, with no reports.
    pub(crate) fn empty_snapshot(
        structure: &Arc<PlanStructure>,
        scope: ReportScope,
    ) -> Arc<PlanData> {
        Arc::new(assemble(structure.clone(), scope, Vec::new()).unwrap())
    }
}
