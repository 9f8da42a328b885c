//! The year-end view (年终考核): each top-level goal's part in the score, the
//! cap, the veto, and the most the plan can score.
use super::facts::PlanFacts;
use super::rollup::Evaluation;

/// One top-level goal's part in the score.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreLine {
    pub goal_id: i64,
    pub weight: f64,
    pub completion_percent: f64,
    /// The completion after the plan's cap: what the score counts.
    pub counted_percent: f64,
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scorecard {
    /// Σ of the top-level goals' scores, or 0 when vetoed.
    pub score: f64,
    /// What the score would be without the veto.
    pub score_before_veto: f64,
    /// The most the plan can score: Σ weights × the cap.
    pub max_score: f64,
    pub vetoed: bool,
    /// The VETO goals that failed.
    pub vetoed_by: Vec<i64>,
    /// The top-level goals in plan order.
    pub lines: Vec<ScoreLine>,
}

/// The scorecard of an evaluation of `plan`. A top-level goal the
/// evaluation does not hold (it cannot happen for an evaluation of the same
/// facts) is left out rather than guessed.
pub fn scorecard(plan: &PlanFacts, eval: &Evaluation) -> Scorecard {
    let cap_percent = plan.score_cap * 100.0;
    let lines: Vec<ScoreLine> = plan
        .goals
        .iter()
        .filter(|g| g.parent_id.is_none())
        .filter_map(|g| {
            let p = eval.goal(g.id)?;
            Some(ScoreLine {
                goal_id: g.id,
                weight: g.weight,
                completion_percent: p.completion_percent,
                counted_percent: p.completion_percent.min(cap_percent),
                score: p.score.unwrap_or(0.0),
            })
        })
        .collect();
    Scorecard {
        score: eval.plan().score.unwrap_or(0.0),
        score_before_veto: lines.iter().map(|l| l.score).sum(),
        max_score: lines.iter().map(|l| l.weight).sum::<f64>() * plan.score_cap,
        vetoed: eval.vetoed(),
        vetoed_by: eval.vetoed_by().to_vec(),
        lines,
    }
}
