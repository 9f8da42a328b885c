//! Input rules that need no database: each returns the error a client sees.
use chrono::NaiveDate;

use super::dates::within;
use super::judgement::Thresholds;
use super::kinds::{Direction, GoalKind};
use crate::message::field_label;
use crate::refusal::{Refusal, Rule};

/// A refusal in the clerk's words (`zh`, naming the cells as a sheet or
/// form shows them) and in English (`en`, naming the API's fields).
fn reject(rule: Rule, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(rule, zh, en)
}

/// The largest magnitude of any number we store: a trillion (万亿) is more
/// than any park plans or reports in any unit, and keeps every figure
/// computed from stored numbers finite.
pub const MAX_MAGNITUDE: f64 = 1e12;

/// The smallest magnitude of a target: figures divide by targets, and a
/// target of 10^-300 would make any report an infinite completion.
pub const MIN_TARGET: f64 = 1e-6;

/// How many times its assignment's target a cumulative report may claim: a
/// typing slip of a few digits, not a record year.
pub const MAX_TIMES_TARGET: f64 = 1_000.0;

/// Every number we store must be a real number of a plausible size.
pub fn finite(field: &str, value: f64) -> Result<f64, Refusal> {
    if !value.is_finite() {
        return Err(reject(
            Rule::InvalidValue,
            format!("{}不是有效的数字", field_label(field)),
            format!("{field} must be a finite number"),
        ));
    }
    if value.abs() > MAX_MAGNITUDE {
        return Err(reject(
            Rule::ImplausibleValue,
            format!(
                "{} {value:e} 超出 ±10^12（万亿），请核对数字和计量单位",
                field_label(field)
            ),
            format!("{field} {value:e} is beyond ±10^12; check the figure and its unit"),
        ));
    }
    Ok(value)
}

/// A goal's or assignment's target for its kind. CUMULATIVE and RATE need a
/// non-zero target (CUMULATIVE a positive one); VETO defaults to 0 incidents
/// and cannot be negative; MILESTONE and GROUP goals have no target value.
pub fn target_for_kind(kind: GoalKind, target: Option<f64>) -> Result<Option<f64>, Refusal> {
    let target = target.map(|t| finite("targetValue", t)).transpose()?;
    match kind {
        GoalKind::Cumulative | GoalKind::Rate => {
            let t = target.ok_or_else(|| {
                reject(
                    Rule::InvalidTarget,
                    format!("{}目标须填写目标值", kind.zh_name()),
                    format!("a {kind} goal needs a targetValue"),
                )
            })?;
            if t == 0.0 {
                return Err(reject(
                    Rule::InvalidTarget,
                    "目标值不能为 0",
                    "targetValue cannot be 0",
                ));
            }
            if t.abs() < MIN_TARGET {
                return Err(reject(
                    Rule::ImplausibleValue,
                    format!("目标值 {t:e} 太接近 0（不到 10^-6），请改用更大的计量单位"),
                    format!("targetValue {t:e} is closer to 0 than 10^-6; choose a larger unit"),
                ));
            }
            if kind == GoalKind::Cumulative && t < 0.0 {
                return Err(reject(
                    Rule::InvalidValue,
                    "累计型目标的目标值不能为负数",
                    "a CUMULATIVE targetValue cannot be negative",
                ));
            }
            Ok(Some(t))
        }
        GoalKind::Rank => {
            let t = target.ok_or_else(|| {
                reject(
                    Rule::InvalidTarget,
                    "排名型目标须填写目标名次（如“前20位”填 20）",
                    "a RANK goal needs a targetValue (the place to reach, 20 for top 20)",
                )
            })?;
            if !is_place(t) {
                return Err(reject(
                    Rule::InvalidTarget,
                    format!("目标名次 {t} 须为不小于 1 的整数"),
                    format!("a RANK targetValue is a place, a whole number from 1; got {t}"),
                ));
            }
            Ok(Some(t))
        }
        GoalKind::Veto => {
            let t = target.unwrap_or(0.0);
            if t < 0.0 {
                return Err(reject(
                    Rule::InvalidValue,
                    "一票否决项的限值（允许的起数）不能为负数",
                    "a VETO limit cannot be negative",
                ));
            }
            Ok(Some(t))
        }
        GoalKind::Milestone | GoalKind::Group => match target {
            None => Ok(None),
            Some(_) => Err(reject(
                Rule::InvalidTarget,
                format!("{}目标没有目标值，请留空", kind.zh_name()),
                format!("a {kind} goal has no targetValue"),
            )),
        },
    }
}

/// A place in a ranking: 1st, 2nd, … A 20.5th place or a 0th is a slip.
fn is_place(value: f64) -> bool {
    value >= 1.0 && value.fract() == 0.0
}

/// An assignment's own target follows the goal's rules for its kind; an absent
/// one means "the goal's target". MILESTONE assignments have none.
pub fn assignment_target(kind: GoalKind, target: Option<f64>) -> Result<Option<f64>, Refusal> {
    match (kind, target) {
        (_, None) => Ok(None),
        (GoalKind::Milestone, Some(_)) => Err(reject(
            Rule::InvalidTarget,
            "节点型目标的分解任务没有目标值，进度按节点完成情况计算",
            "a MILESTONE goal's assignment has no targetValue",
        )),
        (kind, Some(t)) => target_for_kind(kind, Some(t)),
    }
}

