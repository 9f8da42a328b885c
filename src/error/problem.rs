//! A problem in a spreadsheet, named by its cell. It lives here, not in the
//! importer, because `AppError::Sheet` carries a list of them: the error
//! type must not depend on the code that reads sheets (the importer depends
//! on it instead, and builds these).
use domain::{Lang, Message};

use super::ErrorCode;

/// Something a clerk must fix before the sheet can be imported.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// 1-based, as the spreadsheet shows it.
    pub row: u32,
    /// Column letters ("C"), when the problem is in one cell.
    pub column: Option<String>,
    /// The column's header as written ("目标值").
    pub header: Option<String>,
    pub code: ErrorCode,
    pub message: Message,
}

impl Problem {
    /// "C5（目标值）：…" or "第 5 行：…", one line for a CLI or a log.
    pub fn describe(&self, lang: Lang) -> String {
        let message = self.message.get(lang);
        match (&self.column, &self.header, lang) {
            (Some(c), Some(h), Lang::Zh) => format!("{c}{}（{h}）：{message}", self.row),
            (Some(c), None, Lang::Zh) => format!("{c}{}：{message}", self.row),
            (_, _, Lang::Zh) => format!("第 {} 行：{message}", self.row),
            (Some(c), Some(h), Lang::En) => format!("{c}{} ({h}): {message}", self.row),
            (Some(c), None, Lang::En) => format!("{c}{}: {message}", self.row),
            (_, _, Lang::En) => format!("row {}: {message}", self.row),
        }
    }
}
