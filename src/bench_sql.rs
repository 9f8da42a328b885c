//! The province benchmark's raw SQL (`benches/raw_sql.rs`): the figures the
//! server shows, computed by the database alone in hand-written SQL, and
//! the check that both give the same answer (`bench/run.sh` runs it before
//! it prints a ratio; `tests/raw_sql.rs` runs it on a small province).
//!
//! Nothing in the server calls this: it is the yardstick, the fastest
//! answer a database can give to the questions the workloads ask, so it
//! must ask the same questions. It follows docs/rules.md as the domain
//! crate implements it, for the plans the synthetic province has (flat:
//! every goal at the top level, no GROUP goals or sub-goals):
//!
//! - the report standing per assignment on a date: the latest counting one by
//!   (asOf, submission, id); a returned report never counts, an unreviewed
//!   one only where the plan does not require approval;
//! - CUMULATIVE: actual = Σ of the assignments' standing values (null while none
//!   has one), c = A / T × 100; VETO: the same count, c = 100 while it is
//!   at most the limit; RATE: actual = the latest counting report across
//!   all assignments, c by direction and baseline; MILESTONE: completed weight
//!   over all weight (each counts one when all weigh 0);
//! - an assignment: its standing value against its own target (else the goal's),
//!   judged like its goal; a MILESTONE assignment carries its goal's figure;
//! - plan, category and unit: the weighted average of c capped at the
//!   plan's score cap, over weights > 0 (all 0: the plain average).
//!
//! Sub-goals and GROUP goals are outside this SQL (a GROUP goal reads 0,
//! a CUMULATIVE parent sums no assignments), so the check shows such a plan as
//! a mismatch as soon as its sub-goals have progress.
//!
//! Every statement takes its dates as a list (`dates` CTE), so the
//! drill-down's trend is the same SQL at each month end.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use serde_json::Value as Json;

/// Which rows a statement covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every plan that is not archived.
    Province,
    Plan(i64),
    Goal(i64),
}

impl Scope {
    /// The condition on the aliases `p` (plan) and `g` (goal) every
    /// statement's rows join, with at most one `?`.
    fn condition(self) -> &'static str {
        match self {
            Scope::Province => "1 = 1",
            Scope::Plan(_) => "p.id = ?",
            Scope::Goal(_) => "g.id = ?",
        }
    }

    fn id(self) -> Option<i64> {
        match self {
            Scope::Province => None,
            Scope::Plan(id) | Scope::Goal(id) => Some(id),
        }
    }
}

// Literals as doubles: on PostgreSQL `100.0` alone is NUMERIC.
const ZERO: &str = "CAST(0 AS DOUBLE PRECISION)";
const ONE: &str = "CAST(1 AS DOUBLE PRECISION)";
const HUNDRED: &str = "CAST(100 AS DOUBLE PRECISION)";

/// c of a RATE indicator at level `a` against target `t` with baseline `b`
/// and direction `dir` (`domain::completion::rate_completion`).
fn rate_c(a: &str, t: &str, b: &str, dir: &str) -> String {
    format!(
        "CASE WHEN {t} IS NULL OR {a} IS NULL THEN {ZERO}
          WHEN {dir} = 'DECREASE' AND {b} IS NOT NULL THEN ({b} - {a}) / ({b} - {t}) * {HUNDRED}
          WHEN {dir} = 'DECREASE' AND {a} <= 0 THEN {HUNDRED}
          WHEN {dir} = 'DECREASE' THEN {t} / {a} * {HUNDRED}
          WHEN {b} IS NOT NULL THEN ({a} - {b}) / ({t} - {b}) * {HUNDRED}
          ELSE {a} / {t} * {HUNDRED} END"
    )
}

/// c of `kind` with actual `a`, target `t`, baseline `b`, direction `dir`
/// and (MILESTONE) the milestones' figure `m`.
fn completion(kind: &str, a: &str, t: &str, b: &str, dir: &str, m: &str) -> String {
    format!(
        "CASE {kind}
          WHEN 'CUMULATIVE' THEN CASE WHEN {t} IS NULL OR {a} IS NULL THEN {ZERO} ELSE {a} / {t} * {HUNDRED} END
          WHEN 'RATE' THEN {rate}
          WHEN 'VETO' THEN CASE WHEN COALESCE({a}, 0) <= COALESCE({t}, 0) THEN {HUNDRED} ELSE {ZERO} END
          WHEN 'MILESTONE' THEN COALESCE({m}, {ZERO})
          ELSE {ZERO} END",
        rate = rate_c(a, t, b, dir)
    )
}