/// A baseline only makes sense for CUMULATIVE and RATE goals, and a RATE
/// baseline equal to the target would divide by zero.
pub fn baseline_for_kind(
    kind: GoalKind,
    baseline: Option<f64>,
    target: Option<f64>,
) -> Result<Option<f64>, Refusal> {
    let Some(b) = baseline else { return Ok(None) };
    let b = finite("baselineValue", b)?;
    match kind {
        GoalKind::Rate if target.is_some_and(|t| (t - b).abs() < MIN_TARGET) => Err(reject(
            Rule::InvalidValue,
            "基数不能等于目标值",
            "baselineValue must differ from targetValue",
        )),
        GoalKind::Cumulative | GoalKind::Rate => Ok(Some(b)),
        _ => Err(reject(
            Rule::InvalidValue,
            format!("{}目标没有基数，请留空", kind.zh_name()),
            format!("a {kind} goal has no baselineValue"),
        )),
    }
}

/// Lower-is-better is only defined for RATE goals.
pub fn direction_for_kind(kind: GoalKind, direction: Direction) -> Result<Direction, Refusal> {
    if direction == Direction::Decrease && kind != GoalKind::Rate {
        return Err(reject(
            Rule::DirectionNotAllowed,
            format!(
                "只有比率型目标可以设为反向（越低越好），{}目标不能",
                kind.zh_name()
            ),
            format!("DECREASE applies to RATE goals only, not {kind}"),
        ));
    }
    Ok(direction)
}

/// Weights are points out of the plan total: finite and not negative.
pub fn weight(value: f64) -> Result<f64, Refusal> {
    let w = finite("weight", value)?;
    if w < 0.0 {
        return Err(reject(
            Rule::InvalidValue,
            "分值不能为负数",
            "weight cannot be negative",
        ));
    }
    Ok(w)
}

/// A heading's points (经济发展指标（30分）) against its items': on a
/// 100-point sheet a group's points are the sum of its children's, so a
/// sheet whose items add up to something else has a slip in it. The
/// caller leaves out 其中 rows without points of their own.
pub fn heading_points(heading: f64, items: &[f64]) -> Result<f64, Refusal> {
    let heading = weight(heading)?;
    let sum: f64 = items.iter().sum();
    // Points like 7.5 + 2.5 add up exactly; a tolerance keeps 0.1 + 0.2 whole.
    if (sum - heading).abs() > 1e-9 {
        return Err(reject(
            Rule::InvalidValue,
            format!("标题分值 {heading} 分与其下各项分值合计 {sum} 分不符"),
            format!(
                "the heading's {heading} points differ from the sum of its items' points, {sum}"
            ),
        ));
    }
    Ok(heading)
}

