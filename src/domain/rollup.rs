//! Whole-plan evaluation as of a date: every goal (trees included), every
//! assignment, every unit, every category and the plan, in one pass over the
//! facts. Callers ask the `Evaluation` for the figure they need.
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::completion::{
    Progress, cumulative_completion, latest_report, milestone_completion, rate_completion,
    veto_completion, weighted_capped_average,
};
use super::facts::{AssignmentFacts, GoalFacts, PlanFacts, ReportFact};
use super::kinds::GoalKind;

/// The category label of top-level goals that have none.
pub const UNCATEGORISED: &str = "未分类";

#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub as_of: NaiveDate,
    goals: HashMap<i64, Progress>,
    assignments: HashMap<i64, Progress>,
    plan: Progress,
    categories: Vec<(String, Progress)>,
    units: Vec<(i64, Progress)>,
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

    pub fn plan(&self) -> Progress {
        self.plan
    }

    /// Categories of the top-level goals, in the order they first appear.
    pub fn categories(&self) -> &[(String, Progress)] {
        &self.categories
    }

    /// Units with assignments in the plan, highest completion first.
    pub fn units(&self) -> &[(i64, Progress)] {
        &self.units
    }

    pub fn unit(&self, unit_id: i64) -> Option<Progress> {
        self.units
            .iter()
            .find(|(id, _)| *id == unit_id)
            .map(|(_, p)| *p)
    }
}

/// Evaluates a whole plan as of `as_of`.
pub fn evaluate(plan: &PlanFacts, as_of: NaiveDate) -> Evaluation {
    let tree = GoalTree::new(&plan.goals);
    let cap_percent = plan.score_cap * 100.0;
    let mut goals = HashMap::new();
    for root in &tree.roots {
        evaluate_goal(&tree, root, as_of, cap_percent, &mut goals);
    }

    let mut assignments = HashMap::new();
    for goal in tree.reachable_goals() {
        let goal_progress = goals[&goal.id];
        for a in &goal.assignments {
            assignments.insert(a.id, assignment_progress(goal, a, goal_progress, as_of));
        }
    }

    let top_level = |g: &&GoalFacts| (g.weight, goals[&g.id].completion_percent);
    let plan_progress = Progress::percent_only(weighted_capped_average(
        tree.roots.iter().map(top_level),
        cap_percent,
    ));

    let mut category_order: Vec<String> = Vec::new();
    for root in &tree.roots {
        let label = category_label(root);
        if !category_order.contains(&label) {
            category_order.push(label);
        }
    }
    let categories = category_order
        .into_iter()
        .map(|label| {
            let members = tree.roots.iter().filter(|g| category_label(g) == label);
            let c = weighted_capped_average(members.map(top_level), cap_percent);
            (label, Progress::percent_only(c))
        })
        .collect();

    let mut by_unit: HashMap<i64, Vec<(f64, f64)>> = HashMap::new();
    let mut unit_order: Vec<i64> = Vec::new();
    for goal in tree.reachable_goals() {
        for a in &goal.assignments {
            let entry = by_unit.entry(a.unit_id).or_insert_with(|| {
                unit_order.push(a.unit_id);
                Vec::new()
            });
            entry.push((goal.weight, assignments[&a.id].completion_percent));
        }
    }
    let mut units: Vec<(i64, Progress)> = unit_order
        .into_iter()
        .map(|unit_id| {
            let c = weighted_capped_average(by_unit[&unit_id].iter().copied(), cap_percent);
            (unit_id, Progress::percent_only(c))
        })
        .collect();
    // Highest completion first; ties keep the order units first appear in
    // the plan (the 分解表 order), which the stable sort preserves.
    units.sort_by(|a, b| b.1.completion_percent.total_cmp(&a.1.completion_percent));

    Evaluation {
        as_of,
        goals,
        assignments,
        plan: plan_progress,
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
    as_of: NaiveDate,
    cap_percent: f64,
    memo: &mut HashMap<i64, Progress>,
) -> Progress {
    if let Some(p) = memo.get(&goal.id) {
        return *p;
    }
    // Mark the goal before descending so a corrupt cycle terminates.
    memo.insert(goal.id, Progress::percent_only(0.0));
    let children = tree.children_of(goal.id);
    let child_progress: Vec<(f64, Progress)> = children
        .iter()
        .map(|c| (c.weight, evaluate_goal(tree, c, as_of, cap_percent, memo)))
        .collect();

    let target = goal.target;
    let progress = match goal.kind {
        GoalKind::Group => Progress::percent_only(weighted_capped_average(
            child_progress
                .iter()
                .map(|(w, p)| (*w, p.completion_percent)),
            cap_percent,
        )),
        GoalKind::Cumulative => {
            let actual = if children.is_empty() {
                sum_present(
                    goal.assignments
                        .iter()
                        .map(|a| latest_value(&a.reports, as_of)),
                )
            } else {
                sum_present(child_progress.iter().map(|(_, p)| p.actual))
            };
            Progress {
                target,
                actual,
                completion_percent: target.map_or(0.0, |t| cumulative_completion(actual, t)),
            }
        }
        GoalKind::Rate => {
            let actual = latest_report(goal.assignments.iter().flat_map(|a| &a.reports), as_of)
                .map(|r| r.value);
            Progress {
                target,
                actual,
                completion_percent: target.map_or(0.0, |t| {
                    rate_completion(actual, t, goal.baseline, goal.direction)
                }),
            }
        }
        GoalKind::Veto => {
            let actual = sum_present(
                goal.assignments
                    .iter()
                    .map(|a| latest_value(&a.reports, as_of)),
            );
            Progress {
                target,
                actual,
                completion_percent: veto_completion(actual, target.unwrap_or(0.0)),
            }
        }
        GoalKind::Milestone => {
            Progress::percent_only(milestone_completion(&goal.milestones, as_of))
        }
    };
    memo.insert(goal.id, progress);
    progress
}

fn assignment_progress(
    goal: &GoalFacts,
    assignment: &AssignmentFacts,
    goal_progress: Progress,
    as_of: NaiveDate,
) -> Progress {
    let target = assignment.target.or(goal.target);
    let actual = latest_value(&assignment.reports, as_of);
    let completion_percent = match (goal.kind, target) {
        (GoalKind::Cumulative, Some(t)) => cumulative_completion(actual, t),
        (GoalKind::Rate, Some(t)) => rate_completion(actual, t, goal.baseline, goal.direction),
        (GoalKind::Veto, t) => veto_completion(actual, t.unwrap_or(0.0)),
        // Milestones belong to the goal: the assignment carries its progress.
        (GoalKind::Milestone, _) => return goal_progress,
        // GROUP goals cannot be assigned and targets are required elsewhere;
        // should a row slip through, it judges as "nothing done".
        (GoalKind::Group, _) | (_, None) => 0.0,
    };
    Progress {
        target,
        actual,
        completion_percent,
    }
}

fn latest_value(reports: &[ReportFact], as_of: NaiveDate) -> Option<f64> {
    latest_report(reports, as_of).map(|r| r.value)
}

/// Σ of the present values (absent ones count 0); `None` if none is present.
fn sum_present(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    values
        .into_iter()
        .flatten()
        .fold(None, |acc, v| Some(acc.unwrap_or(0.0) + v))
}

#[cfg(test)]
mod tests;
