//! A plan's rows, loaded set-wise: six queries for the structure of any
//! number of plans, whatever their size, and one for their reports in the
//! scope a question needs (none, the report standing on a date per
//! assignment, or the whole history). Everything a progress question needs
//! is in here, so GraphQL resolvers read from it instead of querying per
//! object.

/// The memory a structure or snapshot holds, for the snapshot cache.
mod footprint;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use entity::{assignment, goal, goal_supporting_unit, milestone, plan, report, unit};
use futures_util::TryStreamExt;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait, Select, Statement, StreamTrait,
};

use crate::error::{AppError, AppResult};
use domain::completion::latest_report;
use domain::facts::Dated;
use domain::{
    AssignmentFacts, Evaluation, GoalFacts, MilestoneFacts, PlanFacts, ReportFact, ReviewState,
    evaluate,
};

/// Which reports a snapshot carries. A judgement at a date reads only the
/// report that stands on that date per assignment, so progress questions
/// load one row per assignment; only report lists, trends and the reporting
/// calendar need the whole history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportScope {
    /// No reports: the plan's goals, shares, milestones and units.
    Structure,
    /// Per assignment, the counting report that stands on the date.
    StandingOn(NaiveDate),
    /// Every report, returned ones included.
    History,
    /// Every report of the shares of one goal and its sub-goals: a goal's
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
    /// The ids of the shares of a goal and of its sub-goals.
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

    /// Rows held: goals, shares, milestones and supporting units.
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

/// Loads the given plans (archived ones are skipped) with their whole
/// report history: seven queries for any number of plans.
pub async fn load_plans<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    plan_ids: &[i64],
) -> AppResult<HashMap<i64, Arc<PlanData>>> {
    let structures = load_structures(db, plan_ids).await?;
    snapshots(db, structures.into_values().collect(), ReportScope::History).await
}

/// Each live plan's data_version, by id: one statement.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    plan_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    if plan_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(plan::Entity::find()
        .select_only()
        .column(plan::Column::Id)
        .column(plan::Column::DataVersion)
        .filter(plan::Column::Id.is_in(plan_ids.iter().copied()))
        .filter(plan::Column::ArchivedAt.is_null())
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Snapshots of these plans in `scope`: one query for the reports (none
/// for `Structure`), then the facts of each plan.
pub async fn snapshots<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    structures: Vec<Arc<PlanStructure>>,
    scope: ReportScope,
) -> AppResult<HashMap<i64, Arc<PlanData>>> {
    let mut reports = load_reports(db, &structures, scope).await?;
    structures
        .into_iter()
        .map(|s| {
            let id = s.plan.id;
            let rows = reports.remove(&id).unwrap_or_default();
            Ok((id, Arc::new(assemble(s, scope, rows)?)))
        })
        .collect()
}

