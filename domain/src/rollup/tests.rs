use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::facts::MilestoneFacts;
use crate::kinds::{Direction, Light, Status};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn report(id: i64, as_of: &str, value: f64) -> ReportFact {
    ReportFact {
        id,
        as_of: d(as_of),
        value,
        submitted_at: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(id),
    }
}

fn assignment(
    id: i64,
    unit_id: i64,
    target: Option<f64>,
    reports: Vec<ReportFact>,
) -> AssignmentFacts {
    AssignmentFacts {
        id,
        unit_id,
        target,
        deadline: None,
        reports,
    }
}

fn goal(id: i64, kind: GoalKind, target: Option<f64>, weight: f64) -> GoalFacts {
    GoalFacts {
        id,
        parent_id: None,
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

fn plan(goals: Vec<GoalFacts>) -> PlanFacts {
    PlanFacts {
        start: d("2025-01-01"),
        end: d("2025-12-31"),
        score_cap: 1.0,
        time_progress_mode: crate::TimeProgressMode::Monthly,
        thresholds: crate::Thresholds::default(),
        goals,
    }
}

const ZHAOSHANG_1: i64 = 101;
const ZHAOSHANG_2: i64 = 102;
const FINANCE: i64 = 103;
const PLANNING: i64 = 104;
const ENERGY: i64 = 105;

/// The worked example of the rules page: a 2025 plan as of 2025-10-31.
fn worked_example() -> PlanFacts {
    let mut signed = goal(1, GoalKind::Cumulative, Some(20.0), 10.0);
    signed.category = Some("招商引资".into());
    signed.assignments = vec![
        assignment(
            11,
            ZHAOSHANG_1,
            Some(10.0),
            vec![report(1, "2025-06-30", 5.0), report(2, "2025-10-31", 9.0)],
        ),
        assignment(
            12,
            ZHAOSHANG_2,
            Some(10.0),
            vec![report(3, "2025-09-30", 8.0)],
        ),
    ];
    let mut investment = goal(2, GoalKind::Cumulative, Some(25.0), 10.0);
    investment.category = Some("招商引资".into());
    investment.assignments = vec![assignment(
        21,
        ZHAOSHANG_1,
        Some(15.0),
        vec![report(4, "2025-10-31", 19.6)],
    )];
    let mut factories = goal(3, GoalKind::Cumulative, Some(10.0), 10.0);
    factories.category = Some("项目建设".into());
    factories.assignments = vec![assignment(
        31,
        PLANNING,
        None,
        vec![report(5, "2025-10-20", 6.0)],
    )];
    let mut fdi = goal(4, GoalKind::Cumulative, Some(3000.0), 10.0);
    fdi.category = Some("招商引资".into());
    fdi.assignments = vec![assignment(
        41,
        ZHAOSHANG_2,
        None,
        vec![report(6, "2025-10-31", 1500.0)],
    )];
    let mut debt = goal(5, GoalKind::Rate, Some(65.0), 10.0);
    debt.direction = Direction::Decrease;
    debt.category = Some("防范风险".into());
    debt.assignments = vec![assignment(
        51,
        FINANCE,
        None,
        vec![report(7, "2025-09-30", 69.0), report(8, "2025-10-31", 67.2)],
    )];
    let mut solar = goal(6, GoalKind::Milestone, None, 10.0);
    solar.category = Some("项目建设".into());
    solar.deadline = Some(d("2025-03-31"));
    solar.milestones = vec![MilestoneFacts {
        id: 61,
        due: d("2025-03-31"),
        weight: 1.0,
        completed_on: Some(d("2025-04-18")),
    }];
    solar.assignments = vec![assignment(62, ENERGY, None, vec![])];
    plan(vec![signed, investment, factories, fdi, debt, solar])
}

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 0.05,
        "got {actual}, want {expected}"
    );
}

#[test]
fn worked_example_goal_completion() {
    let e = evaluate(&worked_example(), d("2025-10-31"));
    let rows = [
        (1, Some(17.0), 85.0),
        (2, Some(19.6), 78.4),
        (3, Some(6.0), 60.0),
        (4, Some(1500.0), 50.0),
        (5, Some(67.2), 96.7),
        (6, None, 100.0),
    ];
    for (goal_id, actual, c) in rows {
        let p = e.goal(goal_id).unwrap();
        assert_eq!(p.actual, actual, "goal {goal_id}");
        assert_close(p.completion_percent, c);
    }
    assert_eq!(e.goal(1).unwrap().target, Some(20.0));
    assert_eq!(e.goal(6).unwrap().target, None);
}

#[test]
fn worked_example_as_of_april_the_late_milestone_is_not_done() {
    let e = evaluate(&worked_example(), d("2025-04-10"));
    assert_eq!(e.goal(6).unwrap().completion_percent, 0.0);
    // Nothing reported yet by April for most goals: actual null, c 0.
    let p = e.goal(2).unwrap();
    assert_eq!((p.actual, p.completion_percent), (None, 0.0));
    // The milestone goal's assignment carries the goal's progress.
    assert_eq!(e.assignment(62).unwrap().completion_percent, 0.0);
}

