//! A problem in a spreadsheet, named by its cell. It lives here, not in the
//! importer, because `AppError::Sheet` carries a list of them: the error
//! type must not depend on the code that reads sheets (the importer depends
//! on it instead, and builds these).
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
    pub message: String,
}

impl Problem {
    /// "C5 (目标值): …" or "row 5: …", one line for a CLI or a log.
    pub fn describe(&self) -> String {
        match (&self.column, &self.header) {
            (Some(c), Some(h)) => format!("{c}{} ({h}): {}", self.row, self.message),
            (Some(c), None) => format!("{c}{}: {}", self.row, self.message),
            _ => format!("row {}: {}", self.row, self.message),
        }
    }
}
