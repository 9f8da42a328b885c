//! The supervision rules, worked by hand.
use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An item handed over on 2025-03-01, due 2025-06-30.
fn item() -> ItemFacts {
    ItemFacts {
        state: ItemState::Assigned,
        assigned_on: d("2025-03-01"),
        deadline: d("2025-06-30"),
        extensions: vec![],
        feedback_on: vec![],
        closed_on: None,
    }
}

#[test]
fn an_item_goes_through_every_state_and_back_on_return() {
    use ItemAction as A;
    use ItemState as S;
    let path = [
        (S::Assigned, A::Accept, S::Accepted),
        (S::Accepted, A::Feedback, S::InProgress),
        (S::InProgress, A::Feedback, S::InProgress),
        (S::InProgress, A::RequestExtension, S::InProgress),
        (S::Accepted, A::RequestExtension, S::Accepted),
        (S::InProgress, A::Urge, S::InProgress),
        (S::InProgress, A::RequestClosure, S::ClosureRequested),
        (S::ClosureRequested, A::Return, S::InProgress),
        (S::InProgress, A::RequestClosure, S::ClosureRequested),
        (S::ClosureRequested, A::Close, S::Closed),
        (S::Closed, A::Reopen, S::InProgress),
    ];
    for (from, action, to) in path {
        assert_eq!(
            item_after(from, action, false),
            Ok(to),
            "{from:?} {action:?}"
        );
    }
}

#[test]
fn bad_transitions_are_refused_with_a_reason() {
    use ItemAction as A;
    use ItemState as S;
    let err = item_after(S::Assigned, A::Feedback, false).unwrap_err();
    assert_eq!(err.rule, Rule::InvalidTransition);
    assert_eq!(err.message.zh, "督办事项当前为“已交办”，不能反馈，请先签收");
    assert_eq!(
        err.message.en,
        "cannot give feedback on an item that is assigned; accept it first"
    );
    let err = item_after(S::InProgress, A::Close, false).unwrap_err();
    assert_eq!(
        err.message.zh,
        "督办事项当前为“办理中”，不能办结，须先由责任单位申请办结"
    );
    let err = item_after(S::Closed, A::Feedback, false).unwrap_err();
    assert!(
        err.message
            .zh
            .ends_with("已办结的事项只能查看，须先重新打开"),
        "{}",
        err.message.zh
    );
    for (state, action) in [
        (S::Accepted, A::Accept),
        (S::Assigned, A::Return),
        (S::InProgress, A::Return),
        (S::Closed, A::Urge),
        (S::Closed, A::RequestExtension),
        (S::Assigned, A::RequestExtension),
        (S::ClosureRequested, A::RequestExtension),
        (S::Closed, A::Close),
        (S::InProgress, A::Reopen),
    ] {
        assert!(
            item_after(state, action, false).is_err(),
            "{state:?} {action:?}"
        );
    }
}

#[test]
fn a_recovered_indicator_closes_in_one_step() {
    for state in [
        ItemState::Assigned,
        ItemState::Accepted,
        ItemState::InProgress,
        ItemState::ClosureRequested,
    ] {
        assert_eq!(
            item_after(state, ItemAction::CloseRecovered, true),
            Ok(ItemState::Closed)
        );
        assert!(item_after(state, ItemAction::CloseRecovered, false).is_err());
    }
    assert!(item_after(ItemState::Closed, ItemAction::CloseRecovered, true).is_err());
}

#[test]
fn problems_go_through_rectification_a_failed_recheck_and_closure() {
    use ProblemAction as A;
    use ProblemState as S;
    assert_eq!(
        problem_after(S::Open, A::StartRectifying),
        Ok(S::Rectifying)
    );
    assert_eq!(
        problem_after(S::Rectifying, A::SubmitRectification),
        Ok(S::Recheck)
    );
    assert_eq!(
        problem_after(S::Recheck, A::RecheckFailed),
        Ok(S::Rectifying)
    );
    assert_eq!(
        problem_after(S::Rectifying, A::SubmitRectification),
        Ok(S::Recheck)
    );
    assert_eq!(problem_after(S::Recheck, A::RecheckPassed), Ok(S::Closed));
    assert_eq!(
        problem_after(S::Open, A::SubmitRectification),
        Ok(S::Recheck)
    );
    assert_eq!(problem_after(S::Rectifying, A::Escalate), Ok(S::Rectifying));
    let err = problem_after(S::Closed, A::SubmitRectification).unwrap_err();
    assert_eq!(err.rule, Rule::InvalidTransition);
    assert_eq!(err.message.zh, "问题当前为“已销号”，不能提交整改");
    assert!(problem_after(S::Open, A::RecheckPassed).is_err());
    assert!(problem_after(S::Closed, A::Escalate).is_err());
}