/// The plans' rows without reports (archived plans are skipped): six
/// queries for any number of plans.
pub async fn load_structures<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    plan_ids: &[i64],
) -> AppResult<HashMap<i64, Arc<PlanStructure>>> {
    if plan_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = plan_ids.iter().copied();
    let plans = plan::Entity::find()
        .filter(plan::Column::Id.is_in(ids.clone()))
        .filter(plan::Column::ArchivedAt.is_null())
        .all(db)
        .await?;
    let goals = streamed(
        db,
        goal::Entity::find()
            .filter(goal::Column::PlanId.is_in(ids.clone()))
            .filter(goal::Column::ArchivedAt.is_null())
            .order_by_asc(goal::Column::Position)
            .order_by_asc(goal::Column::Id),
    )
    .await?;
    let supporting = goal_supporting_unit::Entity::find()
        .filter(goal_supporting_unit::Column::PlanId.is_in(ids.clone()))
        .order_by_asc(goal_supporting_unit::Column::UnitId)
        .all(db)
        .await?;
    let assignments = streamed(
        db,
        assignment::Entity::find()
            .filter(assignment::Column::PlanId.is_in(ids.clone()))
            .filter(assignment::Column::ArchivedAt.is_null())
            .order_by_asc(assignment::Column::Id),
    )
    .await?;
    let milestones = streamed(
        db,
        milestone::Entity::find()
            .filter(milestone::Column::PlanId.is_in(ids))
            .filter(milestone::Column::ArchivedAt.is_null())
            .order_by_asc(milestone::Column::DueDate)
            .order_by_asc(milestone::Column::Position)
            .order_by_asc(milestone::Column::Id),
    )
    .await?;

    let mut by_plan: HashMap<i64, Rows> = plans.into_iter().map(|p| (p.id, Rows::new(p))).collect();
    for g in goals {
        if let Some(rows) = by_plan.get_mut(&g.plan_id) {
            rows.goals.push(g);
        }
    }
    for s in supporting {
        if let Some(rows) = by_plan.get_mut(&s.plan_id) {
            rows.supporting.push(s);
        }
    }
    for a in assignments {
        if let Some(rows) = by_plan.get_mut(&a.plan_id) {
            rows.assignments.push(a);
        }
    }
    for m in milestones {
        if let Some(rows) = by_plan.get_mut(&m.plan_id) {
            rows.milestones.push(m);
        }
    }
    let mut unit_ids: Vec<i64> = by_plan.values().flat_map(Rows::unit_ids).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let units = crate::service::units::by_ids(db, &unit_ids).await?;
    Ok(by_plan
        .into_iter()
        .map(|(id, rows)| (id, Arc::new(rows.into_structure(&units))))
        .collect())
}

/// The reports of these plans in `scope`, by plan: nothing for
/// `Structure`; every row for `History`; for `StandingOn(d)` one row per
/// assignment, found by the (assignment, asOf, submitted, id) index.
async fn load_reports<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    structures: &[Arc<PlanStructure>],
    scope: ReportScope,
) -> AppResult<HashMap<i64, Vec<report::Model>>> {
    let ids: Vec<i64> = structures.iter().map(|s| s.plan.id).collect();
    let rows = match scope {
        _ if ids.is_empty() => Vec::new(),
        ReportScope::Structure => Vec::new(),
        ReportScope::History => streamed(db, history(report::Column::PlanId.is_in(ids))).await?,
        ReportScope::GoalHistory(goal_id) => {
            let shares: Vec<i64> = structures
                .iter()
                .flat_map(|s| s.subtree_assignment_ids(goal_id))
                .collect();
            if shares.is_empty() {
                Vec::new()
            } else {
                streamed(db, history(report::Column::AssignmentId.is_in(shares))).await?
            }
        }
        ReportScope::StandingOn(date) => {
            let unreviewed_count: Vec<i64> = structures
                .iter()
                .filter(|s| !s.plan.require_approval)
                .map(|s| s.plan.id)
                .collect();
            standing_reports(db, &ids, &unreviewed_count, date).await?
        }
    };
    let mut by_plan: HashMap<i64, Vec<report::Model>> = HashMap::new();
    for r in rows {
        by_plan.entry(r.plan_id).or_default().push(r);
    }
    Ok(by_plan)
}

/// Every report matching `filter`, oldest first by (asOf, submission): the
/// order the domain's "latest report" rule breaks ties by.
fn history(filter: sea_orm::sea_query::SimpleExpr) -> Select<report::Entity> {
    report::Entity::find()
        .filter(filter)
        .order_by_asc(report::Column::AsOf)
        .order_by_asc(report::Column::SubmittedAt)
        .order_by_asc(report::Column::Id)
}

