//! Whole-plan evaluation as of a date: every goal (trees included), every
//! assignment, every unit, every category and the plan, in one pass over the
//! facts. Callers ask the `Evaluation` for the figure they need.
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::completion::{
    Progress, cumulative_completion, latest_report, milestone_completion, rank_completion,
    rate_completion, unsigned_zero, veto_completion, weighted_capped_average,
};
use super::deadlines;
use super::facts::{AssignmentFacts, GoalFacts, PlanFacts, ReportFact};
use super::judgement::{self, Thresholds, is_complete};
use super::kinds::GoalKind;
use super::schedule;

mod units;

use units::judge_units;
pub use units::{LightCounts, UnitJudgement, UnitProgress};

/// The category label of top-level goals that have none.
pub const UNCATEGORISED: &str = "未分类";

#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub as_of: NaiveDate,
    goals: HashMap<i64, Progress>,
    assignments: HashMap<i64, Progress>,
    assignment_started: HashMap<i64, bool>,
    plan: Progress,
    vetoed_by: Vec<i64>,
    categories: Vec<(String, Progress)>,
    units: Vec<UnitJudgement>,
}

impl Evaluation {
    /// A goal's progress; `None` for goals outside the evaluated tree
    /// (archived, or below an archived parent).
    pub fn goal(&self, goal_id: i64) -> Option<Progress> {
        self.goals.get(&goal_id).copied()
    }

    pub fn assignment(&self, assignment_id: i64) -> Option<Progress> {
        self.assignments.get(&assignment_id).copied()
    }

    /// The plan's figure; its score is 0 when the plan is vetoed.
    pub fn plan(&self) -> Progress {
        self.plan
    }

    /// Whether a failed VETO goal voids the plan's score.
    pub fn vetoed(&self) -> bool {
        !self.vetoed_by.is_empty()
    }

    /// Bytes the evaluation holds: its maps and lists (what a kept
    /// snapshot carries besides its facts).
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        // A hash map slot: key, value and a control byte, at 7/8 load.
        fn map<K, V>(m: &HashMap<K, V>) -> usize {
            m.capacity() * (size_of::<(K, V)>() + 1) * 8 / 7
        }
        size_of::<Evaluation>()
            + map(&self.goals)
            + map(&self.assignments)
            + map(&self.assignment_started)
            + self.vetoed_by.capacity() * size_of::<i64>()
            + self
                .categories
                .iter()
                .map(|(name, _)| size_of::<(String, Progress)>() + name.len())
                .sum::<usize>()
            + self.units.capacity() * size_of::<UnitJudgement>()
    }

    /// The VETO goals that failed, in plan order.
    pub fn vetoed_by(&self) -> &[i64] {
        &self.vetoed_by
    }

    /// Categories of the top-level goals, in the order they first appear.
    pub fn categories(&self) -> &[(String, Progress)] {
        &self.categories
    }

    /// Units with assignments in the plan, highest completion first, then
    /// the units with nothing counted (no completion) in plan order.
    pub fn units(&self) -> &[UnitJudgement] {
        &self.units
    }

    pub fn unit(&self, unit_id: i64) -> Option<&UnitJudgement> {
        self.units.iter().find(|u| u.unit_id == unit_id)
    }

    /// Units judged over the assignments of the goals `include` keeps (a
    /// category's, say), ordered as `units`. `plan` must be the facts
    /// this evaluation was made from.
    pub fn units_where(
        &self,
        plan: &PlanFacts,
        include: impl Fn(&GoalFacts) -> bool,
    ) -> Vec<UnitJudgement> {
        let ctx = Context::new(plan, self.as_of);
        let goals: Vec<&GoalFacts> = GoalTree::new(&plan.goals)
            .reachable_goals()
            .into_iter()
            .filter(|g| include(g))
            .collect();
        judge_units(&goals, &self.assignments, &self.assignment_started, &ctx)
    }
}

/// Whether a goal enters the weighted roll-ups above it (its parent GROUP,
/// the plan, its category, its units): every goal but a 其中 row without
/// points of its own.
fn enters_roll_ups(goal: &GoalFacts) -> bool {
    !goal.subset || goal.weight > 0.0
}

