use super::*;
use std::collections::HashMap;

fn code<T: std::fmt::Debug>(r: Result<T, Refusal>) -> Rule {
    r.unwrap_err().rule
}

#[test]
fn implausible_numbers() {
    assert_eq!(code(finite("value", 1.7e308)), Rule::ImplausibleValue);
    assert_eq!(finite("value", -1e12).unwrap(), -1e12);
    assert_eq!(code(finite("value", f64::INFINITY)), Rule::InvalidValue);
    assert_eq!(
        code(target_for_kind(GoalKind::Rate, Some(1e-9))),
        Rule::ImplausibleValue
    );
    assert_eq!(
        target_for_kind(GoalKind::Rate, Some(1e-6)).unwrap(),
        Some(1e-6)
    );
    assert_eq!(
        code(baseline_for_kind(
            GoalKind::Rate,
            Some(5.0 + 1e-9),
            Some(5.0)
        )),
        Rule::InvalidValue
    );
    // A thousand times the assignment's target, and not a unit more.
    assert_eq!(
        report_value(GoalKind::Cumulative, 20_000.0, Some(20.0)).unwrap(),
        20_000.0
    );
    assert_eq!(
        code(report_value(GoalKind::Cumulative, 20_000.5, Some(20.0))),
        Rule::ImplausibleValue
    );
    // Rates and assignments without a target are bounded by magnitude only.
    assert_eq!(
        report_value(GoalKind::Rate, 5_000.0, Some(5.0)).unwrap(),
        5_000.0
    );
    assert_eq!(report_value(GoalKind::Veto, 3.0, Some(0.0)).unwrap(), 3.0);
    // Zero is a figure; a hair above it is a slip.
    assert_eq!(report_value(GoalKind::Rate, 0.0, Some(65.0)).unwrap(), 0.0);
    assert_eq!(
        code(report_value(GoalKind::Rate, 1e-300, Some(65.0))),
        Rule::ImplausibleValue
    );
}

#[test]
fn years_and_future_reports() {
    assert_eq!(plan_year(2000).unwrap(), 2000);
    assert_eq!(plan_year(2100).unwrap(), 2100);
    for year in [-1, 0, 1999, 2101] {
        assert_eq!(code(plan_year(year)), Rule::InvalidPlanPeriod);
    }
    let today = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    assert_eq!(not_in_future(today, today).unwrap(), today);
    assert_eq!(
        code(not_in_future(today.succ_opt().unwrap(), today)),
        Rule::ReportInFuture
    );
}

#[test]
fn targets() {
    assert_eq!(
        code(target_for_kind(GoalKind::Cumulative, Some(0.0))),
        Rule::InvalidTarget
    );
    assert_eq!(
        code(target_for_kind(GoalKind::Rate, None)),
        Rule::InvalidTarget
    );
    assert_eq!(
        code(target_for_kind(GoalKind::Cumulative, Some(-3.0))),
        Rule::InvalidValue
    );
    assert_eq!(
        code(target_for_kind(GoalKind::Cumulative, Some(f64::NAN))),
        Rule::InvalidValue
    );
    assert_eq!(
        code(target_for_kind(GoalKind::Group, Some(5.0))),
        Rule::InvalidTarget
    );
    assert_eq!(target_for_kind(GoalKind::Veto, None).unwrap(), Some(0.0));
    assert_eq!(
        target_for_kind(GoalKind::Rate, Some(-2.0)).unwrap(),
        Some(-2.0)
    );
    assert_eq!(target_for_kind(GoalKind::Milestone, None).unwrap(), None);
}

