//! An .xlsx sheet into a [`Grid`]: the workbook's parts are unpacked and
//! measured first (`unzip`), then calamine streams the sheet's cells one by
//! one into a [`GridBuilder`], which refuses the first cell past a limit;
//! the merged regions are checked before any is filled in. Never a dense
//! range: a sheet whose only cells are A1 and XFD1048576 costs two cells.
use std::io::Cursor;

use calamine::{Reader, Xlsx, XlsxError};
use domain::Message;

use super::grid::{Grid, GridBuilder, ReadError, Region, cell_of};
use super::limits::Budget;
use super::unzip;

fn unreadable(e: XlsxError) -> ReadError {
    ReadError::Unreadable(Message::new(
        format!("无法读取工作簿：{}", super::unzip::DAMAGED_ZH),
        format!("the workbook cannot be read: {e}"),
    ))
}

/// Reads the sheet `sheet` (default: the first visible one whose name
/// holds one of `preferred`, else the first visible one).
pub(super) fn read(
    bytes: &[u8],
    sheet: Option<&str>,
    preferred: &[&str],
    budget: Budget,
) -> Result<Grid, ReadError> {
    unzip::measure(bytes, budget)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    // A hidden sheet (说明, 下拉选项) is not the one a clerk filled in.
    let visible: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == calamine::SheetVisible::Visible)
        .map(|s| s.name.clone())
        .collect();
    let names = if visible.is_empty() {
        book.sheet_names()
    } else {
        visible
    };
    let name = match sheet {
        Some(_) => choose_sheet(&book.sheet_names(), sheet, preferred)?,
        None => choose_sheet(&names, None, preferred)?,
    };
    let mut grid = GridBuilder::new(&name, budget);
    {
        let mut cells = book.worksheet_cells_reader(&name).map_err(unreadable)?;
        while let Some(cell) = cells.next_cell().map_err(unreadable)? {
            grid.check_time()?;
            let (row, column) = cell.get_position();
            grid.put(row, column, cell_of(cell.get_value()))?;
        }
    }
    grid.check_time()?;
    // The list is as long as the sheet has <mergeCell> elements: bounded by
    // the part's unpacked size (`unzip`), ~30 bytes each. It is checked
    // before a single region is filled.
    let regions: Vec<Region> = book
        .merge_cells_by_sheet_name(&name)
        .map_err(unreadable)?
        .into_iter()
        .map(|d| (d.start, d.end))
        .collect();
    grid.merge(&regions)?;
    Ok(grid.finish())
}

fn choose_sheet(
    names: &[String],
    wanted: Option<&str>,
    preferred: &[&str],
) -> Result<String, ReadError> {
    match wanted {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                ReadError::Unreadable(Message::new(
                    format!(
                        "工作簿中没有名为“{wanted}”的工作表；现有工作表：{}",
                        names.join("、")
                    ),
                    format!(
                        "the workbook has no sheet {wanted:?}; it has {}",
                        names.join(", ")
                    ),
                ))
            }),
        None => names
            .iter()
            .find(|n| preferred.iter().any(|p| n.contains(p)))
            .or(names.first())
            .cloned()
            .ok_or_else(|| {
                ReadError::Unreadable(Message::new(
                    "工作簿中没有工作表",
                    "the workbook has no sheets",
                ))
            }),
    }
}

/// Workbooks written part by part, as no spreadsheet program would.
#[cfg(test)]
pub(super) mod testing {
    use std::io::{Cursor, Write};

    use zip::write::{SimpleFileOptions, ZipWriter};

    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
    const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// A workbook of one sheet, 分解表, whose `<sheetData>` holds `cells`
    /// and is followed by `after`; `parts` are added as they are.
    pub fn workbook(cells: &str, after: &str, parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        let deflated = SimpleFileOptions::default();
        let sheet = format!(
            r#"<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{cells}</sheetData>{after}</worksheet>"#
        );
        let standard = [
            (
                "_rels/.rels",
                format!(
                    r#"<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml",
                format!(
                    r#"<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="分解表" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                format!(
                    r#"<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                ),
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        for (name, text) in &standard {
            zip.start_file(*name, deflated).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        for (name, bytes) in parts {
            zip.start_file(*name, deflated).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::workbook;
    use super::*;
    use crate::import::limits::READ_BUDGET;

    fn read_sheet(bytes: &[u8]) -> Result<Grid, ReadError> {
        read(bytes, None, &["分解"], Budget::new(READ_BUDGET))
    }

    /// The English text of a read refused as too large.
    fn too_large(result: Result<Grid, ReadError>) -> String {
        match result {
            Err(ReadError::TooLarge(message)) => message.en,
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    const A1: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c></row>"#;

    #[test]
    fn a_value_at_xfd1048576_is_refused_as_it_is_read() {
        let far = format!(r#"{A1}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
        assert_eq!(
            too_large(read_sheet(&workbook(&far, "", &[]))),
            "the sheet uses more than 10000 rows (a value at XFD1048576)"
        );
    }

    #[test]
    fn styled_empty_cells_anywhere_cost_nothing() {
        // Excel writes formatting as cells without a value, to the sheet's end.
        let styled = format!(
            r#"{A1}<row r="20000"><c r="B20000" s="1"/><c r="XFD20000" s="1"/></row><row r="1048576"><c r="XFD1048576" s="3"/></row>"#
        );
        let dimension = r#"<dimension ref="A1:XFD1048576"/>"#;
        let grid = read_sheet(&workbook(&styled, dimension, &[])).unwrap();
        assert_eq!((grid.row_count(), grid.column_count()), (1, 1));
        assert_eq!(grid.cell(0, 0).text, "序号");
    }

    #[test]
    fn a_merge_over_the_sheet_is_refused_before_it_is_filled() {
        let merge = r#"<mergeCells count="2"><mergeCell ref="A1:D1"/><mergeCell ref="A2:XFD1048576"/></mergeCells>"#;
        assert_eq!(
            too_large(read_sheet(&workbook(A1, merge, &[]))),
            "the merged region A2:XFD1048576 reaches past the 10000 rows and 256 columns a sheet may use"
        );
        let fine = r#"<mergeCells count="1"><mergeCell ref="A1:D1"/></mergeCells>"#;
        let grid = read_sheet(&workbook(A1, fine, &[])).unwrap();
        assert_eq!(grid.cell(0, 3).text, "序号");
        assert_eq!(grid.cell(0, 3).merged_from, Some((0, 0)));
    }

    #[test]
    fn shared_strings_are_read_by_reference() {
        let strings = format!(
            r#"<sst xmlns="{}" uniqueCount="2"><si><t>序号</t></si><si><t>目标任务</t></si></sst>"#,
            "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        );
        let cells = r#"<row r="3"><c r="B3" t="s"><v>1</v></c><c r="C3"><v>2.5</v></c></row>"#;
        let grid = read_sheet(&workbook(
            cells,
            "",
            &[("xl/sharedStrings.xml", strings.as_bytes())],
        ))
        .unwrap();
        assert_eq!(grid.cell(2, 1).text, "目标任务");
        assert_eq!(grid.cell(2, 2).number, Some(2.5));
        assert_eq!((grid.row_count(), grid.column_count()), (3, 3));
    }
}
