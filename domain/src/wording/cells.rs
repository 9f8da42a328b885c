//! A unit's part of a goal written in words (the 分解 cell: "签约项目5个",
//! "完成方案编制"), and 节点 written inside one cell ("3月底前完成方案编制；
//! 6月底前通过验收") instead of on rows of their own.
use chrono::NaiveDate;

use super::deadline::leading_deadline;
use super::target::{WordedKind, read_target};
use super::{WordingError, after_normalised, normalise, unreadable};

/// What a unit's part of a goal says.
#[derive(Clone, Debug, PartialEq)]
pub enum AssignmentWords {
    /// A figure: "签约项目5个" → 5 个; "10月底前签约5个" → 5 个 by 10-31.
    Amount {
        value: f64,
        measure_unit: Option<String>,
        /// The unit's own deadline when the cell gives one.
        deadline: Option<NaiveDate>,
    },
    /// Something to deliver, with no figure and no date: "完成方案编制".
    Deliverable(String),
    /// Dated deliverables: "3月底前完成方案编制；6月底前通过验收".
    Milestones(Vec<(NaiveDate, String)>),
}

/// Reads a unit's part of a goal in a plan of `plan_year`: a figure (with
/// the unit's own deadline if it starts with one), a deliverable, or dated
/// deliverables. An empty cell, a part without a date among dated ones,
/// or a date that could mean two is an error.
pub fn read_assignment_cell(text: &str, plan_year: i32) -> Result<AssignmentWords, WordingError> {
    if normalise(text).is_empty() {
        return Err(unreadable("分解任务为空", "an empty assignment"));
    }
    let milestones = read_inline_milestones(text, plan_year)?;
    // One dated part that is a figure ("10月底前签约5个") is the figure,
    // due then; several are milestones whatever they say.
    if milestones.len() == 1 {
        let (due, words) = &milestones[0];
        if let Some(amount) = amount(words, Some(*due))? {
            return Ok(amount);
        }
    }
    if !milestones.is_empty() {
        return Ok(AssignmentWords::Milestones(milestones));
    }
    Ok(match amount(text, None)? {
        Some(amount) => amount,
        None => AssignmentWords::Deliverable(text.trim().to_string()),
    })
}

/// The figure `words` give, if they give one.
fn amount(
    words: &str,
    deadline: Option<NaiveDate>,
) -> Result<Option<AssignmentWords>, WordingError> {
    let reading = read_target(words)?;
    Ok(match (reading.kind, reading.value) {
        (WordedKind::Milestone, _) | (_, None) => None,
        (_, Some(value)) => Some(AssignmentWords::Amount {
            value,
            measure_unit: reading.measure_unit,
            deadline,
        }),
    })
}

/// 节点 inside a cell, in a plan of `plan_year`: the text split at "；", ";",
/// "。" and line breaks, and at a "，" where a new date starts; each part
/// is a deadline phrase ("3月底前", "6月30日前", "年底前", "春节前") and the
/// deliverable after it. Empty when no part starts with a date; an error
/// when some do and some do not (which date would the others have?), or
/// when a part has a date and nothing to deliver.
pub fn read_inline_milestones(
    text: &str,
    plan_year: i32,
) -> Result<Vec<(NaiveDate, String)>, WordingError> {
    let mut dated = Vec::new();
    let mut undated = Vec::new();
    for part in parts(text, plan_year) {
        let s = normalise(part);
        match leading_deadline(&s, plan_year, part.trim()) {
            Some((Ok(due), len)) => {
                let taken = s[..len].chars().count();
                let words = after_normalised(part, taken)
                    .trim_start_matches(|c: char| {
                        c.is_whitespace() || matches!(c, ',' | '，' | ':' | '：' | '、')
                    })
                    .trim_end();
                if words.is_empty() {
                    return Err(unreadable(
                        format!("“{}”只有时限，没有写要完成什么", part.trim()),
                        format!("{:?} has a deadline but nothing to deliver", part.trim()),
                    ));
                }
                dated.push((due, words.to_string()));
            }
            Some((Err(e), _)) => return Err(e),
            None => undated.push(part.trim()),
        }
    }
    if let (false, Some(part)) = (dated.is_empty(), undated.first()) {
        return Err(unreadable(
            format!("“{part}”没有完成时限；每个节点请以时限开头，如“6月底前通过验收”"),
            format!(
                "{part:?} has no deadline; start each milestone with one, like 6月底前通过验收"
            ),
        ));
    }
    Ok(dated)
}