/// What a goal or assignment is judged from, before lights and scores.
#[derive(Clone, Copy, Debug)]
struct Raw {
    target: Option<f64>,
    actual: Option<f64>,
    completion_percent: f64,
    expected_percent: Option<f64>,
    overdue: bool,
    started: bool,
}

/// Lights, status and score of a goal or assignment of `kind`.
fn judge(kind: GoalKind, raw: Raw, weight: f64, ctx: &Context) -> Progress {
    let c = raw.completion_percent;
    let gap = judgement::gap(c, raw.expected_percent);
    let light = match kind {
        GoalKind::Cumulative | GoalKind::Milestone | GoalKind::Group => {
            judgement::progress_light(c, gap, raw.overdue, &ctx.thresholds)
        }
        // A rank has no time progress either: the RATE rule.
        GoalKind::Rate | GoalKind::Rank => judgement::rate_light(c, &ctx.thresholds),
        GoalKind::Veto => judgement::veto_light(is_complete(c)),
    };
    Progress {
        target: raw.target,
        actual: raw.actual,
        completion_percent: c,
        expected_percent: raw.expected_percent,
        gap,
        light,
        status: judgement::status(c, raw.overdue, raw.started),
        score: Some(judgement::score(weight, c, ctx.cap_percent)),
    }
    .shown()
}

/// Everything the rules need besides the goal itself.
struct Context<'a> {
    plan: &'a PlanFacts,
    as_of: NaiveDate,
    cap_percent: f64,
    thresholds: Thresholds,
}

impl<'a> Context<'a> {
    fn new(plan: &'a PlanFacts, as_of: NaiveDate) -> Self {
        Context {
            plan,
            as_of,
            cap_percent: plan.score_cap * 100.0,
            thresholds: plan.thresholds,
        }
    }

    /// Time progress towards `deadline`, along the goal's curve if it has one.
    fn expected(&self, goal: &GoalFacts, deadline: NaiveDate) -> f64 {
        match (&goal.monthly_plan, goal.target) {
            (Some(curve), Some(target)) => {
                schedule::curve_expected(self.plan.start, deadline, self.as_of, curve, target)
            }
            _ => schedule::linear_expected(
                self.plan.start,
                deadline,
                self.as_of,
                self.plan.time_progress_mode,
            ),
        }
    }

    fn past(&self, deadline: NaiveDate) -> bool {
        deadlines::past_due(deadline, self.as_of)
    }
}

/// An item of a roll-up: (weight, judged progress, started).
type RollItem = (f64, Progress, bool);

/// A weighted roll-up of already judged items.
fn roll_up(items: &[RollItem], overdue: bool, ctx: &Context) -> Progress {
    let c = weighted_capped_average(
        items.iter().map(|(w, p, _)| (*w, p.completion_percent)),
        ctx.cap_percent,
    );
    let e = weighted_average_defined(items.iter().map(|(w, p, _)| (*w, p.expected_percent)));
    let gap = judgement::gap(c, e);
    let started = items.iter().any(|(_, _, s)| *s);
    Progress {
        target: None,
        actual: None,
        completion_percent: c,
        expected_percent: e,
        gap,
        // A roll-up's light reads its gap; "overdue" belongs to goals.
        light: judgement::progress_light(c, gap, false, &ctx.thresholds),
        status: judgement::status(c, overdue && !is_complete(c), started),
        score: Some(items.iter().filter_map(|(_, p, _)| p.score).sum()),
    }
    .shown()
}