#[test]
fn states_keep_their_spellings() {
    for s in ItemState::ALL {
        assert_eq!(s.as_str().parse(), Ok(s));
    }
    for s in ProblemState::ALL {
        assert_eq!(s.as_str().parse(), Ok(s));
    }
    for s in ItemSource::ALL {
        assert_eq!(s.as_str().parse(), Ok(s));
    }
    for s in ItemLevel::ALL {
        assert_eq!(s.as_str().parse(), Ok(s));
    }
    assert!("DONE".parse::<ItemState>().is_err());
    assert_eq!(ItemState::ClosureRequested.as_str(), "CLOSURE_REQUESTED");
    assert_eq!(ItemSource::RedLight.as_str(), "RED_LIGHT");
}

#[test]
fn the_three_colour_light() {
    let rules = ItemLightRules::default();
    let mut i = item();
    // Before it was handed over: no light.
    assert_eq!(item_light(&i, d("2025-02-28"), rules), None);
    // Handed over 03-01: green while feedback is fresh and the deadline far.
    assert_eq!(item_light(&i, d("2025-03-16"), rules), Some(Light::Green));
    // Sixteen days without feedback: yellow.
    assert_eq!(item_light(&i, d("2025-03-17"), rules), Some(Light::Yellow));
    i.feedback_on = vec![d("2025-03-10"), d("2025-06-20")];
    assert_eq!(item_light(&i, d("2025-03-25"), rules), Some(Light::Green));
    assert_eq!(item_light(&i, d("2025-03-26"), rules), Some(Light::Yellow));
    // Seven days before the deadline, fed back lately: blue.
    assert_eq!(item_light(&i, d("2025-06-23"), rules), Some(Light::Blue));
    assert_eq!(item_light(&i, d("2025-06-22"), rules), Some(Light::Green));
    // The deadline day is still blue; the day after, red.
    assert_eq!(item_light(&i, d("2025-06-30"), rules), Some(Light::Blue));
    assert_eq!(item_light(&i, d("2025-07-01"), rules), Some(Light::Red));
    // An extension approved on 06-28 to 07-31: not red on 07-01 any more.
    i.extensions = vec![Extension {
        decided_on: d("2025-06-28"),
        new_deadline: d("2025-07-31"),
    }];
    assert_eq!(item_light(&i, d("2025-07-01"), rules), Some(Light::Green));
    // …but as of a day before it was approved, the old deadline holds.
    assert_eq!(i.deadline_on(d("2025-06-27")), d("2025-06-30"));
    // Closed: no light from that day on.
    i.closed_on = Some(d("2025-07-15"));
    assert_eq!(item_light(&i, d("2025-07-15"), rules), None);
    // The day before: 24 days since the last feedback (06-20) outweighs a
    // near deadline: yellow.
    assert_eq!(item_light(&i, d("2025-07-14"), rules), Some(Light::Yellow));
}

#[test]
fn on_time_is_judged_against_the_deadline_in_force_at_closure() {
    let mut i = item();
    i.closed_on = Some(d("2025-07-10"));
    assert_eq!(i.closed_on_time(), Some(false));
    i.extensions = vec![Extension {
        decided_on: d("2025-06-25"),
        new_deadline: d("2025-07-15"),
    }];
    assert_eq!(i.closed_on_time(), Some(true));
    // An extension decided after the closure does not make it on time.
    i.extensions = vec![Extension {
        decided_on: d("2025-07-12"),
        new_deadline: d("2025-07-31"),
    }];
    assert_eq!(i.closed_on_time(), Some(false));
    i.closed_on = None;
    assert_eq!(i.closed_on_time(), None);
}