/// The parts of a cell: split at sentence ends and line breaks, then at
/// commas followed by a deadline (a comma inside a deliverable stays).
fn parts(text: &str, plan_year: i32) -> Vec<&str> {
    let mut out = Vec::new();
    for sentence in text.split(['；', ';', '。', '\n', '\r']) {
        let mut start = 0;
        for (at, c) in sentence.char_indices() {
            if !matches!(c, '，' | ',') {
                continue;
            }
            let after = &sentence[at + c.len_utf8()..];
            let next = normalise(after);
            if leading_deadline(&next, plan_year, after.trim()).is_some() {
                out.push(&sentence[start..at]);
                start = at + c.len_utf8();
            }
        }
        out.push(&sentence[start..]);
    }
    out.retain(|p| !normalise(p).is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn amount(value: f64, unit: Option<&str>, deadline: Option<&str>) -> AssignmentWords {
        AssignmentWords::Amount {
            value,
            measure_unit: unit.map(String::from),
            deadline: deadline.map(d),
        }
    }

    #[test]
    fn a_units_part_in_words() {
        let rows = [
            ("签约项目5个", amount(5.0, Some("个"), None)),
            ("12亿元", amount(12.0, Some("亿元"), None)),
            ("８", amount(8.0, None, None)),
            (
                "处置闲置土地50.4亩（动态清零）",
                amount(50.4, Some("亩"), None),
            ),
            (
                "10月底前签约5个",
                amount(5.0, Some("个"), Some("2025-10-31")),
            ),
            (
                "完成方案编制",
                AssignmentWords::Deliverable("完成方案编制".into()),
            ),
            (
                "配合做好 要素保障",
                AssignmentWords::Deliverable("配合做好 要素保障".into()),
            ),
            (
                "3月底前完成方案编制；6月底前通过验收",
                AssignmentWords::Milestones(vec![
                    (d("2025-03-31"), "完成方案编制".into()),
                    (d("2025-06-30"), "通过验收".into()),
                ]),
            ),
            (
                "年底前建成投用",
                AssignmentWords::Milestones(vec![(d("2025-12-31"), "建成投用".into())]),
            ),
        ];
        for (text, expected) in rows {
            assert_eq!(read_assignment_cell(text, 2025), Ok(expected), "{text}");
        }
        let empty = read_assignment_cell(" ", 2025).unwrap_err();
        assert_eq!(empty.message().zh, "分解任务为空");
    }

    #[test]
    fn milestones_inside_a_cell() {
        let rows: [(&str, Vec<(&str, &str)>); 6] = [
            (
                "3月底前完成方案编制；6月底前通过验收",
                vec![("2025-03-31", "完成方案编制"), ("2025-06-30", "通过验收")],
            ),
            // A comma splits only where a date starts; inside a deliverable it stays.
            (
                "10月31日前完成主体厂房建设，12月31日前完成扫尾工程并投产运营",
                vec![
                    ("2025-10-31", "完成主体厂房建设"),
                    ("2025-12-31", "完成扫尾工程并投产运营"),
                ],
            ),
            (
                "3月底前完成方案编制，报管委会审定；年底前投产",
                vec![
                    ("2025-03-31", "完成方案编制，报管委会审定"),
                    ("2025-12-31", "投产"),
                ],
            ),
            (
                "春节前完成员工宿舍5号楼交付。\n一季度末启动二期",
                vec![
                    ("2025-01-28", "完成员工宿舍5号楼交付"),
                    ("2025-03-31", "启动二期"),
                ],
            ),
            // The deliverable keeps its own spelling (full-width, spaces).
            (
                "６月３０日前　完成 Phase 2 验收",
                vec![("2025-06-30", "完成 Phase 2 验收")],
            ),
            ("完成方案编制，报管委会审定", vec![]),
        ];
        for (text, expected) in rows {
            let expected: Vec<(NaiveDate, String)> = expected
                .into_iter()
                .map(|(due, words)| (d(due), words.to_string()))
                .collect();
            assert_eq!(read_inline_milestones(text, 2025), Ok(expected), "{text}");
        }
    }

    #[test]
    fn milestones_that_do_not_read() {
        // A part without a date among dated ones.
        let err = read_inline_milestones("3月底前完成方案编制；同步开展招标", 2025).unwrap_err();
        assert_eq!(
            err.message().zh,
            "“同步开展招标”没有完成时限；每个节点请以时限开头，如“6月底前通过验收”"
        );
        // A date with nothing to deliver.
        let err = read_inline_milestones("3月底前；6月底前通过验收", 2025).unwrap_err();
        assert_eq!(err.message().zh, "“3月底前”只有时限，没有写要完成什么");
        // "10月前" could be September's end or October's.
        assert!(matches!(
            read_inline_milestones("10月前完成主体厂房建设", 2025),
            Err(WordingError::Ambiguous(_))
        ));
        assert!(matches!(
            read_assignment_cell("10月前完成主体厂房建设", 2025),
            Err(WordingError::Ambiguous(_))
        ));
    }
}