#[test]
fn worked_example_roll_ups() {
    let e = evaluate(&worked_example(), d("2025-10-31"));
    // Equal weights: the mean of the capped c: (85 + 78.4 + 60 + 50 + 96.726 + 100) / 6
    assert_close(e.plan().completion_percent, 78.354);
    assert_eq!(e.plan().target, None);
    let categories: Vec<(&str, f64)> = e
        .categories()
        .iter()
        .map(|(c, p)| (c.as_str(), p.completion_percent))
        .collect();
    assert_eq!(
        categories.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
        ["招商引资", "项目建设", "防范风险"]
    );
    assert_close(categories[0].1, (85.0 + 78.4 + 50.0) / 3.0);
    assert_close(categories[1].1, 80.0);
    assert_close(categories[2].1, 96.726);

    // Units: 招商一局 has 9/10 = 90 (w 10) and 19.6/15 = 130.7 capped to 100 (w 10) → 95;
    // 招商二局 has 8/10 = 80 and 1500/3000 = 50 → 65; 财政局 96.7; 规划局 60; 能源办 100.
    let units: Vec<(i64, f64)> = e
        .units()
        .iter()
        .map(|u| (u.unit_id, u.progress.completion_percent.unwrap()))
        .collect();
    assert_eq!(
        units.iter().map(|(u, _)| *u).collect::<Vec<_>>(),
        [ENERGY, FINANCE, ZHAOSHANG_1, ZHAOSHANG_2, PLANNING]
    );
    assert_close(
        e.unit(ZHAOSHANG_1)
            .unwrap()
            .progress
            .completion_percent
            .unwrap(),
        95.0,
    );
    assert_close(
        e.unit(ZHAOSHANG_2)
            .unwrap()
            .progress
            .completion_percent
            .unwrap(),
        65.0,
    );
    // The assignment's own c is never capped.
    assert_close(e.assignment(21).unwrap().completion_percent, 130.67);
    assert_eq!(e.assignment(11).unwrap().actual, Some(9.0));
}

#[test]
fn cumulative_goal_sums_its_sub_goals() {
    // 三类低效用地 1200 亩 = 批而未供 500 + 闲置 300 + 低效 400
    let mut land = goal(1, GoalKind::Cumulative, Some(1200.0), 10.0);
    land.category = Some("资源配置".into());
    let sub = |id: i64, target: f64, reports: Vec<ReportFact>| {
        let mut g = goal(id, GoalKind::Cumulative, Some(target), 1.0);
        g.parent_id = Some(1);
        g.assignments = vec![assignment(id * 10, PLANNING, None, reports)];
        g
    };
    let unapproved = sub(2, 500.0, vec![report(1, "2025-09-30", 399.75)]);
    let idle = sub(3, 300.0, vec![report(2, "2025-09-30", 50.4)]);
    let inefficient = sub(4, 400.0, vec![]);
    let e = evaluate(
        &plan(vec![land, unapproved, idle, inefficient]),
        d("2025-10-31"),
    );
    let p = e.goal(1).unwrap();
    assert_close(p.actual.unwrap(), 450.15);
    assert_close(p.completion_percent, 450.15 / 1200.0 * 100.0);
    assert_eq!(e.goal(4).unwrap().actual, None);
    // Only top-level goals enter the plan figure.
    assert_close(e.plan().completion_percent, 37.51);
}

#[test]
fn group_goal_weighs_its_capped_sub_goals() {
    let five_good = goal(1, GoalKind::Group, None, 20.0);
    let mut building = goal(2, GoalKind::Milestone, None, 3.0);
    building.parent_id = Some(1);
    building.milestones = vec![
        MilestoneFacts {
            id: 1,
            due: d("2025-10-31"),
            weight: 1.0,
            completed_on: Some(d("2025-10-28")),
        },
        MilestoneFacts {
            id: 2,
            due: d("2025-12-31"),
            weight: 1.0,
            completed_on: None,
        },
    ];
    let mut rate_goal = goal(3, GoalKind::Rate, Some(60.0), 1.0);
    rate_goal.parent_id = Some(1);
    rate_goal.assignments = vec![assignment(
        31,
        FINANCE,
        None,
        vec![report(1, "2025-09-30", 72.0)],
    )];
    let mut ignored = goal(4, GoalKind::Rate, Some(60.0), 0.0);
    ignored.parent_id = Some(1);
    let e = evaluate(
        &plan(vec![five_good, building, rate_goal, ignored]),
        d("2025-11-30"),
    );
    // building 50 (w 3), rate goal 120 capped to 100 (w 1), weight-0 goal skipped: (150 + 100) / 4
    assert_close(e.goal(1).unwrap().completion_percent, 62.5);
    assert_close(e.goal(3).unwrap().completion_percent, 120.0);
    assert_eq!(e.goal(1).unwrap().actual, None);
}

#[test]
fn veto_goal_fails_on_an_incident_and_assignments_judge_their_own_count() {
    let mut safety = goal(1, GoalKind::Veto, Some(0.0), 0.0);
    safety.assignments = vec![
        assignment(11, FINANCE, None, vec![report(1, "2025-05-31", 0.0)]),
        assignment(12, PLANNING, None, vec![report(2, "2025-07-31", 1.0)]),
    ];
    let before = evaluate(&plan(vec![safety.clone()]), d("2025-06-30"));
    assert_eq!(before.goal(1).unwrap().completion_percent, 100.0);
    let after = evaluate(&plan(vec![safety]), d("2025-07-31"));
    assert_eq!(after.goal(1).unwrap().completion_percent, 0.0);
    assert_eq!(after.goal(1).unwrap().actual, Some(1.0));
    assert_eq!(after.assignment(11).unwrap().completion_percent, 100.0);
    assert_eq!(after.assignment(12).unwrap().completion_percent, 0.0);
    // Nothing reported yet: a VETO goal stays passed.
    let quiet = evaluate(
        &plan(vec![goal(2, GoalKind::Veto, Some(0.0), 1.0)]),
        d("2025-03-31"),
    );
    assert_eq!(quiet.goal(2).unwrap().completion_percent, 100.0);
}