/// Per active assignment of the plans, the counting report that stands on
/// `date`: the latest by (asOf, submission, id) at or before it, never a
/// returned one, and an unreviewed one only in the plans that do not
/// require approval. A correlated `LIMIT 1` per assignment walks the
/// standing index backwards; measured against a window function over the
/// same rows it is 5–7× faster on SQLite (see ARCHITECTURE.md).
async fn standing_reports<C: ConnectionTrait + StreamTrait + Send>(
    db: &C,
    plan_ids: &[i64],
    unreviewed_count: &[i64],
    date: NaiveDate,
) -> AppResult<Vec<report::Model>> {
    // `IN ()` is not SQL: an empty list is written as `IN (NULL)`.
    let list = |ids: &[i64]| match ids.len() {
        0 => "NULL".to_string(),
        n => vec!["?"; n].join(", "),
    };
    let sql = format!(
        "SELECT r.* FROM assignment a JOIN report r ON r.id = (\
           SELECT r2.id FROM report r2 \
           WHERE r2.assignment_id = a.id AND r2.as_of <= ? \
             AND (r2.status = ? OR (r2.status = ? AND r2.plan_id IN ({}))) \
           ORDER BY r2.as_of DESC, r2.submitted_at DESC, r2.id DESC LIMIT 1) \
         WHERE a.plan_id IN ({}) AND a.archived_at IS NULL",
        list(unreviewed_count),
        list(plan_ids)
    );
    let mut values: Vec<sea_orm::Value> = vec![
        date.into(),
        ReviewState::Approved.as_str().into(),
        ReviewState::Submitted.as_str().into(),
    ];
    values.extend(
        unreviewed_count
            .iter()
            .chain(plan_ids)
            .map(|id| (*id).into()),
    );
    let backend = ConnectionTrait::get_database_backend(db);
    rows_by_position(db, crate::db::statement(backend, &sql, values)).await
}

/// The rows of a query, converted one by one as they arrive: the driver's
/// copy of a row is freed before the next is read, where collecting first
/// would hold every row twice (measured: 47 MB of SQLite row copies at the
/// peak of a 150-park overview).
///
/// Rows are read by position (`ByPosition`): SeaORM's by-name conversion
/// formats and looks up every column name of every row, which callgrind
/// showed as half of a plan dashboard's instructions.
async fn streamed<C, E>(db: &C, select: Select<E>) -> AppResult<Vec<E::Model>>
where
    C: ConnectionTrait + StreamTrait + Send,
    E: EntityTrait,
    E::Model: ByPosition,
{
    let stmt = select.build(ConnectionTrait::get_database_backend(db));
    rows_by_position(db, stmt).await
}

/// The rows of a statement, streamed and read by position (see `streamed`).
async fn rows_by_position<C, M>(db: &C, stmt: Statement) -> AppResult<Vec<M>>
where
    C: ConnectionTrait + StreamTrait + Send,
    M: ByPosition,
{
    let mut rows = Vec::new();
    let mut stream = std::pin::pin!(db.stream_raw(stmt).await?);
    while let Some(row) = stream.try_next().await? {
        rows.push(M::by_position(&row)?);
    }
    Ok(rows)
}

/// A model read from a row whose columns are the entity's, in its order
/// (what `Entity::find()` selects). The round-trip tests of every field
/// through the API check the order on both databases.
trait ByPosition: Sized {
    fn by_position(row: &QueryResult) -> Result<Self, DbErr>;
}

impl ByPosition for report::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(report::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            assignment_id: r.try_get_by_index(2)?,
            as_of: r.try_get_by_index(3)?,
            value: r.try_get_by_index(4)?,
            note: r.try_get_by_index(5)?,
            problems: r.try_get_by_index(6)?,
            next_steps: r.try_get_by_index(7)?,
            submitted_at: r.try_get_by_index(8)?,
            status: r.try_get_by_index(9)?,
            submitted_by: r.try_get_by_index(10)?,
            reviewed_by: r.try_get_by_index(11)?,
            reviewed_at: r.try_get_by_index(12)?,
            review_reason: r.try_get_by_index(13)?,
        })
    }
}

impl ByPosition for assignment::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(assignment::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            goal_id: r.try_get_by_index(2)?,
            unit_id: r.try_get_by_index(3)?,
            target_value: r.try_get_by_index(4)?,
            deadline: r.try_get_by_index(5)?,
            responsible_person: r.try_get_by_index(6)?,
            archived_at: r.try_get_by_index(7)?,
            created_at: r.try_get_by_index(8)?,
        })
    }
}

