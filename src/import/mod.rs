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
    read_preferring(bytes, sheet, &["分解"], budget)
}

/// `read`, preferring (without `sheet`) the first visible sheet whose name
/// holds one of `preferred` ("问题", "隐患" for a problem list).
pub fn read_preferring(
    bytes: &[u8],
    sheet: Option<&str>,
    preferred: &[&str],
    budget: Budget,
) -> Result<Grid, ReadError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::Unreadable(domain::Message::new(
            "文件是空的，请重新选择表格文件",
            "the file is empty",
        )));
    }
    if bytes.starts_with(b"%PDF-") {
        return Err(ReadError::Unreadable(domain::Message::new(
            "这是 PDF 文件，导入需要 Excel 表格（.xlsx）或 CSV；PDF 可作为佐证材料上传",
            "this is a PDF; an import needs an .xlsx workbook or CSV text",
        )));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        xlsx::read(bytes, sheet, preferred, budget)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err(ReadError::Unreadable(domain::Message::new(
            "这是旧版的 .xls 工作簿；请在 Excel 中另存为 .xlsx（Excel 2007 及以后的格式）再导入",
            "this is an old .xls workbook; save it as .xlsx (Excel 2007 or later) and import that",
        )))
    } else {
        grid::read_csv(bytes, budget)
    }
}