/// Σ wᵢ × min(cᵢ, cap) / Σ wᵢ over weights > 0; all 0 → the plain average
/// of the capped values (`domain::completion::weighted_capped_average`).
fn weighted_capped(w: &str, c: &str, cap: &str) -> String {
    let capped = format!("(CASE WHEN {c} > {cap} THEN {cap} ELSE {c} END)");
    format!(
        "CASE WHEN SUM(CASE WHEN {w} > 0 THEN {w} ELSE {ZERO} END) > 0
          THEN SUM(CASE WHEN {w} > 0 THEN {w} * {capped} ELSE {ZERO} END) / SUM(CASE WHEN {w} > 0 THEN {w} ELSE {ZERO} END)
          ELSE AVG({capped}) END"
    )
}

/// The report standing per assignment and date, the server's lookup: the
/// latest counting report by one backward seek on the standing index
/// (assignment, asOf, submission, id). PostgreSQL reads the row there
/// (LATERAL); SQLite, which has no LATERAL, finds its id, then the row by
/// key (both materialised: inlined, the lookup would run twice).
/// PostgreSQL's plan for the id-then-row form read all reports into a hash
/// instead of seeking the 60,000 rows: twice as slow.
fn standing_cte(backend: DbBackend) -> String {
    let counting = "r.assignment_id = a.id AND r.as_of <= dt.d
          AND (r.status = 'APPROVED' OR (r.status = 'SUBMITTED' AND NOT p.require_approval))
        ORDER BY r.as_of DESC, r.submitted_at DESC, r.id DESC LIMIT 1";
    let from = "FROM dates dt CROSS JOIN assignment a
      JOIN goal g ON g.id = a.goal_id
      JOIN plan p ON p.id = a.plan_id";
    let active =
        "WHERE SCOPE AND a.archived_at IS NULL AND g.archived_at IS NULL AND p.archived_at IS NULL";
    let columns = "dt.d, a.id AS assignment_id, a.plan_id, a.goal_id, a.unit_id, g.kind, a.target_value AS assignment_target";
    match backend {
        DbBackend::Postgres => format!(
            "standing AS MATERIALIZED (
    SELECT {columns}, r.id AS report_id, r.value, r.as_of AS report_as_of, r.submitted_at AS report_submitted_at
    {from}
      LEFT JOIN LATERAL (SELECT r.id, r.value, r.as_of, r.submitted_at FROM report r
        WHERE {counting}) r ON TRUE
    {active}
  )"
        ),
        _ => format!(
            "standing_ids AS MATERIALIZED (
    SELECT {columns}, (SELECT r.id FROM report r WHERE {counting}) AS report_id
    {from}
    {active}
  ),
  standing AS MATERIALIZED (
    SELECT s.d, s.assignment_id, s.plan_id, s.goal_id, s.unit_id, s.kind, s.assignment_target, s.report_id,
      r.value, r.as_of AS report_as_of, r.submitted_at AS report_submitted_at
    FROM standing_ids s LEFT JOIN report r ON r.id = s.report_id
  )"
        ),
    }
}