#[test]
fn rate_goal_reads_the_latest_report_across_assignments() {
    let mut rate_goal = goal(1, GoalKind::Rate, Some(60.0), 1.0);
    rate_goal.assignments = vec![
        assignment(
            11,
            FINANCE,
            None,
            vec![report(1, "2025-06-30", 50.0), report(3, "2025-09-30", 57.0)],
        ),
        assignment(
            12,
            PLANNING,
            Some(55.0),
            vec![report(2, "2025-08-31", 54.0)],
        ),
    ];
    let e = evaluate(&plan(vec![rate_goal]), d("2025-08-31"));
    assert_eq!(e.goal(1).unwrap().actual, Some(54.0));
    assert_close(e.goal(1).unwrap().completion_percent, 90.0);
    // Each assignment against its own target.
    assert_close(
        e.assignment(12).unwrap().completion_percent,
        54.0 / 55.0 * 100.0,
    );
    assert_close(
        e.assignment(11).unwrap().completion_percent,
        50.0 / 60.0 * 100.0,
    );
    let later = evaluate(&plan(vec![e_goal_clone()]), d("2025-12-31"));
    assert_eq!(later.goal(1).unwrap().actual, Some(57.0));

    fn e_goal_clone() -> GoalFacts {
        let mut g = goal(1, GoalKind::Rate, Some(60.0), 1.0);
        g.assignments = vec![
            assignment(
                11,
                FINANCE,
                None,
                vec![report(1, "2025-06-30", 50.0), report(3, "2025-09-30", 57.0)],
            ),
            assignment(12, PLANNING, None, vec![report(2, "2025-08-31", 54.0)]),
        ];
        g
    }
}

#[test]
fn goals_below_a_missing_parent_drop_out() {
    // Goal 2's parent (archived) is not among the facts: it and its child vanish.
    let mut orphan = goal(2, GoalKind::Cumulative, Some(10.0), 5.0);
    orphan.parent_id = Some(99);
    orphan.assignments = vec![assignment(
        21,
        FINANCE,
        None,
        vec![report(1, "2025-03-31", 10.0)],
    )];
    let mut grandchild = goal(3, GoalKind::Cumulative, Some(10.0), 5.0);
    grandchild.parent_id = Some(2);
    let kept = goal(1, GoalKind::Cumulative, Some(10.0), 5.0);
    let e = evaluate(&plan(vec![kept, orphan, grandchild]), d("2025-12-31"));
    assert!(e.goal(2).is_none() && e.goal(3).is_none() && e.assignment(21).is_none());
    assert!(e.units().is_empty());
    assert_eq!(e.plan().completion_percent, 0.0);
}

#[test]
fn score_cap_lets_over_performance_into_the_roll_up() {
    let mut g = goal(1, GoalKind::Cumulative, Some(20.0), 1.0);
    g.assignments = vec![assignment(
        11,
        FINANCE,
        None,
        vec![report(1, "2025-12-31", 26.0)],
    )];
    let mut p = plan(vec![g, goal(2, GoalKind::Cumulative, Some(10.0), 1.0)]);
    assert_close(
        evaluate(&p, d("2025-12-31")).plan().completion_percent,
        50.0,
    );
    p.score_cap = 1.2;
    assert_close(
        evaluate(&p, d("2025-12-31")).plan().completion_percent,
        60.0,
    );
}

#[test]
fn worked_example_time_progress_gaps_and_lights() {
    let e = evaluate(&worked_example(), d("2025-10-31"));
    // (goal, e, gap, light) from the rules page; e = 10/12 = 83.3.
    let rows = [
        (1, Some(83.3), Some(1.7), Light::Green),
        (2, Some(83.3), Some(-4.9), Light::Blue),
        (3, Some(83.3), Some(-23.3), Light::Yellow),
        (4, Some(83.3), Some(-33.3), Light::Red),
        (5, None, None, Light::Yellow),
        (6, Some(100.0), Some(0.0), Light::Green),
    ];
    for (goal_id, expected, gap, light) in rows {
        let p = e.goal(goal_id).unwrap();
        match (p.expected_percent, expected) {
            (Some(a), Some(b)) => assert_close(a, b),
            (a, b) => assert_eq!(a, b, "goal {goal_id}"),
        }
        match (p.gap, gap) {
            (Some(a), Some(b)) => assert_close(a, b),
            (a, b) => assert_eq!(a, b, "goal {goal_id}"),
        }
        assert_eq!(p.light, light, "goal {goal_id}");
    }
    assert_eq!(e.goal(6).unwrap().status, Status::Completed);
    assert_eq!(e.goal(1).unwrap().status, Status::InProgress);
    // Scores: weight × capped c / 100 = 8.5, 7.84, 6, 5, 9.67, 10.
    assert_close(e.goal(1).unwrap().score.unwrap(), 8.5);
    assert_close(
        e.plan().score.unwrap(),
        8.5 + 7.84 + 6.0 + 5.0 + 9.6726 + 10.0,
    );
    assert!(!e.vetoed());
}

#[test]
fn the_late_milestone_is_red_and_overdue_until_done() {
    let april = evaluate(&worked_example(), d("2025-04-10"));
    let p = april.goal(6).unwrap();
    assert_eq!(
        (p.completion_percent, p.expected_percent),
        (0.0, Some(100.0))
    );
    assert_eq!((p.light, p.status), (Light::Red, Status::Overdue));
    // The assignment of the milestone goal carries the same judgement.
    assert_eq!(april.assignment(62).unwrap().light, Light::Red);
    // On the due date it is not yet overdue, just behind.
    let due_day = evaluate(&worked_example(), d("2025-03-31"))
        .goal(6)
        .unwrap();
    assert_eq!(due_day.status, Status::NotStarted);
    assert_eq!(due_day.light, Light::Red, "gap −100 is beyond the red band");
    let done = evaluate(&worked_example(), d("2025-04-18"))
        .goal(6)
        .unwrap();
    assert_eq!((done.light, done.status), (Light::Green, Status::Completed));
}