#[test]
fn a_units_figures_by_hand() {
    // Four items of one unit, as of 2025-07-31:
    // a: closed 06-20, due 06-30          → closed, on time
    // b: closed 07-20, due 06-30          → closed, late
    // c: open, due 07-15                  → overdue
    // d: open, due 09-30                  → not due yet
    // e: handed over 08-05                → not yet assigned on 07-31
    let mut a = item();
    a.closed_on = Some(d("2025-06-20"));
    let mut b = item();
    b.closed_on = Some(d("2025-07-20"));
    let mut c = item();
    c.deadline = d("2025-07-15");
    let mut dd = item();
    dd.deadline = d("2025-09-30");
    let mut e = item();
    e.assigned_on = d("2025-08-05");
    let stats = item_stats([&a, &b, &c, &dd, &e], d("2025-07-31"));
    assert_eq!(
        stats,
        ItemStats {
            assigned: 4,
            closed: 2,
            closed_on_time: 1,
            overdue: 1,
            due: 3,
        }
    );
    assert_eq!(stats.closure_rate(), Some(50.0));
    assert_eq!(stats.on_time_rate(), Some(1.0 / 3.0 * 100.0));
    // Before anything was closed: b is not closed yet on 07-01, and overdue.
    let early = item_stats([&a, &b, &c, &dd], d("2025-07-01"));
    assert_eq!((early.closed, early.overdue, early.due), (1, 1, 2));
    assert_eq!(item_stats([&e], d("2025-07-31")).closure_rate(), None);
    assert_eq!(item_stats([&dd], d("2025-07-31")).on_time_rate(), None);
}

#[test]
fn a_red_or_overdue_goal_calls_for_an_item() {
    assert!(goal_needs_supervision(Light::Red, false));
    assert!(goal_needs_supervision(Light::Yellow, true));
    assert!(!goal_needs_supervision(Light::Yellow, false));
    assert!(!goal_needs_supervision(Light::Green, false));
}

#[test]
fn a_problem_tally() {
    let mut t = ProblemTally::default();
    assert_eq!(t.closure_rate(), None);
    t.add(true);
    t.add(false);
    t.add(false);
    t.add(true);
    assert_eq!((t.found, t.closed), (4, 2));
    assert_eq!(t.closure_rate(), Some(50.0));
    assert_eq!("PETITION".parse(), Ok(ProblemSource::Petition));
    assert_eq!(ProblemSeverity::Serious.as_str(), "SERIOUS");
}

#[test]
fn a_problem_overdue_and_in_a_period() {
    let (deadline, closed) = (d("2025-10-31"), Some(d("2025-11-10")));
    assert!(!problem_overdue(deadline, closed, d("2025-10-31")));
    assert!(problem_overdue(deadline, closed, d("2025-11-09")));
    assert!(!problem_overdue(deadline, closed, d("2025-11-10")));
    assert!(problem_overdue(deadline, None, d("2025-12-01")));
    let (from, to) = (d("2025-10-01"), d("2025-11-30"));
    assert_eq!(
        problem_in_period(d("2025-10-05"), closed, from, to),
        Some(true)
    );
    assert_eq!(
        problem_in_period(d("2025-10-05"), Some(d("2025-12-05")), from, to),
        Some(false)
    );
    assert_eq!(problem_in_period(d("2025-09-20"), closed, from, to), None);
}

#[test]
fn a_problems_dates_stay_near_its_plan() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let today = d("2025-11-01");
    assert!(check_problem_dates(d("2025-10-20"), d("2025-11-20"), today, 2025).is_ok());
    // 旧账 from years ago, due next year: fine.
    assert!(check_problem_dates(d("2016-03-01"), d("2026-06-30"), today, 2025).is_ok());
    let refused = |found: &str, due: &str| {
        check_problem_dates(d(found), d(due), today, 2025)
            .unwrap_err()
            .message
            .zh
    };
    assert_eq!(
        refused("2025-11-02", "2025-11-30"),
        "发现日期 2025-11-02 晚于今天（2025-11-01）"
    );
    assert_eq!(
        refused("0001-01-01", "2025-11-30"),
        "发现日期 0001-01-01 早于 2015-01-01，请检查是否填错"
    );
    assert_eq!(
        refused("2025-10-20", "2025-10-19"),
        "整改时限 2025-10-19 早于发现日期 2025-10-20"
    );
    assert_eq!(
        refused("2025-10-20", "9999-12-31"),
        "整改时限 9999-12-31 晚于 2028-12-31，请检查是否填错"
    );
}

#[test]
fn a_problem_closed_late_is_no_longer_overdue_but_was_not_on_time() {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let (deadline, closed) = (d("2025-12-31"), Some(d("2026-11-28")));
    assert!(!problem_overdue(deadline, closed, d("2026-11-30")));
    assert!(problem_overdue(deadline, closed, d("2026-06-30")));
    assert_eq!(problem_closed_on_time(deadline, closed), Some(false));
    assert_eq!(
        problem_closed_on_time(deadline, Some(d("2025-12-31"))),
        Some(true)
    );
    assert_eq!(problem_closed_on_time(deadline, None), None);
}