/// e of a roll-up: Σ wᵢ eᵢ / Σ wᵢ over the items that count in its c
/// (weight above 0, or all of them when every weight is 0) whose e is
/// defined; `None` when none of those has one.
///
/// The items are chosen as for c, before asking which have an e: a weight-0
/// item is not part of c, so its time progress must not stand in for the
/// counted items' (a weight-0 milestone not yet due gave e = 0 to a unit
/// whose only counted goal was a failed VETO: 0.0 % read GREEN).
fn weighted_average_defined(items: impl IntoIterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    let items: Vec<(f64, Option<f64>)> = items.into_iter().collect();
    let any_weighted = items.iter().any(|(w, _)| *w > 0.0);
    let defined: Vec<(f64, f64)> = items
        .into_iter()
        .filter(|(w, _)| !any_weighted || *w > 0.0)
        .filter_map(|(w, e)| e.map(|e| (w, e)))
        .collect();
    if defined.is_empty() {
        return None;
    }
    // e never exceeds 100, so a cap of 100 leaves it untouched.
    Some(weighted_capped_average(defined, 100.0))
}

/// Evaluates a whole plan as of `as_of`.
pub fn evaluate(plan: &PlanFacts, as_of: NaiveDate) -> Evaluation {
    let ctx = Context::new(plan, as_of);
    let tree = GoalTree::new(&plan.goals);
    let mut raws = HashMap::new();
    for root in &tree.roots {
        evaluate_goal(&tree, root, &ctx, &mut raws);
    }
    let reachable = tree.reachable_goals();
    let goals: HashMap<i64, Progress> = reachable
        .iter()
        .map(|g| (g.id, judge(g.kind, raws[&g.id], g.weight, &ctx)))
        .collect();

    let mut assignments = HashMap::new();
    let mut assignment_started = HashMap::new();
    for goal in &reachable {
        for a in &goal.assignments {
            let (progress, started) = match goal.kind {
                // Milestones belong to the goal: the assignment carries its progress.
                GoalKind::Milestone => (goals[&goal.id], raws[&goal.id].started),
                kind => {
                    let raw = assignment_raw(goal, a, &ctx);
                    (judge(kind, raw, goal.weight, &ctx), raw.started)
                }
            };
            assignments.insert(a.id, progress);
            assignment_started.insert(a.id, started);
        }
    }

    let past_plan_end = ctx.past(plan.end);
    let top = |g: &&GoalFacts| (g.weight, goals[&g.id], raws[&g.id].started);
    let roots: Vec<&GoalFacts> = tree
        .roots
        .iter()
        .copied()
        .filter(|g| enters_roll_ups(g))
        .collect();
    let top_items: Vec<RollItem> = roots.iter().map(top).collect();
    let mut plan_progress = roll_up(&top_items, past_plan_end, &ctx);
    let vetoed_by: Vec<i64> = reachable
        .iter()
        .filter(|g| g.kind == GoalKind::Veto && !is_complete(goals[&g.id].completion_percent))
        .map(|g| g.id)
        .collect();
    if !vetoed_by.is_empty() {
        plan_progress.score = Some(0.0);
    }

    let mut category_order: Vec<String> = Vec::new();
    for root in &roots {
        let label = category_label(root);
        if !category_order.contains(&label) {
            category_order.push(label);
        }
    }
    let categories = category_order
        .into_iter()
        .map(|label| {
            let items: Vec<_> = roots
                .iter()
                .filter(|g| category_label(g) == label)
                .map(top)
                .collect();
            let progress = roll_up(&items, past_plan_end, &ctx);
            (label, progress)
        })
        .collect();

    let units = judge_units(&reachable, &assignments, &assignment_started, &ctx);

    Evaluation {
        as_of,
        goals,
        assignments,
        assignment_started,
        plan: plan_progress,
        vetoed_by,
        categories,
        units,
    }
}

fn category_label(goal: &GoalFacts) -> String {
    match goal.category.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => UNCATEGORISED.to_string(),
    }
}

/// Goals indexed by parent, keeping display order. Goals whose parent is not
/// among the facts (it was archived) drop out with their whole subtree.
struct GoalTree<'a> {
    roots: Vec<&'a GoalFacts>,
    children: HashMap<i64, Vec<&'a GoalFacts>>,
}

impl<'a> GoalTree<'a> {
    fn new(goals: &'a [GoalFacts]) -> Self {
        let mut roots = Vec::new();
        let mut children: HashMap<i64, Vec<&GoalFacts>> = HashMap::new();
        for g in goals {
            match g.parent_id {
                None => roots.push(g),
                Some(p) => children.entry(p).or_default().push(g),
            }
        }
        GoalTree { roots, children }
    }