#[test]
fn a_failed_veto_zeroes_the_plan_score_only() {
    let mut facts = worked_example();
    let mut safety = goal(9, GoalKind::Veto, Some(0.0), 0.0);
    safety.assignments = vec![assignment(
        91,
        FINANCE,
        None,
        vec![report(50, "2025-08-31", 1.0)],
    )];
    facts.goals.push(safety);
    let before = evaluate(&facts, d("2025-07-31"));
    assert!(!before.vetoed());
    let e = evaluate(&facts, d("2025-10-31"));
    assert!(e.vetoed());
    assert_eq!(e.vetoed_by(), &[9]);
    assert_eq!(e.plan().score, Some(0.0));
    // Every goal keeps its own completion and score; the plan c is unchanged.
    assert_close(e.goal(1).unwrap().completion_percent, 85.0);
    assert_close(e.goal(1).unwrap().score.unwrap(), 8.5);
    assert_close(e.plan().completion_percent, 78.354);
    assert_eq!(e.goal(9).unwrap().light, Light::Red);
}

#[test]
fn units_count_their_lights() {
    let e = evaluate(&worked_example(), d("2025-10-31"));
    // 招商一局: 签约 9/10 (e 83.3 → GREEN), 合同 19.6/15 (complete → GREEN)
    let first = e.unit(ZHAOSHANG_1).unwrap();
    assert_eq!((first.lights.green, first.lights.red), (2, 0));
    // 招商二局: 签约 8/10 = 80 (gap −3.3, BLUE), 外资 50 (gap −33.3, RED)
    let second = e.unit(ZHAOSHANG_2).unwrap();
    assert_eq!((second.lights.blue, second.lights.red), (1, 1));
    assert_close(second.progress.score.unwrap(), 10.0 * 0.8 + 10.0 * 0.5);
}

#[test]
fn as_of_before_the_start_on_the_deadline_and_after_the_end() {
    let before = evaluate(&worked_example(), d("2024-12-31"));
    let p = before.goal(1).unwrap();
    assert_eq!(
        (p.expected_percent, p.status, p.light),
        (Some(0.0), Status::NotStarted, Light::Green)
    );
    let on_deadline = evaluate(&worked_example(), d("2025-12-31"))
        .goal(1)
        .unwrap();
    assert_eq!(on_deadline.expected_percent, Some(100.0));
    assert_eq!(
        on_deadline.status,
        Status::InProgress,
        "not overdue on its deadline"
    );
    let after = evaluate(&worked_example(), d("2026-01-05"));
    let p = after.goal(1).unwrap();
    assert_eq!((p.status, p.light), (Status::Overdue, Light::Red));
    assert_eq!(after.plan().status, Status::Overdue);
}

#[test]
fn a_monthly_plan_curve_drives_expected_percent() {
    let mut hightech = goal(1, GoalKind::Cumulative, Some(12.0), 1.0);
    hightech.monthly_plan = Some(vec![
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 6.0, 10.0, 12.0,
    ]);
    hightech.assignments = vec![assignment(
        11,
        FINANCE,
        Some(12.0),
        vec![report(1, "2025-09-30", 2.0)],
    )];
    let e = evaluate(&plan(vec![hightech]), d("2025-09-30"));
    let p = e.goal(1).unwrap();
    assert_close(p.expected_percent.unwrap(), 16.7);
    assert_eq!(
        p.light,
        Light::Green,
        "on the curve although 9/12 of the year is gone"
    );
    assert_close(e.assignment(11).unwrap().expected_percent.unwrap(), 16.7);
}

// ---- property test: the roll-up equals a brute-force recomputation ----

/// A generated report: (day offset from the plan start, submission order, value).
type GenReport = (u32, u32, f64);

#[derive(Clone, Debug)]
struct GenGoal {
    target: f64,
    weight: f64,
    /// (unit id, its reports)
    assignments: Vec<(i64, Vec<GenReport>)>,
}

fn gen_goal() -> impl Strategy<Value = GenGoal> {
    (
        1.0f64..500.0,
        prop_oneof![Just(0.0), 0.5f64..20.0],
        prop::collection::vec(
            (
                1i64..5,
                prop::collection::vec((0u32..365, 0u32..4, 0.0f64..600.0), 0..5),
            ),
            0..4,
        ),
    )
        .prop_map(|(target, weight, assignments)| GenGoal {
            target,
            weight,
            assignments,
        })
}

/// Recomputes the plan figure straight from the rules, without the evaluator.
fn brute_force_plan(goals: &[GenGoal], as_of_day: u32, cap: f64) -> f64 {
    let cs: Vec<(f64, f64)> = goals
        .iter()
        .map(|g| {
            let mut total = 0.0;
            for (_, reports) in &g.assignments {
                let mut best: Option<(u32, u32, usize, f64)> = None;
                for (i, (day, order, value)) in reports.iter().enumerate() {
                    if *day > as_of_day {
                        continue;
                    }
                    let key = (*day, *order, i, *value);
                    if best.is_none_or(|b| (b.0, b.1, b.2) < (key.0, key.1, key.2)) {
                        best = Some(key);
                    }
                }
                total += best.map_or(0.0, |b| b.3);
            }
            (g.weight, total / g.target * 100.0)
        })
        .collect();
    let weighted: Vec<_> = cs.iter().filter(|(w, _)| *w > 0.0).collect();
    if cs.is_empty() {
        0.0
    } else if weighted.is_empty() {
        cs.iter().map(|(_, c)| c.min(cap)).sum::<f64>() / cs.len() as f64
    } else {
        weighted.iter().map(|(w, c)| w * c.min(cap)).sum::<f64>()
            / weighted.iter().map(|(w, _)| w).sum::<f64>()
    }
}