/// The CTEs every figure is built from; `SCOPE` marks the scope's
/// condition.
fn goal_ctes(backend: DbBackend) -> String {
    let goal_c = completion(
        "ga.kind",
        "ga.actual",
        "ga.target",
        "ga.baseline",
        "ga.direction",
        "ga.milestone_c",
    );
    format!(
        "{standing},
  rate_latest AS (
    SELECT d, goal_id, value FROM (
      SELECT d, goal_id, value, ROW_NUMBER() OVER (PARTITION BY d, goal_id
          ORDER BY report_as_of DESC, report_submitted_at DESC, report_id DESC) AS n
      FROM standing WHERE kind = 'RATE' AND report_id IS NOT NULL
    ) ranked WHERE n = 1
  ),
  sums AS (
    SELECT d, goal_id, SUM(value) AS total FROM standing
    WHERE kind IN ('CUMULATIVE', 'VETO') GROUP BY d, goal_id
  ),
  milestones_done AS (
    SELECT dt.d, m.goal_id,
      CASE WHEN MAX(m.weight) > 0
        THEN SUM(CASE WHEN m.completed_on <= dt.d THEN m.weight ELSE {ZERO} END) / SUM(m.weight) * {HUNDRED}
        ELSE SUM(CASE WHEN m.completed_on <= dt.d THEN {ONE} ELSE {ZERO} END) / COUNT(*) * {HUNDRED}
      END AS c,
      MAX(CASE WHEN m.completed_on <= dt.d THEN 1 ELSE 0 END) AS any_done
    FROM dates dt CROSS JOIN milestone m
      JOIN goal g ON g.id = m.goal_id
      JOIN plan p ON p.id = g.plan_id
    WHERE SCOPE AND g.kind = 'MILESTONE' AND m.archived_at IS NULL AND g.archived_at IS NULL AND p.archived_at IS NULL
    GROUP BY dt.d, m.goal_id
  ),
  goal_actual AS (
    SELECT dt.d, g.id AS goal_id, g.plan_id, g.parent_id, g.kind, g.category, g.weight,
      g.direction, g.baseline_value AS baseline, p.score_cap * {HUNDRED} AS cap,
      CASE WHEN g.kind IN ('MILESTONE', 'GROUP') THEN NULL ELSE g.target_value END AS target,
      CASE g.kind WHEN 'RATE' THEN rl.value WHEN 'CUMULATIVE' THEN su.total WHEN 'VETO' THEN su.total END AS actual,
      md.c AS milestone_c, COALESCE(md.any_done, 0) AS milestone_started
    FROM dates dt CROSS JOIN goal g
      JOIN plan p ON p.id = g.plan_id
      LEFT JOIN sums su ON su.d = dt.d AND su.goal_id = g.id
      LEFT JOIN rate_latest rl ON rl.d = dt.d AND rl.goal_id = g.id
      LEFT JOIN milestones_done md ON md.d = dt.d AND md.goal_id = g.id
    WHERE SCOPE AND g.archived_at IS NULL AND p.archived_at IS NULL
  ),
  goals_done AS (
    SELECT ga.d, ga.goal_id, ga.plan_id, ga.parent_id, ga.kind, ga.category, ga.weight,
      ga.direction, ga.baseline, ga.cap, ga.target, ga.actual, ga.milestone_started,
      {goal_c} AS c
    FROM goal_actual ga
  )",
        standing = standing_cte(backend)
    )
}

/// The assignments' figures, on top of `goal_ctes`.
fn assignment_ctes(backend: DbBackend) -> String {
    let target = "COALESCE(s.assignment_target, gd.target)";
    let assignment_c = completion(
        "gd.kind",
        "s.value",
        target,
        "gd.baseline",
        "gd.direction",
        "gd.c",
    );
    format!(
        "{goals},
  assignments_done AS (
    SELECT s.d, s.assignment_id, s.plan_id, s.goal_id, s.unit_id, gd.kind, gd.weight, gd.cap,
      CASE WHEN gd.kind IN ('MILESTONE', 'GROUP') THEN NULL ELSE {target} END AS target,
      CASE WHEN gd.kind IN ('MILESTONE', 'GROUP') THEN NULL ELSE s.value END AS actual,
      {assignment_c} AS c,
      CASE WHEN gd.kind = 'MILESTONE' THEN gd.milestone_started
        WHEN s.report_id IS NOT NULL THEN 1 ELSE 0 END AS started
    FROM standing s JOIN goals_done gd ON gd.goal_id = s.goal_id AND gd.d = s.d
  )",
        goals = goal_ctes(backend)
    )
}

/// Double-typed output column.
fn f(expr: &str) -> String {
    format!("CAST({expr} AS DOUBLE PRECISION)")
}

/// Builds the raw statements for one backend.
#[derive(Clone, Copy, Debug)]
pub struct RawSql {
    pub backend: DbBackend,
}

impl RawSql {
    pub fn new(backend: DbBackend) -> Self {
        RawSql { backend }
    }

    /// `WITH dates AS (…), <ctes> <select>` with `SCOPE` replaced by the
    /// scope's condition, and its values: the dates, then the scope's id
    /// once per condition.
    fn statement(&self, scope: Scope, dates: &[NaiveDate], ctes: &str, select: &str) -> Statement {
        assert!(!dates.is_empty(), "a figure needs a date");
        let one = match self.backend {
            DbBackend::Postgres => "SELECT CAST(? AS DATE) AS d",
            _ => "SELECT ? AS d",
        };
        let dates_sql = vec![one; dates.len()].join(" UNION ALL ");
        let body = format!("WITH dates AS ({dates_sql}), {ctes} {select}");
        let conditions = body.matches("SCOPE").count();
        let sql = body.replace("SCOPE", scope.condition());
        let mut values: Vec<Value> = dates.iter().map(|d| (*d).into()).collect();
        if let Some(id) = scope.id() {
            values.extend((0..conditions).map(|_| Value::from(id)));
        }
        crate::db::statement(self.backend, &sql, values)
    }