    fn children_of(&self, goal_id: i64) -> &[&'a GoalFacts] {
        self.children
            .get(&goal_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every goal reachable from a root, parents before children.
    fn reachable_goals(&self) -> Vec<&'a GoalFacts> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack: Vec<&GoalFacts> = self.roots.iter().rev().copied().collect();
        while let Some(g) = stack.pop() {
            // The service refuses cycles; `seen` keeps a corrupt row harmless.
            if !seen.insert(g.id) {
                continue;
            }
            out.push(g);
            stack.extend(self.children_of(g.id).iter().rev().copied());
        }
        out
    }
}

fn evaluate_goal(
    tree: &GoalTree<'_>,
    goal: &GoalFacts,
    ctx: &Context,
    memo: &mut HashMap<i64, Raw>,
) -> Raw {
    if let Some(raw) = memo.get(&goal.id) {
        return *raw;
    }
    // Mark the goal before descending so a corrupt cycle terminates.
    memo.insert(goal.id, NOTHING);
    // Every child is evaluated (a 其中 row has figures of its own); which
    // of them feed this goal depends on its kind.
    let children: Vec<(&GoalFacts, Raw)> = tree
        .children_of(goal.id)
        .iter()
        .map(|c| (*c, evaluate_goal(tree, c, ctx, memo)))
        .collect();
    let deadline = deadlines::due_by(goal.deadline, ctx.plan.end);
    let as_of = ctx.as_of;
    let target = goal.target;

    let raw = match goal.kind {
        GoalKind::Group => group_raw(&children, deadline, ctx),
        GoalKind::Cumulative => cumulative_raw(goal, &children, deadline, ctx),
        GoalKind::Rate | GoalKind::Rank => {
            // The level (or place) the goal stands at: the latest report
            // across its assignments.
            let actual = latest_report(goal.assignments.iter().flat_map(|a| &a.reports), as_of)
                .map(|r| unsigned_zero(r.value));
            let c = target.map_or(0.0, |t| match goal.kind {
                GoalKind::Rank => rank_completion(actual, t),
                _ => rate_completion(actual, t, goal.baseline, goal.direction),
            });
            Raw {
                target,
                actual,
                completion_percent: c,
                expected_percent: None,
                overdue: ctx.past(deadline) && !is_complete(c),
                started: actual.is_some(),
            }
        }
        GoalKind::Veto => {
            let actual = sum_present(
                goal.assignments
                    .iter()
                    .map(|a| latest_value(&a.reports, as_of)),
            );
            Raw {
                target,
                actual,
                completion_percent: veto_completion(actual, target.unwrap_or(0.0)),
                // A VETO goal passes or fails; it is never "late".
                overdue: false,
                started: actual.is_some(),
                ..NOTHING
            }
        }
        GoalKind::Milestone => {
            let c = milestone_completion(&goal.milestones, as_of);
            let milestone_late = goal
                .milestones
                .iter()
                .any(|m| deadlines::milestone_overdue(m.due, m.completed_on, as_of));
            Raw {
                completion_percent: c,
                expected_percent: Some(
                    schedule::milestone_expected(&goal.milestones, as_of)
                        .unwrap_or_else(|| ctx.expected(goal, deadline)),
                ),
                overdue: !is_complete(c) && (ctx.past(deadline) || milestone_late),
                started: goal
                    .milestones
                    .iter()
                    .any(|m| deadlines::done_by(m.completed_on, as_of)),
                ..NOTHING
            }
        }
    };
    memo.insert(goal.id, raw);
    raw
}

/// What judges nothing yet: no target, no actual, c 0.
const NOTHING: Raw = Raw {
    target: None,
    actual: None,
    completion_percent: 0.0,
    expected_percent: None,
    overdue: false,
    started: false,
};

/// A GROUP goal: the weighted capped average of the sub-goals that enter
/// roll-ups (a 其中 row without points does not).
fn group_raw(children: &[(&GoalFacts, Raw)], deadline: NaiveDate, ctx: &Context) -> Raw {
    let counted: Vec<(f64, Raw)> = children
        .iter()
        .filter(|(c, _)| enters_roll_ups(c))
        .map(|(c, r)| (c.weight, *r))
        .collect();
    let c = weighted_capped_average(
        counted.iter().map(|(w, r)| (*w, r.completion_percent)),
        ctx.cap_percent,
    );
    Raw {
        completion_percent: c,
        expected_percent: weighted_average_defined(
            counted.iter().map(|(w, r)| (*w, r.expected_percent)),
        ),
        overdue: ctx.past(deadline) && !is_complete(c),
        started: counted.iter().any(|(_, r)| r.started),
        ..NOTHING
    }
}

/// A CUMULATIVE goal: the sum of the parts that add up to it — its
/// sub-goals but the 其中 rows, which are already inside another part's
/// figure — or, without such parts, of its assignments' latest reports.
fn cumulative_raw(
    goal: &GoalFacts,
    children: &[(&GoalFacts, Raw)],
    deadline: NaiveDate,
    ctx: &Context,
) -> Raw {
    let parts: Vec<&Raw> = children
        .iter()
        .filter(|(c, _)| !c.subset)
        .map(|(_, r)| r)
        .collect();
    let actual = if parts.is_empty() {
        sum_present(
            goal.assignments
                .iter()
                .map(|a| latest_value(&a.reports, ctx.as_of)),
        )
    } else {
        sum_present(parts.iter().map(|r| r.actual))
    };
    let c = goal
        .target
        .map_or(0.0, |t| cumulative_completion(actual, t));
    Raw {
        target: goal.target,
        actual,
        completion_percent: c,
        expected_percent: Some(ctx.expected(goal, deadline)),
        overdue: ctx.past(deadline) && !is_complete(c),
        started: actual.is_some() || parts.iter().any(|r| r.started),
    }
}

/// An assignment of a CUMULATIVE, RATE, RANK or VETO goal, against its own target
/// and deadline (the goal's where it has none).
fn assignment_raw(goal: &GoalFacts, assignment: &AssignmentFacts, ctx: &Context) -> Raw {
    let target = deadlines::assignment_target(assignment.target, goal.target);
    let deadline = deadlines::due_by(
        deadlines::assignment_deadline(assignment.deadline, goal.deadline),
        ctx.plan.end,
    );
    let actual = latest_value(&assignment.reports, ctx.as_of);
    let (c, e, can_be_late) = match (goal.kind, target) {
        // Time progress needs a deadline, not a target: a share whose
        // target is missing is still due by its deadline (and has done 0 %
        // of an unknown amount), so it keeps its e like any other.
        (GoalKind::Cumulative, t) => (
            t.map_or(0.0, |t| cumulative_completion(actual, t)),
            Some(ctx.expected(goal, deadline)),
            true,
        ),
        (GoalKind::Rate, Some(t)) => (
            rate_completion(actual, t, goal.baseline, goal.direction),
            None,
            true,
        ),
        (GoalKind::Rank, Some(t)) => (rank_completion(actual, t), None, true),
        (GoalKind::Veto, t) => (veto_completion(actual, t.unwrap_or(0.0)), None, false),
        // GROUP goals cannot be assigned and RATE targets are required
        // elsewhere; should a row slip through, it judges as "nothing done".
        _ => (0.0, None, false),
    };
    Raw {
        target,
        actual,
        completion_percent: c,
        expected_percent: e,
        overdue: can_be_late && ctx.past(deadline) && !is_complete(c),
        started: actual.is_some(),
    }
}

/// The value of the latest report as of the date (a report typed as "-0"
/// stands as 0).
fn latest_value(reports: &[ReportFact], as_of: NaiveDate) -> Option<f64> {
    latest_report(reports, as_of).map(|r| unsigned_zero(r.value))
}

/// Σ of the present values (absent ones count 0); `None` if none is present.
fn sum_present(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values
        .into_iter()
        .flatten()
        .fold(None, |acc, v| Some(unsigned_zero(acc.unwrap_or(0.0) + v)))
}

#[cfg(test)]
mod tests;