proptest! {
    #[test]
    fn plan_roll_up_matches_brute_force(
        goals in prop::collection::vec(gen_goal(), 0..8),
        as_of_day in 0u32..400,
        cap in prop_oneof![Just(1.0), Just(1.2)],
    ) {
        let start = d("2025-01-01");
        let mut next_id = 1000;
        let facts: Vec<GoalFacts> = goals.iter().enumerate().map(|(gi, g)| {
            let mut f = goal(gi as i64 + 1, GoalKind::Cumulative, Some(g.target), g.weight);
            f.assignments = g.assignments.iter().map(|(unit, reports)| {
                next_id += 1;
                let reports = reports.iter().enumerate().map(|(i, (day, order, value))| ReportFact {
                    // ids grow with the position so the index breaks exact ties
                    id: next_id * 10 + i as i64,
                    as_of: start + Duration::days(*day as i64),
                    value: *value,
                    submitted_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(*order as i64),
                }).collect();
                AssignmentFacts { id: next_id, unit_id: *unit, target: None, deadline: None, reports }
            }).collect();
            f
        }).collect();
        let mut p = plan(facts);
        p.score_cap = cap;
        let e = evaluate(&p, start + Duration::days(as_of_day as i64));
        let expected = brute_force_plan(&goals, as_of_day, cap * 100.0);
        prop_assert!((e.plan().completion_percent - expected).abs() < 1e-9,
            "evaluator {} vs brute force {}", e.plan().completion_percent, expected);
    }
}

/// A magnitude from 10^lo to 10^hi, spread evenly over the exponents.
fn magnitude(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo..=hi).prop_map(|e: f64| 10f64.powf(e))
}

/// A goal at the edges of what validation accepts (issue 12, finding 5):
/// targets from 10^-6 to 10^12, rate baselines anywhere in ±10^12 but
/// 10^-6 off the target, weights up to 10^12, cumulative reports up to
/// 1,000 times their target, rate levels anywhere in ±10^12.
fn extreme_goal() -> impl Strategy<Value = (GoalKind, f64, Option<f64>, f64, Vec<f64>)> {
    let kind = prop_oneof![Just(GoalKind::Cumulative), Just(GoalKind::Rate)];
    (
        kind,
        magnitude(-6.0, 12.0),
        prop_oneof![Just(None), (-1e12f64..1e12).prop_map(Some)],
        prop_oneof![Just(0.0), magnitude(-3.0, 12.0)],
        prop::collection::vec(0.0f64..=1.0, 0..4),
    )
        .prop_map(|(kind, target, baseline, weight, fractions)| {
            let baseline = match (kind, baseline) {
                (GoalKind::Rate, Some(b)) if (b - target).abs() >= 1e-6 => Some(b),
                _ => None,
            };
            let values = fractions
                .iter()
                .map(|f| match kind {
                    GoalKind::Rate => (f * 2.0 - 1.0) * 1e12,
                    _ => f * (target * 1_000.0).min(1e12),
                })
                .collect();
            (kind, target, baseline, weight, values)
        })
}

proptest! {
    /// No figure is ever infinite or NaN for inputs validation accepts.
    #[test]
    fn figures_stay_finite_at_the_edges_of_valid_input(
        goals in prop::collection::vec(extreme_goal(), 1..6),
        as_of_day in 0u32..400,
    ) {
        let start = d("2025-01-01");
        let facts: Vec<GoalFacts> = goals.iter().enumerate().map(|(i, (kind, target, baseline, weight, values))| {
            let id = i as i64 + 1;
            let mut g = goal(id, *kind, Some(*target), *weight);
            g.baseline = *baseline;
            g.category = Some(format!("类别{}", i % 2));
            let reports = values.iter().enumerate()
                .map(|(n, v)| report(id * 100 + n as i64, "2025-03-31", *v))
                .collect();
            g.assignments = vec![assignment(id * 10, id % 3, None, reports)];
            g
        }).collect();
        let ids: Vec<i64> = facts.iter().map(|g| g.id).collect();
        let e = evaluate(&plan(facts), start + Duration::days(as_of_day as i64));
        let finite = |p: Progress| {
            [Some(p.completion_percent), p.expected_percent, p.gap, p.score, p.target, p.actual]
                .into_iter()
                .flatten()
                .all(f64::is_finite)
        };
        prop_assert!(finite(e.plan()), "plan {:?}", e.plan());
        for id in ids {
            prop_assert!(finite(e.goal(id).unwrap()), "goal {id}: {:?}", e.goal(id));
            prop_assert!(finite(e.assignment(id * 10).unwrap()));
        }
        for (_, p) in e.categories() {
            prop_assert!(finite(*p));
        }
        for u in e.units() {
            let p = u.progress;
            prop_assert!([p.completion_percent, p.expected_percent, p.gap, p.score]
                .into_iter()
                .flatten()
                .all(f64::is_finite));
        }
    }
}