#[test]
fn a_rank_is_a_whole_place_from_one() {
    assert_eq!(
        target_for_kind(GoalKind::Rank, Some(30.0)).unwrap(),
        Some(30.0)
    );
    assert_eq!(
        target_for_kind(GoalKind::Rank, Some(1.0)).unwrap(),
        Some(1.0)
    );
    for bad in [0.0, -3.0, 20.5, 0.5] {
        assert_eq!(
            code(target_for_kind(GoalKind::Rank, Some(bad))),
            Rule::InvalidTarget,
            "{bad}"
        );
    }
    let missing = target_for_kind(GoalKind::Rank, None).unwrap_err();
    assert_eq!(missing.rule, Rule::InvalidTarget);
    assert_eq!(
        missing.message.zh,
        "排名型目标须填写目标名次（如“前20位”填 20）"
    );
    assert_eq!(
        assignment_target(GoalKind::Rank, Some(12.0)).unwrap(),
        Some(12.0)
    );
    assert_eq!(
        code(assignment_target(GoalKind::Rank, Some(12.5))),
        Rule::InvalidTarget
    );
    // Reports: the place reached.
    assert_eq!(
        report_value(GoalKind::Rank, 36.0, Some(30.0)).unwrap(),
        36.0
    );
    for bad in [0.0, 36.6, -1.0] {
        assert_eq!(
            code(report_value(GoalKind::Rank, bad, Some(30.0))),
            Rule::InvalidValue,
            "{bad}"
        );
    }
    assert_eq!(
        report_value(GoalKind::Rank, 0.5, None)
            .unwrap_err()
            .message
            .zh,
        "名次 0.5 须为不小于 1 的整数"
    );
    // A rank has no baseline, curve or DECREASE (lower is better by nature).
    assert_eq!(
        code(baseline_for_kind(GoalKind::Rank, Some(40.0), Some(30.0))),
        Rule::InvalidValue
    );
    assert_eq!(
        code(direction_for_kind(GoalKind::Rank, Direction::Decrease)),
        Rule::DirectionNotAllowed
    );
    assert_eq!(
        code(monthly_plan(GoalKind::Rank, Some(vec![30.0; 12]), 12)),
        Rule::KindMismatch
    );
}

#[test]
fn directions_baselines_weights_and_values() {
    assert_eq!(
        code(direction_for_kind(
            GoalKind::Cumulative,
            Direction::Decrease
        )),
        Rule::DirectionNotAllowed
    );
    assert!(direction_for_kind(GoalKind::Rate, Direction::Decrease).is_ok());
    assert_eq!(
        code(baseline_for_kind(GoalKind::Rate, Some(65.0), Some(65.0))),
        Rule::InvalidValue
    );
    assert_eq!(
        code(baseline_for_kind(GoalKind::Veto, Some(1.0), Some(0.0))),
        Rule::InvalidValue
    );
    assert_eq!(code(weight(-1.0)), Rule::InvalidValue);
    assert_eq!(code(weight(f64::INFINITY)), Rule::InvalidValue);
    assert_eq!(
        code(report_value(GoalKind::Cumulative, -1.0, None)),
        Rule::InvalidValue
    );
    assert_eq!(report_value(GoalKind::Rate, -1.5, None).unwrap(), -1.5);
}

#[test]
fn a_headings_points_are_its_items_points() {
    assert_eq!(heading_points(30.0, &[10.0, 10.0, 10.0]).unwrap(), 30.0);
    assert_eq!(heading_points(10.0, &[7.5, 2.5]).unwrap(), 10.0);
    assert_eq!(heading_points(0.3, &[0.1, 0.2]).unwrap(), 0.3);
    let slip = heading_points(40.0, &[15.0, 15.0, 5.0]).unwrap_err();
    assert_eq!(slip.rule, Rule::InvalidValue);
    assert_eq!(
        slip.message.zh,
        "标题分值 40 分与其下各项分值合计 35 分不符"
    );
    assert_eq!(code(heading_points(-1.0, &[])), Rule::InvalidValue);
}

#[test]
fn dates_within_the_plan() {
    let start: NaiveDate = "2025-01-01".parse().unwrap();
    let end: NaiveDate = "2025-12-31".parse().unwrap();
    let late: NaiveDate = "2026-01-01".parse().unwrap();
    assert_eq!(
        code(within_plan(
            Rule::DeadlineOutsidePlan,
            "deadline",
            late,
            start,
            end
        )),
        Rule::DeadlineOutsidePlan
    );
    assert_eq!(
        within_plan(Rule::DeadlineOutsidePlan, "deadline", end, start, end).unwrap(),
        end
    );
}