/// A date that must fall inside the plan period.
pub fn within_plan(
    rule: Rule,
    what: &str,
    date: NaiveDate,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<NaiveDate, Refusal> {
    if within(date, start, end) {
        Ok(date)
    } else {
        Err(reject(
            rule,
            format!(
                "{} {date} 不在年度目标期间（{start} 至 {end}）内",
                field_label(what)
            ),
            format!("{what} {date} is outside the plan period {start} to {end}"),
        ))
    }
}

/// A reported value for a goal of `kind` whose assignment has `assignment_target`:
/// counts and amounts cannot be negative; a RATE level may be (a growth
/// rate can fall below zero); a cumulative figure of more than
/// [`MAX_TIMES_TARGET`] times its target is a slip, not progress.
pub fn report_value(
    kind: GoalKind,
    value: f64,
    assignment_target: Option<f64>,
) -> Result<f64, Refusal> {
    // "-0" is 0: stored as typed it would show as a fall of nothing.
    let v = finite("value", value)? + 0.0;
    if v != 0.0 && v.abs() < MIN_TARGET {
        // A level of 10^-300 on a lower-is-better rate reads as a
        // completion of 10^300 %: a slip, like a target that small.
        return Err(reject(
            Rule::ImplausibleValue,
            format!("填报值 {v:e} 太接近 0（不到 10^-6），请填 0 或改用更大的计量单位"),
            format!(
                "value {v:e} is closer to 0 than 10^-6; report 0 or the figure in a larger unit"
            ),
        ));
    }
    if v < 0.0 && kind != GoalKind::Rate {
        return Err(reject(
            Rule::InvalidValue,
            format!("{}目标的填报值不能为负数", kind.zh_name()),
            format!("a {kind} report cannot be negative"),
        ));
    }
    if kind == GoalKind::Rank && !is_place(v) {
        return Err(reject(
            Rule::InvalidValue,
            format!("名次 {v} 须为不小于 1 的整数"),
            format!("a RANK report is a place, a whole number from 1; got {v}"),
        ));
    }
    if kind == GoalKind::Cumulative
        && let Some(target) = assignment_target
        && v > target.abs() * MAX_TIMES_TARGET
    {
        return Err(reject(
            Rule::ImplausibleValue,
            format!(
                "填报值 {v} 超过分解目标值 {target} 的 {MAX_TIMES_TARGET} 倍，请核对数字和计量单位"
            ),
            format!(
                "value {v} is more than {MAX_TIMES_TARGET} times the share's target {target}; check the figure and its unit"
            ),
        ));
    }
    Ok(v)
}

/// Whether making `new_parent` the parent of `node` would close a cycle,
/// given the current parent of every node.
pub fn creates_cycle(node: i64, new_parent: i64, parent_of: impl Fn(i64) -> Option<i64>) -> bool {
    let mut current = Some(new_parent);
    let mut steps = 0usize;
    while let Some(id) = current {
        if id == node {
            return true;
        }
        steps += 1;
        // A tree deeper than this is already corrupt; refuse rather than loop.
        if steps > 10_000 {
            return true;
        }
        current = parent_of(id);
    }
    false
}

/// The light bands: 0 < yellowGap ≤ redGap, and a RATE floor in (0, 100].
pub fn thresholds(t: Thresholds) -> Result<Thresholds, Refusal> {
    let yellow = finite("yellowGap", t.yellow_gap)?;
    let red = finite("redGap", t.red_gap)?;
    let floor = finite("rateYellowFloor", t.rate_yellow_floor)?;
    if yellow <= 0.0 || red < yellow {
        return Err(reject(
            Rule::InvalidValue,
            "灯色阈值须满足 0 < 黄灯阈值 ≤ 红灯阈值（低于序时进度的百分点数）",
            "the bands need 0 < yellowGap <= redGap (points below time progress)",
        ));
    }
    if floor <= 0.0 || floor > 100.0 {
        return Err(reject(
            Rule::InvalidValue,
            "比率类黄灯下限是 0 到 100 之间的百分数",
            "rateYellowFloor is a percent between 0 and 100",
        ));
    }
    Ok(t)
}

/// A monthly plan curve: one cumulative planned value per month of the
/// plan, finite, not negative and never falling; CUMULATIVE goals only.
pub fn monthly_plan(
    kind: GoalKind,
    curve: Option<Vec<f64>>,
    months: u32,
) -> Result<Option<Vec<f64>>, Refusal> {
    let Some(curve) = curve else { return Ok(None) };
    if kind != GoalKind::Cumulative {
        return Err(reject(
            Rule::KindMismatch,
            format!("只有累计型目标可以设月度计划，{}目标不能", kind.zh_name()),
            format!("a monthly plan curve applies to CUMULATIVE goals, not {kind}"),
        ));
    }
    if curve.len() != months as usize {
        return Err(reject(
            Rule::InvalidValue,
            format!(
                "月度计划须有 {months} 个累计值，每月一个；现有 {} 个",
                curve.len()
            ),
            format!(
                "monthlyPlan needs {months} cumulative values, one per month of the plan; got {}",
                curve.len()
            ),
        ));
    }
    for (i, v) in curve.iter().enumerate() {
        finite("monthlyPlan", *v)?;
        if *v < 0.0 || (i > 0 && *v < curve[i - 1]) {
            return Err(reject(
                Rule::InvalidValue,
                "月度计划填的是累计值：不能为负数，也不能逐月减少",
                "monthlyPlan values are cumulative: not negative and never falling",
            ));
        }
    }
    Ok(Some(curve.into_iter().map(|v| v + 0.0).collect()))
}

/// The day of the following month a report is due: 1 to 28, so every month has it.
pub fn report_due_day(day: i32) -> Result<i32, Refusal> {
    if (1..=28).contains(&day) {
        Ok(day)
    } else {
        Err(reject(
            Rule::InvalidValue,
            "报送日是每月 1 日至 28 日中的一天",
            "reportDueDay is a day of the month from 1 to 28",
        ))
    }
}

/// The years a plan may be for: no park plans for year 0, and a date of
/// year −1 prints as "-0001-01-01", which the API itself refuses.
pub const PLAN_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

pub fn plan_year(year: i32) -> Result<i32, Refusal> {
    if PLAN_YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(reject(
            Rule::InvalidPlanPeriod,
            format!(
                "年度 {year} 不在 {} 至 {} 年之间",
                PLAN_YEARS.start(),
                PLAN_YEARS.end()
            ),
            format!(
                "year {year} is outside {} to {}",
                PLAN_YEARS.start(),
                PLAN_YEARS.end()
            ),
        ))
    }
}

/// A report states progress made, so its date cannot be after today (in
/// the plan's time zone); a figure for the month not over yet is dated today.
pub fn not_in_future(as_of: NaiveDate, today: NaiveDate) -> Result<NaiveDate, Refusal> {
    if as_of <= today {
        Ok(as_of)
    } else {
        Err(reject(
            Rule::ReportInFuture,
            format!("截至日期 {as_of} 晚于今天（{today}），请填今天或更早的日期"),
            format!("asOf {as_of} is after today ({today}); date the report today or earlier"),
        ))
    }
}

#[cfg(test)]
mod tests;