    /// Rows (date, plan, goal, kind, target, actual, c), one per goal and
    /// date.
    pub fn goals(&self, scope: Scope, dates: &[NaiveDate]) -> Statement {
        let select = format!(
            "SELECT d, plan_id, goal_id, kind, {}, {}, {} FROM goals_done ORDER BY plan_id, goal_id, d",
            f("target"),
            f("actual"),
            f("c")
        );
        self.statement(scope, dates, &goal_ctes(self.backend), &select)
    }

    /// Rows (date, plan, assignment, unit, target, actual, c), one per
    /// assignment and date.
    pub fn assignments(&self, scope: Scope, dates: &[NaiveDate]) -> Statement {
        let select = format!(
            "SELECT d, plan_id, assignment_id, unit_id, {}, {}, {} FROM assignments_done ORDER BY plan_id, assignment_id, d",
            f("target"),
            f("actual"),
            f("c")
        );
        self.statement(scope, dates, &assignment_ctes(self.backend), &select)
    }

    /// Rows (date, plan, c): the plan's figure over its top-level goals
    /// (0 for a plan without goals). Not for a goal's scope.
    pub fn plans(&self, scope: Scope, dates: &[NaiveDate]) -> Statement {
        debug_assert!(!matches!(scope, Scope::Goal(_)));
        let select = format!(
            "SELECT dt.d, p.id, {} FROM dates dt CROSS JOIN plan p
               LEFT JOIN (SELECT d, plan_id, {} AS c FROM goals_done WHERE parent_id IS NULL GROUP BY d, plan_id) x
                 ON x.d = dt.d AND x.plan_id = p.id
             WHERE SCOPE AND p.archived_at IS NULL ORDER BY p.id, dt.d",
            f(&format!("COALESCE(x.c, {ZERO})")),
            weighted_capped("weight", "c", "cap")
        );
        self.statement(scope, dates, &goal_ctes(self.backend), &select)
    }

    /// Rows (date, plan, category, c) over the top-level goals of each
    /// category (`未分类` for none).
    pub fn categories(&self, scope: Scope, dates: &[NaiveDate]) -> Statement {
        let label = "COALESCE(NULLIF(TRIM(category), ''), '未分类')";
        let select = format!(
            "SELECT d, plan_id, {label}, {} FROM goals_done WHERE parent_id IS NULL
             GROUP BY d, plan_id, {label} ORDER BY plan_id, d",
            f(&weighted_capped("weight", "c", "cap"))
        );
        self.statement(scope, dates, &goal_ctes(self.backend), &select)
    }

    /// Rows (date, plan, unit, c) over each unit's assignments weighted by
    /// their goals' weights, highest first; a unit with nothing counted (no
    /// weighted assignment with a report or a completed 节点) has no figure
    /// and no row.
    pub fn units(&self, scope: Scope, dates: &[NaiveDate]) -> Statement {
        let c = f(&weighted_capped("weight", "c", "cap"));
        let select = format!(
            "SELECT d, plan_id, unit_id, {c} AS done FROM assignments_done
             GROUP BY d, plan_id, unit_id
             HAVING SUM(CASE WHEN weight > 0 AND started = 1 THEN 1 ELSE 0 END) > 0
             ORDER BY plan_id, d, done DESC"
        );
        self.statement(scope, dates, &assignment_ctes(self.backend), &select)
    }
}

/// The month ends from January of `as_of`'s year through `as_of`, and
/// `as_of` itself: the dates of a goal's trend up to it (the province's
/// plans are calendar years).
pub fn trend_dates(as_of: NaiveDate) -> Vec<NaiveDate> {
    use chrono::Datelike;
    let mut out: Vec<NaiveDate> = (1..=12)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(as_of.year(), m, 1)?;
            Some(first + chrono::Months::new(1) - chrono::Days::new(1))
        })
        .filter(|end| *end <= as_of)
        .collect();
    if out.last() != Some(&as_of) {
        out.push(as_of);
    }
    out
}

/// A goal's or assignment's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub completion: f64,
}