/// A report stored before the limits (1.7e308 on a target of 20) shows at
/// the figure bound, never as an infinity the API would send as null.
#[test]
fn a_legacy_absurd_report_shows_at_the_bound() {
    let mut g = goal(1, GoalKind::Cumulative, Some(20.0), 10.0);
    g.assignments = vec![assignment(
        10,
        1,
        None,
        vec![report(1, "2025-03-31", 1.7e308)],
    )];
    let e = evaluate(&plan(vec![g]), d("2025-10-31"));
    let p = e.goal(1).unwrap();
    assert_eq!(p.completion_percent, crate::completion::FIGURE_BOUND);
    assert!(p.gap.unwrap().is_finite() && p.score.unwrap().is_finite());
    assert!(e.plan().completion_percent.is_finite());
}

#[test]
fn no_figure_is_negative_zero() {
    use crate::completion::shown;
    assert!(shown(-0.0).is_sign_positive());
    assert_eq!(shown(-0.0).to_string(), "0");
    assert_eq!(shown(-3.5), -3.5);
    assert_eq!(shown(f64::NAN), 0.0);
}

#[test]
fn the_scorecard_caps_each_line_and_the_veto_voids_only_the_score() {
    use crate::scorecard::scorecard;
    let mut over = goal(1, GoalKind::Cumulative, Some(20.0), 30.0);
    over.assignments = vec![assignment(11, 1, None, vec![report(1, "2025-12-31", 30.0)])];
    let mut half = goal(2, GoalKind::Cumulative, Some(10.0), 70.0);
    half.assignments = vec![assignment(21, 1, None, vec![report(2, "2025-12-31", 5.0)])];
    let mut safety = goal(3, GoalKind::Veto, Some(0.0), 0.0);
    safety.assignments = vec![assignment(31, 2, None, vec![])];
    let mut facts = plan(vec![over, half, safety]);
    facts.score_cap = 1.2;

    let card = scorecard(&facts, &evaluate(&facts, d("2025-12-31")));
    assert_eq!(card.lines.len(), 3);
    assert_eq!(card.lines[0].completion_percent, 150.0);
    assert_eq!(card.lines[0].counted_percent, 120.0);
    assert!((card.lines[0].score - 36.0).abs() < 1e-9, "{card:?}");
    assert!((card.lines[1].score - 35.0).abs() < 1e-9, "{card:?}");
    assert!((card.score_before_veto - 71.0).abs() < 1e-9);
    assert!((card.max_score - 100.0).abs() < 1e-9);
    assert!(!card.vetoed);
    assert!((card.score - 71.0).abs() < 1e-9);

    // A safety incident reported: the score is voided, the lines stay.
    facts.goals[2].assignments[0].reports = vec![report(3, "2025-11-15", 1.0)];
    let card = scorecard(&facts, &evaluate(&facts, d("2025-12-31")));
    assert!(card.vetoed);
    assert_eq!(card.vetoed_by, vec![3]);
    assert_eq!(card.score, 0.0);
    assert!((card.score_before_veto - 71.0).abs() < 1e-9);
}

/// A MILESTONE goal of weight 0 whose only milestone falls due on 06-30:
/// as of 03-31 nothing of it is due (e = 0).
fn unweighted_milestone_not_yet_due(id: i64, unit_id: i64) -> GoalFacts {
    let mut solar = goal(id, GoalKind::Milestone, None, 0.0);
    solar.milestones = vec![MilestoneFacts {
        id: id * 10,
        due: d("2025-06-30"),
        weight: 1.0,
        completed_on: None,
    }];
    solar.assignments = vec![assignment(id * 100, unit_id, None, vec![])];
    solar
}

#[test]
fn a_unit_at_zero_is_not_green_on_the_time_progress_of_what_does_not_count() {
    // 安全生产 scored at 10 points with an incident in February (c 0, RED),
    // and a weight-0 milestone not due before June. The unit's c is the
    // VETO goal's 0; its e must not come from the weight-0 milestone (which
    // is not in c), or the gap reads 0 − 0 and the unit shows 0.0 % GREEN.
    let mut safety = goal(1, GoalKind::Veto, Some(0.0), 10.0);
    safety.assignments = vec![assignment(
        11,
        FINANCE,
        None,
        vec![report(1, "2025-02-28", 1.0)],
    )];
    let e = evaluate(
        &plan(vec![safety, unweighted_milestone_not_yet_due(2, FINANCE)]),
        d("2025-03-31"),
    );
    let unit = e.unit(FINANCE).unwrap();
    assert_eq!(unit.progress.completion_percent, Some(0.0));
    assert_eq!(unit.progress.expected_percent, None);
    assert_eq!(unit.progress.light, Some(Light::Red));
}

#[test]
fn an_assignment_without_a_target_still_has_time_progress() {
    // A CUMULATIVE share whose target is missing (a goal stored before
    // targets were required) is behind time like any other: e = 3/12.
    let mut signed = goal(1, GoalKind::Cumulative, None, 10.0);
    signed.assignments = vec![assignment(
        11,
        FINANCE,
        None,
        vec![report(1, "2025-02-28", 5.0)],
    )];
    let e = evaluate(
        &plan(vec![signed, unweighted_milestone_not_yet_due(2, FINANCE)]),
        d("2025-03-31"),
    );
    let share = e.assignment(11).unwrap();
    assert_eq!(share.completion_percent, 0.0);
    assert_close(share.expected_percent.unwrap(), 25.0);
    assert_eq!(share.light, Light::Yellow);
    let unit = e.unit(FINANCE).unwrap();
    assert_close(unit.progress.expected_percent.unwrap(), 25.0);
    assert_eq!(unit.progress.light, Some(Light::Yellow));
}

