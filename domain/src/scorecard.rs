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
        // The sheet's own total (100 on a 100-point sheet): a score above it
        // is over-performance allowed by the cap, not a bigger scale.
        max_score: lines.iter().map(|l| l.weight).sum::<f64>(),
        vetoed: eval.vetoed(),
        vetoed_by: eval.vetoed_by().to_vec(),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::facts::{AssignmentFacts, GoalFacts, MilestoneFacts, ReportFact};
    use crate::rollup::evaluate;
    use crate::validation::heading_points;
    use crate::wording::{Points, read_points, split_heading_points};
    use crate::{Direction, GoalKind, Thresholds, TimeProgressMode};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The weight a 分值 cell gives: its points, or 0 for 一票否决.
    fn points(cell: &str) -> f64 {
        match read_points(cell).unwrap() {
            Points::Score(p) => p,
            Points::Veto => 0.0,
        }
    }

    fn goal(
        id: i64,
        parent: Option<i64>,
        kind: GoalKind,
        target: Option<f64>,
        weight: f64,
    ) -> GoalFacts {
        GoalFacts {
            id,
            parent_id: parent,
            category: None,
            kind,
            direction: Direction::Increase,
            target,
            baseline: None,
            weight,
            deadline: Some(d("2025-12-31")),
            monthly_plan: None,
            subset: false,
            assignments: vec![],
            milestones: vec![],
        }
    }

    /// A share of unit `unit_id` that reported `value` as of `as_of`.
    fn reported(id: i64, unit_id: i64, as_of: &str, value: f64) -> AssignmentFacts {
        AssignmentFacts {
            id,
            unit_id,
            target: None,
            deadline: None,
            reports: vec![ReportFact {
                id,
                as_of: d(as_of),
                value,
                submitted_at: Utc.with_ymd_and_hms(2025, 11, 1, 0, 0, 0).unwrap()
                    + Duration::minutes(id),
            }],
        }
    }

    /// A 100-point sheet for 2025 with three headings, a 一票否决 item and
    /// a 其中 row, each goal's weight read from its 分值 as the importer
    /// reads it.
    fn hundred_point_sheet() -> PlanFacts {
        let heading = |id: i64, title: &str| {
            let (name, heading_points) = split_heading_points(title);
            let mut g = goal(id, None, GoalKind::Group, None, heading_points.unwrap());
            g.category = Some(name);
            g
        };
        let economy = heading(1, "经济发展指标（30分）");
        let investment = heading(2, "招商引资（40分）");
        let park = heading(3, "园区建设（共30分）");

        // 经济发展指标: 技工贸总收入 160亿元 (10分), 高新技术产业增加值占比
        // ≥60% (10分), 固定资产投资 17亿元 (10分) 其中：工业投资 10亿元 (no points).
        let mut revenue = goal(
            11,
            Some(1),
            GoalKind::Cumulative,
            Some(160.0),
            points("10分"),
        );
        revenue.assignments = vec![reported(111, 1, "2025-10-31", 140.0)];
        let mut hightech = goal(12, Some(1), GoalKind::Rate, Some(60.0), points("10"));
        hightech.assignments = vec![reported(121, 1, "2025-09-30", 54.0)];
        let mut fixed = goal(
            13,
            Some(1),
            GoalKind::Cumulative,
            Some(17.0),
            points("10分"),
        );
        fixed.assignments = vec![reported(131, 2, "2025-10-31", 13.6)];
        let mut industrial = goal(14, Some(13), GoalKind::Cumulative, Some(10.0), 0.0);
        industrial.subset = true;
        industrial.assignments = vec![reported(141, 2, "2025-10-31", 9.0)];

        // 招商引资: 签约项目 20个 (15分), 合同引资额 25亿元 (15分), 实际利用外资
        // 3000万美元 (10分).
        let mut signed = goal(
            21,
            Some(2),
            GoalKind::Cumulative,
            Some(20.0),
            points("15分"),
        );
        signed.assignments = vec![
            reported(211, 3, "2025-10-31", 9.0),
            reported(212, 4, "2025-09-30", 8.0),
        ];
        let mut contracted = goal(
            22,
            Some(2),
            GoalKind::Cumulative,
            Some(25.0),
            points("15分"),
        );
        contracted.assignments = vec![reported(221, 3, "2025-10-31", 19.6)];
        let mut foreign = goal(
            23,
            Some(2),
            GoalKind::Cumulative,
            Some(3000.0),
            points("10分"),
        );
        foreign.assignments = vec![reported(231, 4, "2025-10-31", 3300.0)];

        // 园区建设: 五好园区建设项目 (20分), 主体厂房 by 10-31 (weight 6, done
        // 10-20) and 扫尾并投产 by 12-31 (weight 4); 五好园区综合排名 稳固全省30强
        // (10分), 36th in September.
        let mut five_good = goal(31, Some(3), GoalKind::Milestone, None, points("20分"));
        five_good.milestones = vec![
            MilestoneFacts {
                id: 311,
                due: d("2025-10-31"),
                weight: 6.0,
                completed_on: Some(d("2025-10-20")),
            },
            MilestoneFacts {
                id: 312,
                due: d("2025-12-31"),
                weight: 4.0,
                completed_on: None,
            },
        ];
        let mut ranking = goal(32, Some(3), GoalKind::Rank, Some(30.0), points("10分"));
        ranking.assignments = vec![reported(321, 5, "2025-09-30", 36.0)];

        // 安全生产: 一票否决, no incident reported.
        let mut safety = goal(4, None, GoalKind::Veto, Some(0.0), points("一票否决"));
        safety.assignments = vec![reported(41, 6, "2025-10-31", 0.0)];

        PlanFacts {
            start: d("2025-01-01"),
            end: d("2025-12-31"),
            score_cap: 1.0,
            time_progress_mode: TimeProgressMode::Monthly,
            thresholds: Thresholds::default(),
            goals: vec![
                economy, revenue, hightech, fixed, industrial, investment, signed, contracted,
                foreign, park, five_good, ranking, safety,
            ],
        }
    }

    fn assert_exact(actual: f64, expected: f64) {
        assert!(
            (actual - expected).abs() < 1e-9,
            "got {actual}, want {expected}"
        );
    }

    #[test]
    fn a_hundred_point_sheet_reads_on_its_own_scale() {
        let facts = hundred_point_sheet();
        // Each heading's points are its items' (the 其中 row has none).
        let weight = |id: i64| facts.goals.iter().find(|g| g.id == id).unwrap().weight;
        assert_eq!(
            heading_points(weight(1), &[weight(11), weight(12), weight(13)]),
            Ok(30.0)
        );
        assert_eq!(
            heading_points(weight(2), &[weight(21), weight(22), weight(23)]),
            Ok(40.0)
        );
        assert_eq!(
            heading_points(weight(3), &[weight(31), weight(32)]),
            Ok(30.0)
        );

        let eval = evaluate(&facts, d("2025-10-31"));
        let c = |id: i64| eval.goal(id).unwrap().completion_percent;
        // Leaves: 140/160 = 87.5; 54/60 = 90; 13.6/17 = 80 (the 其中 row's 9
        // is not added: it is inside the 13.6); 9/10 = 90 on its own;
        // (9 + 8)/20 = 85; 19.6/25 = 78.4; 3300/3000 = 110; milestones 6/10
        // = 60; rank 100 × 30/36 = 83.33….
        assert_exact(c(11), 87.5);
        assert_exact(c(12), 90.0);
        assert_exact(c(13), 80.0);
        assert_eq!(eval.goal(13).unwrap().actual, Some(13.6));
        assert_exact(c(14), 90.0);
        assert_exact(c(21), 85.0);
        assert_exact(c(22), 78.4);
        assert_exact(c(23), 110.0);
        assert_exact(c(31), 60.0);
        assert_exact(c(32), 100.0 * 30.0 / 36.0);
        // Headings, each leaf capped at 100:
        //   经济发展指标 (10×87.5 + 10×90 + 10×80) / 30 = 2575/30 = 85.833…
        //   招商引资   (15×85 + 15×78.4 + 10×100) / 40 = 3451/40 = 86.275
        //   园区建设   (20×60 + 10×83.33…) / 30 = (1200 + 2500/3)/30 = 6100/90
        assert_exact(c(1), 2575.0 / 30.0);
        assert_exact(c(2), 3451.0 / 40.0);
        assert_exact(c(3), 6100.0 / 90.0);
        // Scores: 30 × 85.833…/100 = 25.75; 40 × 86.275/100 = 34.51;
        // 30 × 67.77…/100 = 20.333…; the 一票否决 item weighs 0.
        let card = scorecard(&facts, &eval);
        let lines: Vec<(i64, f64)> = card.lines.iter().map(|l| (l.goal_id, l.score)).collect();
        assert_eq!(
            lines.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        assert_exact(lines[0].1, 25.75);
        assert_exact(lines[1].1, 34.51);
        assert_exact(lines[2].1, 61.0 / 3.0);
        assert_exact(lines[3].1, 0.0);
        // The plan: Σ scores = 25.75 + 34.51 + 20.333… = 80.5933…, and on a
        // 100-point sheet its completion is the same figure:
        // (30×85.833… + 40×86.275 + 30×67.77…)/100 = (2575 + 3451 + 6100/3)/100.
        let plan_figure = (2575.0 + 3451.0 + 6100.0 / 3.0) / 100.0;
        assert_exact(card.max_score, 100.0);
        assert_exact(card.score, plan_figure);
        assert_exact(card.score_before_veto, plan_figure);
        assert_exact(eval.plan().completion_percent, plan_figure);
        assert!(!card.vetoed);
        // Time progress: 10 of 12 months for the amounts (250/3), the
        // milestones due by 10-31 for 五好园区 (6/10 = 60), none for the rate,
        // the rank and the veto; headings average their items' e:
        // (30 × 250/3 + 40 × 250/3 + 30 × 60) / 100 = 76.333….
        assert_exact(
            eval.plan().expected_percent.unwrap(),
            (2500.0 + 10000.0 / 3.0 + 1800.0) / 100.0,
        );
        assert_eq!(eval.plan().light, crate::Light::Green);

        // An incident on the 一票否决 item voids the score, not the figures.
        let mut failed = facts.clone();
        let safety = failed.goals.iter_mut().find(|g| g.id == 4).unwrap();
        safety.assignments = vec![reported(42, 6, "2025-10-15", 1.0)];
        let eval = evaluate(&failed, d("2025-10-31"));
        let card = scorecard(&failed, &eval);
        assert!(card.vetoed);
        assert_eq!(card.vetoed_by, vec![4]);
        assert_eq!(card.score, 0.0);
        assert_exact(card.score_before_veto, plan_figure);
        assert_exact(card.max_score, 100.0);
    }
}