#[test]
fn settings_and_curves() {
    let t = |y, r, f| Thresholds {
        yellow_gap: y,
        red_gap: r,
        rate_yellow_floor: f,
    };
    assert!(thresholds(t(10.0, 30.0, 80.0)).is_ok());
    assert_eq!(code(thresholds(t(0.0, 30.0, 80.0))), Rule::InvalidValue);
    assert_eq!(code(thresholds(t(20.0, 10.0, 80.0))), Rule::InvalidValue);
    assert_eq!(code(thresholds(t(10.0, 30.0, 120.0))), Rule::InvalidValue);
    let rising: Vec<f64> = (1..=12).map(f64::from).collect();
    assert!(monthly_plan(GoalKind::Cumulative, Some(rising.clone()), 12).is_ok());
    assert_eq!(
        code(monthly_plan(GoalKind::Rate, Some(rising.clone()), 12)),
        Rule::KindMismatch
    );
    assert_eq!(
        code(monthly_plan(
            GoalKind::Cumulative,
            Some(rising[..11].to_vec()),
            12
        )),
        Rule::InvalidValue
    );
    let mut falling = rising;
    falling[5] = 0.0;
    assert_eq!(
        code(monthly_plan(GoalKind::Cumulative, Some(falling), 12)),
        Rule::InvalidValue
    );
    assert_eq!(code(report_due_day(31)), Rule::InvalidValue);
    assert_eq!(report_due_day(5).unwrap(), 5);
}

#[test]
fn refusals_read_in_both_languages() {
    fn message<T: std::fmt::Debug>(r: Result<T, Refusal>) -> (String, String) {
        let m = r.unwrap_err().message;
        (m.zh, m.en)
    }
    type Row<'a> = ((String, String), (&'a str, &'a str));
    let rows: [Row; 7] = [
        (
            message(target_for_kind(GoalKind::Cumulative, Some(0.0))),
            ("目标值不能为 0", "targetValue cannot be 0"),
        ),
        (
            message(target_for_kind(GoalKind::Rate, None)),
            ("比率型目标须填写目标值", "a RATE goal needs a targetValue"),
        ),
        (
            message(weight(-1.0)),
            ("分值不能为负数", "weight cannot be negative"),
        ),
        (
            message(finite("targetValue", f64::NAN)),
            (
                "目标值不是有效的数字",
                "targetValue must be a finite number",
            ),
        ),
        (
            message(direction_for_kind(GoalKind::Veto, Direction::Decrease)),
            (
                "只有比率型目标可以设为反向（越低越好），一票否决目标不能",
                "DECREASE applies to RATE goals only, not VETO",
            ),
        ),
        (
            message(report_value(GoalKind::Veto, -1.0, None)),
            (
                "一票否决目标的填报值不能为负数",
                "a VETO report cannot be negative",
            ),
        ),
        (
            message(report_due_day(0)),
            (
                "报送日是每月 1 日至 28 日中的一天",
                "reportDueDay is a day of the month from 1 to 28",
            ),
        ),
    ];
    for ((zh, en), (want_zh, want_en)) in rows {
        assert_eq!((zh.as_str(), en.as_str()), (want_zh, want_en));
    }
    let start: NaiveDate = "2025-01-01".parse().unwrap();
    let end: NaiveDate = "2025-12-31".parse().unwrap();
    let late: NaiveDate = "2026-01-05".parse().unwrap();
    let outside = within_plan(Rule::DeadlineOutsidePlan, "deadline", late, start, end)
        .unwrap_err()
        .message;
    assert_eq!(
        outside.zh,
        "完成时限 2026-01-05 不在年度目标期间（2025-01-01 至 2025-12-31）内"
    );
    assert_eq!(
        outside.en,
        "deadline 2026-01-05 is outside the plan period 2025-01-01 to 2025-12-31"
    );
    let future = not_in_future(late, end).unwrap_err();
    assert_eq!(
        future.to_string(),
        "截至日期 2026-01-05 晚于今天（2025-12-31），请填今天或更早的日期"
    );
    let slip = report_value(GoalKind::Cumulative, 20_001.0, Some(20.0))
        .unwrap_err()
        .message;
    assert_eq!(
        slip.zh,
        "填报值 20001 超过分解目标值 20 的 1000 倍，请核对数字和计量单位"
    );
}

#[test]
fn cycles_are_found_through_any_depth() {
    // 1 ← 2 ← 3 (3's parent is 2, 2's parent is 1)
    let parents: HashMap<i64, i64> = [(2, 1), (3, 2)].into();
    let parent_of = |id| parents.get(&id).copied();
    assert!(creates_cycle(1, 3, parent_of));
    assert!(creates_cycle(2, 2, parent_of));
    assert!(!creates_cycle(3, 1, parent_of));
    assert!(!creates_cycle(1, 4, parent_of));
}
