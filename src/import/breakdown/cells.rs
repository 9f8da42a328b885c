//! Reading one cell of a row: which cell holds a field's value (its own, or
//! one merged down from above), and that value as text, a number, a date
//! or a list of unit names. A value that cannot be read is a problem at its
//! cell, and reads as nothing.
use chrono::NaiveDate;

use super::SheetReader;
use super::draft::{At, UnitName};
use super::headers::Field;
use super::unit_key;
use crate::error::ErrorCode;
use crate::import::grid::Cell;
use domain::Message;
use domain::wording::{self, DeadlineReading, WordingError};

impl<'a> SheetReader<'a> {
    pub(super) fn column(&self, field: Field) -> Option<u32> {
        self.columns.fields.get(&field).copied()
    }

    /// The cell of `field` in `row` when it holds a value for that column:
    /// its own, or one merged down from above (类别 over several goals);
    /// never a copy of a cell merged across from another column.
    pub(super) fn value(&self, row: u32, field: Field) -> Option<(&'a Cell, At)> {
        let column = self.column(field)?;
        self.value_at(row, column)
    }

    fn value_at(&self, row: u32, column: u32) -> Option<(&'a Cell, At)> {
        let cell = self.grid.cell(row, column);
        let vertical_or_own = cell.merged_from.is_none_or(|(_, c)| c == column);
        (!cell.is_blank() && vertical_or_own).then_some((cell, At { row, column }))
    }

    /// Like `value`, but only a value first written on this row.
    pub(super) fn fresh(&self, row: u32, field: Field) -> Option<(&'a Cell, At)> {
        let column = self.column(field)?;
        self.fresh_at(row, column)
    }

    pub(super) fn fresh_at(&self, row: u32, column: u32) -> Option<(&'a Cell, At)> {
        self.value_at(row, column)
            .filter(|(cell, _)| cell.own_in_row(row))
    }

    pub(super) fn text(&self, row: u32, field: Field) -> Option<String> {
        self.value(row, field)
            .map(|(cell, _)| cell.text.trim().to_string())
    }

    /// A number, stored as one or written as words ("20个以上"); `what`
    /// names it in the problem when it is neither.
    pub(super) fn number(&mut self, cell: &Cell, at: At, what: Message) -> Option<f64> {
        if let Some(n) = cell.number {
            return Some(n);
        }
        match wording::read_target(&cell.text).ok().and_then(|t| t.value) {
            Some(value) => Some(value),
            None => {
                self.problem(
                    at,
                    ErrorCode::UnreadableValue,
                    format!("{}“{}”不是数字", what.zh, cell.text.trim()),
                    format!("{} {:?} is not a number", what.en, cell.text.trim()),
                );
                None
            }
        }
    }

    /// A date, stored as one or worded the way deadlines are ("10月底");
    /// a date that could mean two days is a problem, not a guess.
    pub(super) fn date(&mut self, cell: &Cell, at: At) -> Option<NaiveDate> {
        self.deadline(cell, at).map(|d| d.date)
    }

    /// A deadline: a date, or words for one ("春节前", "三季度末"), or for
    /// the whole year ("持续推进": the plan's end, marked ongoing).
    pub(super) fn deadline(&mut self, cell: &Cell, at: At) -> Option<DeadlineReading> {
        if let Some(date) = cell.date {
            return Some(DeadlineReading {
                date,
                ongoing: false,
            });
        }
        if let Some(n) = cell.number.filter(|n| n.fract() != 0.0) {
            // 2025.10 typed into a number cell shows as 2025.1.
            self.problem(
                at,
                ErrorCode::AmbiguousDate,
                format!(
                    "{n} 是数字格式，末尾的 0 可能已丢失（2025.1 还是 2025.10？）；请把日期写成文字，如 2025年10月底"
                ),
                format!(
                    "{n} is a number, so a trailing 0 may be lost (2025.1 or 2025.10?); write the date as text, like 2025年10月底"
                ),
            );
            return None;
        }
        match wording::read_deadline(&cell.text, self.plan_year) {
            Ok(d) => Some(d),
            Err(WordingError::Ambiguous(message)) => {
                self.problem(at, ErrorCode::AmbiguousDate, message.zh, message.en);
                None
            }
            Err(WordingError::Unreadable(message)) => {
                self.problem(
                    at,
                    ErrorCode::InvalidDate,
                    // The unreadable-words message already says how to
                    // write one; a date that does not exist ("6月31日") not.
                    if message.zh.contains("请写成") {
                        message.zh
                    } else {
                        format!(
                            "{}，请写成 2025年10月底、10月31日前 或 2025-10-31",
                            message.zh
                        )
                    },
                    format!(
                        "{}; write a date like 2025年10月底, 10月31日前 or 2025-10-31",
                        message.en
                    ),
                );
                None
            }
        }
    }

    pub(super) fn unit_names(&self, cell: &Cell, at: At) -> Vec<UnitName> {
        split_list(&cell.text)
            .into_iter()
            .map(|name| UnitName { name, at })
            .collect()
    }
}

/// Splits "招商局:10;经发局:5" or "招商局、经发局" into items, each
/// normalised (half-width, no spaces).
pub(super) fn split_list(text: &str) -> Vec<String> {
    text.split(['\n', ';', '；', ',', '，', '、', '/'])
        .map(unit_key)
        .filter(|s| !s.is_empty())
        .collect()
}
