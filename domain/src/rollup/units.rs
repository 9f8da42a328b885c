//! A unit's figure within a plan: its assignments rolled up like the plan's
//! goals, with no figure at all while nothing of it counts.
use std::collections::HashMap;

use super::{Context, RollItem, enters_roll_ups, roll_up};
use crate::completion::Progress;
use crate::facts::GoalFacts;
use crate::kinds::{Light, Status};

/// How many of a unit's assignments show each colour.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LightCounts {
    pub green: u32,
    pub blue: u32,
    pub yellow: u32,
    pub red: u32,
}

impl LightCounts {
    pub fn add(&mut self, light: Light) {
        match light {
            Light::Green => self.green += 1,
            Light::Blue => self.blue += 1,
            Light::Yellow => self.yellow += 1,
            Light::Red => self.red += 1,
        }
    }

    pub fn of(&self, light: Light) -> u32 {
        match light {
            Light::Green => self.green,
            Light::Blue => self.blue,
            Light::Yellow => self.yellow,
            Light::Red => self.red,
        }
    }
}

/// A unit's figure within a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitJudgement {
    pub unit_id: i64,
    pub progress: UnitProgress,
    /// The lights of the unit's assignments that count for it.
    pub lights: LightCounts,
}

/// A unit's figures. Unlike a goal's, a unit's completion can be absent:
/// a unit with nothing counted yet (no weighted assignment with a report,
/// no completed milestone of a weighted goal) has no figure to rank by,
/// rather than a 0 % that reads like a unit that reported nothing done,
/// or the 100 % of the 一票否决 items it alone carries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitProgress {
    /// c over the unit's assignments, weighted by their goals' weights and
    /// each capped; `None` while nothing of the unit counts.
    pub completion_percent: Option<f64>,
    /// e over the same assignments where defined.
    pub expected_percent: Option<f64>,
    /// c − e; `None` where either is.
    pub gap: Option<f64>,
    /// `None` with no completion: there is nothing to colour.
    pub light: Option<Light>,
    pub status: Status,
    /// Σ of the assignments' scores; `None` with no completion.
    pub score: Option<f64>,
}

/// Units over the assignments of `goals`, highest completion first, then
/// the units with nothing counted in the order they first appear.
pub(super) fn judge_units(
    goals: &[&GoalFacts],
    assignments: &HashMap<i64, Progress>,
    started: &HashMap<i64, bool>,
    ctx: &Context,
) -> Vec<UnitJudgement> {
    let mut by_unit: HashMap<i64, (Vec<RollItem>, LightCounts)> = HashMap::new();
    let mut unit_order: Vec<i64> = Vec::new();
    for goal in goals {
        for a in &goal.assignments {
            let Some(progress) = assignments.get(&a.id) else {
                continue;
            };
            let entry = by_unit.entry(a.unit_id).or_insert_with(|| {
                unit_order.push(a.unit_id);
                (Vec::new(), LightCounts::default())
            });
            // A 其中 row without points of its own is shown, but it is no
            // part of what its units are judged on (its parent already is):
            // the unit is listed, with nothing from it.
            if !enters_roll_ups(goal) {
                continue;
            }
            entry.0.push((
                goal.weight,
                *progress,
                started.get(&a.id).copied().unwrap_or(false),
            ));
            entry.1.add(progress.light);
        }
    }
    let past_plan_end = ctx.past(ctx.plan.end);
    let mut units: Vec<UnitJudgement> = unit_order
        .into_iter()
        .map(|unit_id| {
            let (items, lights) = &by_unit[&unit_id];
            UnitJudgement {
                unit_id,
                progress: unit_roll_up(items, past_plan_end, ctx),
                lights: *lights,
            }
        })
        .collect();
    // Highest completion first, the units with nothing counted last; ties
    // keep the order units first appear in the plan (the 分解表 order),
    // which the stable sort preserves.
    units.sort_by(
        |a, b| match (a.progress.completion_percent, b.progress.completion_percent) {
            (Some(a), Some(b)) => b.total_cmp(&a),
            (a, b) => b.is_some().cmp(&a.is_some()),
        },
    );
    units
}

/// A unit's roll-up: the plan's rules over its assignments, unless
/// nothing of it counts yet — no assignment of a goal with weight above
/// 0 has a report or a completed milestone — when it has no completion.
/// Weight-0 assignments alone (一票否决 items) never make a figure: they
/// would put a unit that was judged on nothing first, at 100 %.
fn unit_roll_up(items: &[RollItem], past_plan_end: bool, ctx: &Context) -> UnitProgress {
    let p = roll_up(items, past_plan_end, ctx);
    let counted = items.iter().any(|(w, _, started)| *w > 0.0 && *started);
    if counted {
        return UnitProgress {
            completion_percent: Some(p.completion_percent),
            expected_percent: p.expected_percent,
            gap: p.gap,
            light: Some(p.light),
            status: p.status,
            score: p.score,
        };
    }
    // It owed a figure by the plan's end only if it carries weighted work.
    let owed = items.iter().any(|(w, _, _)| *w > 0.0);
    UnitProgress {
        completion_percent: None,
        expected_percent: p.expected_percent,
        gap: None,
        light: None,
        status: if past_plan_end && owed {
            Status::Overdue
        } else {
            Status::NotStarted
        },
        score: None,
    }
}