/// Every figure of one plan as of one date, as the server shows them or
/// as the raw SQL computes them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlanFigures {
    pub completion: f64,
    pub categories: BTreeMap<String, f64>,
    /// Units with a completion (a unit with nothing counted has none).
    pub units: BTreeMap<i64, f64>,
    /// By goal id: its kind and figures.
    pub goals: BTreeMap<i64, (String, Figure)>,
    pub assignments: BTreeMap<i64, Figure>,
}

fn ids_and_figure(row: &sea_orm::QueryResult) -> Result<(i64, i64, Figure), DbErr> {
    Ok((
        row.try_get_by_index(1)?,
        row.try_get_by_index(2)?,
        Figure {
            target: row.try_get_by_index(4)?,
            actual: row.try_get_by_index(5)?,
            completion: row.try_get_by_index(6)?,
        },
    ))
}

/// The raw SQL's figures of every plan in `scope` (a plan or the
/// province) as of `as_of`, by plan id: five statements.
pub async fn raw_figures<C: ConnectionTrait>(
    db: &C,
    scope: Scope,
    as_of: NaiveDate,
) -> Result<BTreeMap<i64, PlanFigures>, DbErr> {
    let sql = RawSql::new(db.get_database_backend());
    let dates = [as_of];
    let mut plans: BTreeMap<i64, PlanFigures> = BTreeMap::new();
    for row in db.query_all_raw(sql.plans(scope, &dates)).await? {
        let plan: i64 = row.try_get_by_index(1)?;
        plans.entry(plan).or_default().completion = row.try_get_by_index(2)?;
    }
    for row in db.query_all_raw(sql.categories(scope, &dates)).await? {
        let plan: i64 = row.try_get_by_index(1)?;
        let category: String = row.try_get_by_index(2)?;
        let c: f64 = row.try_get_by_index(3)?;
        plans
            .entry(plan)
            .or_default()
            .categories
            .insert(category, c);
    }
    for row in db.query_all_raw(sql.units(scope, &dates)).await? {
        let plan: i64 = row.try_get_by_index(1)?;
        let unit: i64 = row.try_get_by_index(2)?;
        let c: f64 = row.try_get_by_index(3)?;
        plans.entry(plan).or_default().units.insert(unit, c);
    }
    for row in db.query_all_raw(sql.goals(scope, &dates)).await? {
        let (plan, goal, figure) = ids_and_figure(&row)?;
        let kind: String = row.try_get_by_index(3)?;
        plans
            .entry(plan)
            .or_default()
            .goals
            .insert(goal, (kind, figure));
    }
    for row in db.query_all_raw(sql.assignments(scope, &dates)).await? {
        let (plan, assignment, figure) = ids_and_figure(&row)?;
        plans
            .entry(plan)
            .or_default()
            .assignments
            .insert(assignment, figure);
    }
    Ok(plans)
}

/// The server's figures of one plan (`$id`) as of `$asOf`, to read with
/// `server_figures`.
pub const SERVER_QUERY: &str = r#"query($id: ID!, $asOf: Date) { plan(id: $id) {
  progress(asOf: $asOf) { completionPercent }
  categoryProgress(asOf: $asOf) { category progress { completionPercent } }
  unitProgress(asOf: $asOf) { unit { id } progress { completionPercent } }
  allGoals { id kind progress(asOf: $asOf) { target actual completionPercent }
    assignments { id progress(asOf: $asOf) { target actual completionPercent } } }
} }"#;