#[test]
fn a_rank_goal_is_judged_on_the_place_reported() {
    // 五好园区综合排名 稳固全省30强: 36th in the September assessment.
    let mut ranking = goal(1, GoalKind::Rank, Some(30.0), 10.0);
    ranking.assignments = vec![
        assignment(11, ENERGY, None, vec![report(1, "2025-09-30", 36.0)]),
        // 招商二局 is held to the top 20 on its own line and stands 40th.
        assignment(
            12,
            ZHAOSHANG_2,
            Some(20.0),
            vec![report(2, "2025-06-30", 40.0)],
        ),
    ];
    let facts = plan(vec![ranking]);

    let e = evaluate(&facts, d("2025-10-31"));
    let p = e.goal(1).unwrap();
    // The goal stands at the latest place reported across its assignments.
    assert_eq!((p.target, p.actual), (Some(30.0), Some(36.0)));
    assert_eq!(p.completion_percent, 100.0 * 30.0 / 36.0);
    assert_eq!((p.expected_percent, p.gap), (None, None));
    assert_eq!((p.light, p.status), (Light::Yellow, Status::InProgress));
    assert_close(p.score.unwrap(), 8.333);
    // Each assignment on its own latest place against its own target.
    let own = e.assignment(12).unwrap();
    assert_eq!((own.actual, own.completion_percent), (Some(40.0), 50.0));
    assert_eq!(own.light, Light::Red);

    // Nothing reported yet: no place, c 0, RED like a RATE at 0.
    let before = evaluate(&facts, d("2025-05-31")).goal(1).unwrap();
    assert_eq!((before.actual, before.completion_percent), (None, 0.0));
    assert_eq!(
        (before.light, before.status),
        (Light::Red, Status::NotStarted)
    );

    // Reaching the 25th place meets "30强": complete and GREEN.
    let mut better = facts.clone();
    better.goals[0].assignments[0]
        .reports
        .push(report(3, "2025-11-30", 25.0));
    let done = evaluate(&better, d("2025-11-30")).goal(1).unwrap();
    assert_eq!(done.completion_percent, 100.0);
    assert_eq!((done.light, done.status), (Light::Green, Status::Completed));

    // Past its deadline and short of the place: OVERDUE.
    let after = evaluate(&facts, d("2026-01-05")).goal(1).unwrap();
    assert_eq!(after.status, Status::Overdue);
}

/// A 其中 row under `parent`: a CUMULATIVE part shown on its own.
fn subset(id: i64, parent: i64, target: f64, weight: f64) -> GoalFacts {
    let mut g = goal(id, GoalKind::Cumulative, Some(target), weight);
    g.parent_id = Some(parent);
    g.subset = true;
    g
}

#[test]
fn a_subset_is_shown_but_never_added_into_its_parent() {
    // 固定资产投资 17亿元, 其中：工业投资 10亿元. 财政局 reports the whole
    // 13.6, 规划局 the industrial 9 inside it: the goal has done 13.6, not 22.6.
    let mut investment = goal(1, GoalKind::Cumulative, Some(17.0), 10.0);
    investment.assignments = vec![assignment(
        11,
        FINANCE,
        None,
        vec![report(1, "2025-10-31", 13.6)],
    )];
    let mut industrial = subset(2, 1, 10.0, 0.0);
    industrial.assignments = vec![assignment(
        21,
        PLANNING,
        None,
        vec![report(2, "2025-10-31", 9.0)],
    )];
    // 三类低效用地 1200亩 = 批而未供 500 + 闲置 700, 其中：动态清零 300.
    let land = goal(3, GoalKind::Cumulative, Some(1200.0), 10.0);
    let part = |id: i64, target: f64, value: f64| {
        let mut g = goal(id, GoalKind::Cumulative, Some(target), 0.0);
        g.parent_id = Some(3);
        g.assignments = vec![assignment(
            id * 10,
            PLANNING,
            None,
            vec![report(id, "2025-09-30", value)],
        )];
        g
    };
    let mut cleared = subset(6, 3, 300.0, 0.0);
    cleared.assignments = vec![assignment(
        60,
        PLANNING,
        None,
        vec![report(6, "2025-09-30", 300.0)],
    )];
    let facts = plan(vec![
        investment,
        industrial,
        land,
        part(4, 500.0, 400.0),
        part(5, 700.0, 350.0),
        cleared,
    ]);
    let e = evaluate(&facts, d("2025-10-31"));
    let p = e.goal(1).unwrap();
    assert_eq!((p.actual, p.completion_percent), (Some(13.6), 80.0));
    // The subset has its own completion: 9 of 10.
    assert_eq!(e.goal(2).unwrap().completion_percent, 90.0);
    assert_eq!(e.assignment(21).unwrap().completion_percent, 90.0);
    // The parts add up (400 + 350); the 其中 row does not (not 1050).
    let land = e.goal(3).unwrap();
    assert_eq!(land.actual, Some(750.0));
    assert_eq!(land.completion_percent, 62.5);
    assert_eq!(e.goal(6).unwrap().completion_percent, 100.0);
    // Only the two top-level goals make the plan: (80 + 62.5) / 2.
    assert_eq!(e.plan().completion_percent, 71.25);
}