impl ByPosition for goal::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(goal::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            parent_id: r.try_get_by_index(2)?,
            position: r.try_get_by_index(3)?,
            code: r.try_get_by_index(4)?,
            title: r.try_get_by_index(5)?,
            category: r.try_get_by_index(6)?,
            kind: r.try_get_by_index(7)?,
            measure_unit: r.try_get_by_index(8)?,
            target_value: r.try_get_by_index(9)?,
            baseline_value: r.try_get_by_index(10)?,
            direction: r.try_get_by_index(11)?,
            weight: r.try_get_by_index(12)?,
            deadline: r.try_get_by_index(13)?,
            monthly_plan: r.try_get_by_index(14)?,
            lead_unit_id: r.try_get_by_index(15)?,
            responsible_leader: r.try_get_by_index(16)?,
            responsible_person: r.try_get_by_index(17)?,
            original_text: r.try_get_by_index(18)?,
            archived_at: r.try_get_by_index(19)?,
            created_at: r.try_get_by_index(20)?,
            updated_at: r.try_get_by_index(21)?,
        })
    }
}

impl ByPosition for milestone::Model {
    fn by_position(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(milestone::Model {
            id: r.try_get_by_index(0)?,
            plan_id: r.try_get_by_index(1)?,
            goal_id: r.try_get_by_index(2)?,
            position: r.try_get_by_index(3)?,
            title: r.try_get_by_index(4)?,
            due_date: r.try_get_by_index(5)?,
            weight: r.try_get_by_index(6)?,
            completed_on: r.try_get_by_index(7)?,
            archived_at: r.try_get_by_index(8)?,
            created_at: r.try_get_by_index(9)?,
        })
    }
}

/// Rows of one plan on their way to becoming a `PlanStructure`.
struct Rows {
    plan: plan::Model,
    goals: Vec<goal::Model>,
    supporting: Vec<goal_supporting_unit::Model>,
    assignments: Vec<assignment::Model>,
    milestones: Vec<milestone::Model>,
}

impl Rows {
    fn new(plan: plan::Model) -> Self {
        Rows {
            plan,
            goals: vec![],
            supporting: vec![],
            assignments: vec![],
            milestones: vec![],
        }
    }

    /// The units this plan names (owner, lead, supporting, assigned).
    fn unit_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.goals.iter().filter_map(|g| g.lead_unit_id).collect();
        ids.extend(self.supporting.iter().map(|s| s.unit_id));
        ids.extend(self.assignments.iter().map(|a| a.unit_id));
        ids.push(self.plan.owner_unit_id);
        ids
    }

    fn into_structure(self, all_units: &HashMap<i64, unit::Model>) -> PlanStructure {
        let units = self
            .unit_ids()
            .into_iter()
            .filter_map(|id| all_units.get(&id).map(|u| (id, u.clone())))
            .collect();
        // Rows of archived goals, or of goals below an archived one, are not
        // part of the plan any more.
        let active: HashSet<i64> = self.goals.iter().map(|g| g.id).collect();
        PlanStructure {
            assignments: self
                .assignments
                .into_iter()
                .filter(|a| active.contains(&a.goal_id))
                .collect(),
            milestones: self
                .milestones
                .into_iter()
                .filter(|m| active.contains(&m.goal_id))
                .collect(),
            supporting: self
                .supporting
                .into_iter()
                .filter(|s| active.contains(&s.goal_id))
                .collect(),
            plan: self.plan,
            goals: self.goals,
            units,
        }
    }
}

/// A snapshot: the structure, the reports of a scope, and the facts the
/// domain judges.
fn assemble(
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
struct Stored<'a>(&'a report::Model);

impl Dated for Stored<'_> {
    fn as_of(&self) -> NaiveDate {
        self.0.as_of
    }
    fn order_key(&self) -> (NaiveDate, chrono::DateTime<chrono::Utc>, i64) {
        (self.0.as_of, self.0.submitted_at, self.0.id)
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

    use super::{PlanData, PlanStructure, ReportScope, assemble};

    /// An empty DRAFT plan of 2025 (no goals, shares or units).
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
