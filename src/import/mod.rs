//! Spreadsheets in: a file's first sheet as a grid of cells, and the
//! 目标任务分解表 layout read from it. No database here; `service::import`
//! resolves units and writes the plan. Everything read is bounded by
//! `limits`.

/// The 分解表 layout: headers, numbering, assignments and milestones.
pub mod breakdown;
/// .xlsx and CSV files as a grid of cells, merged regions filled in.
pub mod grid;
/// How much of a file an import reads, for how long, one import at a time.
pub mod limits;
/// The 问题清单: problems found, read from a sheet as offices write it.
pub mod problem_list;
/// Every part of an .xlsx unpacked and measured before calamine opens it.
mod unzip;
/// An .xlsx sheet streamed cell by cell into a grid.
mod xlsx;

use grid::{Grid, ReadError};
use limits::Budget;

/// Reads the sheet to import from a file's bytes: .xlsx by its zip
/// signature, anything else as CSV. In a workbook, `sheet` names the sheet;
/// without it the first sheet whose name holds "分解" is read, else the
/// first sheet. The read stops at the first limit crossed
/// ([`limits`]) or when `budget` runs out.
pub fn read(bytes: &[u8], sheet: Option<&str>, budget: Budget) -> Result<Grid, ReadError> {
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx::read(bytes, sheet, budget)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err(ReadError::Unreadable(domain::Message::new(
            "这是旧版的 .xls 工作簿；请在 Excel 中另存为 .xlsx（Excel 2007 及以后的格式）再导入",
            "this is an old .xls workbook; save it as .xlsx (Excel 2007 or later) and import that",
        )))
    } else {
        grid::read_csv(bytes, budget)
    }
}