#[test]
fn a_subset_weighs_in_a_group_only_with_points_of_its_own() {
    let group = goal(1, GoalKind::Group, None, 30.0);
    let child = |id: i64, value: f64, weight: f64, is_subset: bool| {
        let mut g = goal(id, GoalKind::Cumulative, Some(10.0), weight);
        g.parent_id = Some(1);
        g.subset = is_subset;
        g.assignments = vec![assignment(
            id * 10,
            FINANCE,
            None,
            vec![report(id, "2025-10-31", value)],
        )];
        g
    };
    let c = |goals: Vec<GoalFacts>| {
        evaluate(&plan(goals), d("2025-10-31"))
            .goal(1)
            .unwrap()
            .completion_percent
    };
    // 80 (w 10) and 60 (w 10); the subset at 100 with weight 0 stays out: 70.
    let base = vec![
        group.clone(),
        child(2, 8.0, 10.0, false),
        child(3, 6.0, 10.0, false),
    ];
    let mut with_subset = base.clone();
    with_subset.push(child(4, 10.0, 0.0, true));
    assert_eq!(c(base.clone()), 70.0);
    assert_eq!(c(with_subset), 70.0);
    // Given 5 points of its own by the sheet it counts: (800 + 600 + 500) / 25.
    let mut scored = base;
    scored.push(child(4, 10.0, 5.0, true));
    assert_eq!(c(scored), 76.0);
    // Unweighted sub-goals make a plain average, of the sub-goals only.
    let unweighted = vec![
        group,
        child(2, 8.0, 0.0, false),
        child(3, 6.0, 0.0, false),
        child(4, 10.0, 0.0, true),
    ];
    assert_eq!(c(unweighted), 70.0);
}

#[test]
fn units_are_judged_on_what_counts_and_the_rest_come_last() {
    // 能源办 carries only the 一票否决 safety item (weight 0): nothing of it
    // counts, so it has no completion, where it used to rank first at 100 %.
    let mut safety = goal(1, GoalKind::Veto, Some(0.0), 0.0);
    safety.assignments = vec![
        assignment(11, ENERGY, None, vec![report(1, "2025-09-30", 0.0)]),
        assignment(12, FINANCE, None, vec![]),
    ];
    // 签约项目: 招商一局 reported 9 of 10; 招商二局 has reported nothing.
    let mut signed = goal(2, GoalKind::Cumulative, Some(20.0), 10.0);
    signed.assignments = vec![
        assignment(21, ZHAOSHANG_2, Some(10.0), vec![]),
        assignment(
            22,
            ZHAOSHANG_1,
            Some(10.0),
            vec![report(2, "2025-10-31", 9.0)],
        ),
    ];
    // 五好园区: 规划局's first milestone is done, so it counts at 60 %.
    let mut five_good = goal(3, GoalKind::Milestone, None, 10.0);
    five_good.milestones = vec![
        MilestoneFacts {
            id: 31,
            due: d("2025-10-31"),
            weight: 6.0,
            completed_on: Some(d("2025-10-20")),
        },
        MilestoneFacts {
            id: 32,
            due: d("2025-12-31"),
            weight: 4.0,
            completed_on: None,
        },
    ];
    five_good.assignments = vec![assignment(33, PLANNING, None, vec![])];
    // 财政局's 其中 row (weight 0) has a report: still nothing that counts.
    let mut part = subset(4, 2, 5.0, 0.0);
    part.assignments = vec![assignment(
        41,
        FINANCE,
        None,
        vec![report(4, "2025-10-31", 5.0)],
    )];
    let facts = plan(vec![safety, signed, five_good, part]);

    let e = evaluate(&facts, d("2025-10-31"));
    let order: Vec<(i64, Option<f64>)> = e
        .units()
        .iter()
        .map(|u| (u.unit_id, u.progress.completion_percent))
        .collect();
    assert_eq!(
        order,
        [
            (ZHAOSHANG_1, Some(90.0)),
            (PLANNING, Some(60.0)),
            // Nothing counted: after every ranked unit, in plan order.
            (ENERGY, None),
            (FINANCE, None),
            (ZHAOSHANG_2, None),
        ]
    );
    let energy = e.unit(ENERGY).unwrap();
    assert_eq!(
        (
            energy.progress.light,
            energy.progress.gap,
            energy.progress.score
        ),
        (None, None, None)
    );
    assert_eq!(energy.progress.status, Status::NotStarted);
    // Its 一票否决 share still shows its own light.
    assert_eq!(energy.lights.green, 1);
    // 财政局's 其中 share is no part of its figure, nor of its lights.
    let finance = e.unit(FINANCE).unwrap();
    assert_eq!(finance.lights.green + finance.lights.red, 1);
    // 招商二局 owes 签约项目: time progress shows, and after the plan end it
    // is overdue although it has no figure.
    let behind = e.unit(ZHAOSHANG_2).unwrap();
    assert_close(behind.progress.expected_percent.unwrap(), 83.3);
    assert_eq!(behind.lights.red, 1);
    let after = evaluate(&facts, d("2026-01-05"));
    assert_eq!(
        after.unit(ZHAOSHANG_2).unwrap().progress.status,
        Status::Overdue
    );
    assert_eq!(
        after.unit(ENERGY).unwrap().progress.status,
        Status::NotStarted
    );
    // Once 招商二局 reports, even 0, it is ranked (last among the ranked).
    let mut reported = facts.clone();
    reported.goals[1].assignments[0].reports = vec![report(9, "2025-10-31", 0.0)];
    let e = evaluate(&reported, d("2025-10-31"));
    let ranked: Vec<i64> = e.units().iter().map(|u| u.unit_id).collect();
    assert_eq!(
        ranked,
        [ZHAOSHANG_1, PLANNING, ZHAOSHANG_2, ENERGY, FINANCE]
    );
    let zero = e.unit(ZHAOSHANG_2).unwrap().progress;
    assert_eq!(
        (zero.completion_percent, zero.light),
        (Some(0.0), Some(Light::Red))
    );
}
