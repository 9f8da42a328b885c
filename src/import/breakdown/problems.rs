//! Problems found while reading, each named by its cell and the column's
//! header as the clerk wrote it. (`Problem` itself belongs to `error`,
//! which carries it in `AppError::Sheet`.)
use domain::Message;

use super::SheetReader;
use super::draft::{At, Draft};
use crate::error::{ErrorCode, Problem};
use crate::import::grid::{cell_name, column_name};

impl Draft {
    /// A problem at a cell, with the column's header.
    pub fn problem_at(&self, at: At, code: ErrorCode, message: Message) -> Problem {
        Problem {
            row: at.row + 1,
            column: Some(column_name(at.column)),
            header: self.headers.get(&at.column).cloned(),
            code,
            message,
        }
    }
}

impl SheetReader<'_> {
    /// Notes a problem and reads on, so one pass lists them all.
    pub(super) fn problem(
        &mut self,
        at: At,
        code: ErrorCode,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) {
        let p = self.draft.problem_at(at, code, Message::new(zh, en));
        self.problems.push(p);
    }
}

/// Problems in the order a clerk works through a sheet: by row, then column.
pub fn sort_problems(problems: &mut [Problem]) {
    problems.sort_by(|a, b| {
        let column = |p: &Problem| {
            p.column
                .as_ref()
                .map(|c| (c.len(), c.clone()))
                .unwrap_or_default()
        };
        (a.row, column(a)).cmp(&(b.row, column(b)))
    });
}

/// The problem for a cell, named the way a clerk finds it: "C5".
pub fn cell_label(at: At) -> String {
    cell_name(at.row, at.column)
}