/// The figures in the `plan` object of a `SERVER_QUERY` answer.
pub fn server_figures(plan: &Json) -> Result<PlanFigures, String> {
    fn num(v: &Json, what: &str) -> Result<f64, String> {
        v.as_f64()
            .ok_or_else(|| format!("{what}: not a number: {v}"))
    }
    fn opt(v: &Json, what: &str) -> Result<Option<f64>, String> {
        if v.is_null() {
            Ok(None)
        } else {
            num(v, what).map(Some)
        }
    }
    fn id(v: &Json, what: &str) -> Result<i64, String> {
        v.as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("{what}: not an ID: {v}"))
    }
    fn list<'a>(v: &'a Json, what: &str) -> Result<&'a Vec<Json>, String> {
        v.as_array()
            .ok_or_else(|| format!("{what}: not a list: {v}"))
    }
    fn figure(p: &Json) -> Result<Figure, String> {
        Ok(Figure {
            target: opt(&p["target"], "target")?,
            actual: opt(&p["actual"], "actual")?,
            completion: num(&p["completionPercent"], "completionPercent")?,
        })
    }
    let mut out = PlanFigures {
        completion: num(&plan["progress"]["completionPercent"], "plan progress")?,
        ..Default::default()
    };
    for c in list(&plan["categoryProgress"], "categoryProgress")? {
        let name = c["category"]
            .as_str()
            .ok_or_else(|| format!("category: {c}"))?;
        out.categories.insert(
            name.to_string(),
            num(&c["progress"]["completionPercent"], "category")?,
        );
    }
    // Units with nothing counted have no completion (and no raw row).
    for u in list(&plan["unitProgress"], "unitProgress")? {
        if u["progress"]["completionPercent"].is_null() {
            continue;
        }
        out.units.insert(
            id(&u["unit"]["id"], "unit")?,
            num(&u["progress"]["completionPercent"], "unit")?,
        );
    }
    for g in list(&plan["allGoals"], "allGoals")? {
        let kind = g["kind"].as_str().unwrap_or("?").to_string();
        out.goals
            .insert(id(&g["id"], "goal")?, (kind, figure(&g["progress"])?));
        for a in list(&g["assignments"], "assignments")? {
            out.assignments
                .insert(id(&a["id"], "assignment")?, figure(&a["progress"])?);
        }
    }
    Ok(out)
}

/// Equal to 1e-9 relative, or absolute for values under 1 in magnitude.
pub fn agree(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn agree_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => agree(a, b),
        _ => false,
    }
}

fn show(v: Option<f64>) -> String {
    v.map_or("null".into(), |v| format!("{v}"))
}

/// Compares one plan's figures, goals and assignments first (a roll-up
/// differs because one of them does); the count of figures compared, or
/// the first that differs, named (plan, goal or assignment, field) with both
/// values.
pub fn compare(plan: i64, server: &PlanFigures, raw: &PlanFigures) -> Result<usize, String> {
    let mut n = 0;
    let differs = |what: String, s: Option<f64>, r: Option<f64>| {
        format!(
            "plan {plan} {what}: server {}, raw SQL {}",
            show(s),
            show(r)
        )
    };
    fn keys<K: Ord + Clone, V>(a: &BTreeMap<K, V>, b: &BTreeMap<K, V>) -> Vec<K> {
        let mut k: Vec<K> = a.keys().chain(b.keys()).cloned().collect();
        k.sort();
        k.dedup();
        k
    }
    let figures = |what: String, s: Option<&Figure>, r: Option<&Figure>| -> Result<usize, String> {
        let (Some(s), Some(r)) = (s, r) else {
            let side = if s.is_none() { "server" } else { "raw SQL" };
            return Err(format!(
                "plan {plan} {what}: missing from the {side}'s figures"
            ));
        };
        for (field, a, b) in [
            ("target", s.target, r.target),
            ("actual", s.actual, r.actual),
            ("completion", Some(s.completion), Some(r.completion)),
        ] {
            if !agree_opt(a, b) {
                return Err(differs(format!("{what} {field}"), a, b));
            }
        }
        Ok(3)
    };
    for g in keys(&server.goals, &raw.goals) {
        let (s, r) = (server.goals.get(&g), raw.goals.get(&g));
        let kind = s.or(r).map(|(k, _)| k.as_str()).unwrap_or("?");
        n += figures(
            format!("goal {g} ({kind})"),
            s.map(|(_, f)| f),
            r.map(|(_, f)| f),
        )?;
    }
    for a in keys(&server.assignments, &raw.assignments) {
        n += figures(
            format!("assignment {a}"),
            server.assignments.get(&a),
            raw.assignments.get(&a),
        )?;
    }
    n += 1;
    if !agree(server.completion, raw.completion) {
        return Err(differs(
            "completion".into(),
            Some(server.completion),
            Some(raw.completion),
        ));
    }
    for c in keys(&server.categories, &raw.categories) {
        n += 1;
        let (s, r) = (
            server.categories.get(&c).copied(),
            raw.categories.get(&c).copied(),
        );
        if !agree_opt(s, r) {
            return Err(differs(format!("category {c} completion"), s, r));
        }
    }
    for u in keys(&server.units, &raw.units) {
        n += 1;
        let (s, r) = (server.units.get(&u).copied(), raw.units.get(&u).copied());
        if !agree_opt(s, r) {
            return Err(differs(format!("unit {u} completion"), s, r));
        }
    }
    Ok(n)
}
