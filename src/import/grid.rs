//! A worksheet as a plain grid of cells, read from .xlsx (calamine) or CSV
//! (the csv crate; UTF-8, or GB18030 as Chinese Excel saves it). Merged
//! regions are filled in: every cell of a merge carries the value of its
//! top-left cell and remembers where it came from, so the layout reader can
//! tell "the 类别 spans these rows" from "this row has its own value".
//! Only cells with a value and the cells of merged regions are kept, each
//! checked against `limits` as it arrives (`GridBuilder`), so what a grid
//! holds is bounded whatever the file claims its dimensions are.
use std::collections::HashMap;

use calamine::DataRef;
use chrono::NaiveDate;
use domain::Message;

use super::limits::{
    Budget, MAX_CELLS, MAX_COLUMNS, MAX_MERGED_CELLS, MAX_MERGES, MAX_ROWS, MAX_TEXT_BYTES, mib,
};

/// One cell: its text as shown, a number if it holds one, a date if Excel
/// stored one, and the origin of the merge it belongs to (if not itself).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    pub text: String,
    pub number: Option<f64>,
    pub date: Option<NaiveDate>,
    /// `(row, column)` of the merge's top-left cell, for every other cell of
    /// a merged region.
    pub merged_from: Option<(u32, u32)>,
}

impl Cell {
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// Whether the cell holds a value of its own in `row`: not blank, and
    /// not a copy of a merge that began on an earlier row.
    pub fn own_in_row(&self, row: u32) -> bool {
        !self.is_blank() && self.merged_from.is_none_or(|(r, _)| r == row)
    }
}

/// A sheet's cells: only those with a value, and the cells of merged
/// regions; rows and columns are 0-based here and named the spreadsheet way
/// ("C5") in messages.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    pub sheet_name: String,
    cells: HashMap<(u32, u32), Cell>,
    rows: u32,
    columns: u32,
}

/// The spreadsheet name of a cell: column letters and 1-based row, "C5".
pub fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_name(column), row + 1)
}

/// Column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_name(column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// A merged region: its top-left and bottom-right `(row, column)`.
pub(super) type Region = ((u32, u32), (u32, u32));

/// Why a file could not be read as a sheet, in the clerk's words and in
/// English.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not a workbook or CSV text, or a damaged one.
    Unreadable(Message),
    /// Over one of the limits in [`super::limits`]: what was exceeded and
    /// the limit.
    TooLarge(Message),
}

impl Grid {
    pub fn from_rows(sheet_name: &str, rows: Vec<Vec<Cell>>) -> Grid {
        let mut grid = Grid {
            sheet_name: sheet_name.to_string(),
            ..Grid::default()
        };
        for (r, row) in rows.into_iter().enumerate() {
            for (c, cell) in row.into_iter().enumerate() {
                if cell != Cell::default() {
                    grid.set(r as u32, c as u32, cell);
                }
            }
        }
        grid
    }

    pub fn row_count(&self) -> u32 {
        self.rows
    }

    pub fn column_count(&self) -> u32 {
        self.columns
    }

    /// The cell at `(row, column)`; outside the sheet, a blank one.
    pub fn cell(&self, row: u32, column: u32) -> &Cell {
        static BLANK: Cell = Cell {
            text: String::new(),
            number: None,
            date: None,
            merged_from: None,
        };
        self.cells.get(&(row, column)).unwrap_or(&BLANK)
    }

    fn set(&mut self, row: u32, column: u32, cell: Cell) {
        self.rows = self.rows.max(row + 1);
        self.columns = self.columns.max(column + 1);
        self.cells.insert((row, column), cell);
    }

    /// Merges `row`'s cells `first..=last`, as a merge the file lost (a
    /// CSV keeps none) would have been.
    pub fn merge_across(&mut self, row: u32, first: u32, last: u32) {
        self.fill_merges(&[((row, first), (row, last))]);
    }

    /// Copies each merged region's top-left cell into the rest of it.
    fn fill_merges(&mut self, regions: &[Region]) {
        for &((r0, c0), (r1, c1)) in regions {
            let origin = self.cell(r0, c0).clone();
            for r in r0..=r1 {
                for c in c0..=c1 {
                    if (r, c) != (r0, c0) {
                        let copy = Cell {
                            merged_from: Some((r0, c0)),
                            ..origin.clone()
                        };
                        self.set(r, c, copy);
                    }
                }
            }
        }
    }
}

/// A grid being read. Every cell and merge is checked against the limits
/// as it arrives, so the grid never holds more than they allow.
pub(super) struct GridBuilder {
    grid: Grid,
    budget: Budget,
    cells: usize,
    text_bytes: usize,
}

fn too_large(zh: String, en: String) -> ReadError {
    ReadError::TooLarge(Message::new(zh, en))
}

impl GridBuilder {
    pub(super) fn new(sheet_name: &str, budget: Budget) -> GridBuilder {
        GridBuilder {
            grid: Grid {
                sheet_name: sheet_name.to_string(),
                ..Grid::default()
            },
            budget,
            cells: 0,
            text_bytes: 0,
        }
    }

    /// Stops the read once its time is up.
    pub(super) fn check_time(&self) -> Result<(), ReadError> {
        self.budget.check().map_err(ReadError::TooLarge)
    }

    /// Puts a cell read from the file. A blank one (a styled empty cell)
    /// is dropped without counting.
    pub(super) fn put(&mut self, row: u32, column: u32, cell: Cell) -> Result<(), ReadError> {
        if cell.is_blank() {
            return Ok(());
        }
        let at = || cell_name(row, column);
        if row >= MAX_ROWS {
            return Err(too_large(
                format!(
                    "表格超过 {MAX_ROWS} 行（{} 有内容）；请删去多余的行，或分成几张表导入",
                    at()
                ),
                format!(
                    "the sheet uses more than {MAX_ROWS} rows (a value at {})",
                    at()
                ),
            ));
        }
        if column >= MAX_COLUMNS {
            return Err(too_large(
                format!(
                    "表格超过 {MAX_COLUMNS} 列（{} 有内容）；请删去多余的列",
                    at()
                ),
                format!(
                    "the sheet uses more than {MAX_COLUMNS} columns (a value at {})",
                    at()
                ),
            ));
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(too_large(
                format!("表格中有内容的单元格超过 {MAX_CELLS} 个"),
                format!("the sheet has more than {MAX_CELLS} cells with a value"),
            ));
        }
        self.add_text(cell.text.len(), 1)?;
        self.grid.set(row, column, cell);
        Ok(())
    }

    fn add_text(&mut self, bytes: usize, times: u64) -> Result<(), ReadError> {
        let added = u64::try_from(bytes)
            .unwrap_or(u64::MAX)
            .saturating_mul(times);
        let total = (self.text_bytes as u64).saturating_add(added);
        if total > MAX_TEXT_BYTES as u64 {
            return Err(too_large(
                format!(
                    "表格中的文字超过 {}（合并单元格或重复使用的文字，按显示它的每个单元格计算）",
                    mib(MAX_TEXT_BYTES as u64)
                ),
                format!(
                    "the sheet's cells hold more than {} of text (a shared string or a merged cell counts once per cell that shows it)",
                    mib(MAX_TEXT_BYTES as u64)
                ),
            ));
        }
        self.text_bytes = total as usize;
        Ok(())
    }

    /// Checks the sheet's merged regions (how many, how much they cover,
    /// that they stay inside the rows and columns a sheet may use, the text
    /// they copy), and only then fills them in.
    pub(super) fn merge(&mut self, regions: &[Region]) -> Result<(), ReadError> {
        if regions.len() > MAX_MERGES {
            return Err(too_large(
                format!("表格中的合并单元格超过 {MAX_MERGES} 处"),
                format!("the sheet has more than {MAX_MERGES} merged regions"),
            ));
        }
        let mut covered: u64 = 0;
        for &((r0, c0), (r1, c1)) in regions {
            self.check_time()?;
            if r1 >= MAX_ROWS || c1 >= MAX_COLUMNS {
                return Err(too_large(
                    format!(
                        "合并单元格 {}:{} 超出了表格可用的 {MAX_ROWS} 行、{MAX_COLUMNS} 列",
                        cell_name(r0, c0),
                        cell_name(r1, c1)
                    ),
                    format!(
                        "the merged region {}:{} reaches past the {MAX_ROWS} rows and {MAX_COLUMNS} columns a sheet may use",
                        cell_name(r0, c0),
                        cell_name(r1, c1)
                    ),
                ));
            }
            // A reversed region covers nothing (nor did it when filled).
            let area = u64::from(r1.saturating_sub(r0) + 1) * u64::from(c1.saturating_sub(c0) + 1);
            let area = if r1 < r0 || c1 < c0 { 0 } else { area };
            covered += area;
            if covered > MAX_MERGED_CELLS {
                return Err(too_large(
                    format!("表格中的合并单元格共覆盖超过 {MAX_MERGED_CELLS} 个单元格"),
                    format!("the sheet's merged regions cover more than {MAX_MERGED_CELLS} cells"),
                ));
            }
            let origin = self.grid.cell(r0, c0).text.len();
            self.add_text(origin, area.saturating_sub(1))?;
        }
        self.grid.fill_merges(regions);
        Ok(())
    }

    pub(super) fn finish(self) -> Grid {
        self.grid
    }
}

/// A number as a clerk would write it: 25 rather than 25.0.
fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A cell as calamine reads it from the sheet.
pub(super) fn cell_of(data: &DataRef<'_>) -> Cell {
    let text_only = |text: String| Cell {
        text,
        ..Cell::default()
    };
    match data {
        DataRef::Empty => Cell::default(),
        DataRef::String(s) => text_only(s.clone()),
        DataRef::SharedString(s) => text_only(s.to_string()),
        DataRef::Int(i) => Cell {
            text: i.to_string(),
            number: Some(*i as f64),
            ..Cell::default()
        },
        DataRef::Float(f) => Cell {
            text: number_text(*f),
            number: Some(*f),
            ..Cell::default()
        },
        DataRef::Bool(b) => text_only(b.to_string()),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(at) => Cell {
                text: at.date().to_string(),
                date: Some(at.date()),
                ..Cell::default()
            },
            None => text_only(dt.to_string()),
        },
        DataRef::DateTimeIso(s) => {
            let date = s
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            Cell {
                text: s.clone(),
                date,
                ..Cell::default()
            }
        }
        DataRef::DurationIso(s) => text_only(s.clone()),
        DataRef::Error(e) => text_only(format!("#{e:?}")),
    }
}

pub(super) fn read_csv(bytes: &[u8], budget: Budget) -> Result<Grid, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Chinese Excel saves "CSV" in the system code page (GBK); a file that is
    // not UTF-8 is read as GB18030, its superset.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(ReadError::Unreadable(Message::new(
                    "文件既不是 .xlsx 工作簿，也不是 UTF-8 或 GBK 编码的 CSV 文本；请在 Excel 中另存为 .xlsx 再导入",
                    "the file is neither an .xlsx workbook nor CSV text in UTF-8 or GBK",
                )));
            }
            text
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = GridBuilder::new("CSV", budget);
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    loop {
        grid.check_time()?;
        let more = reader.read_record(&mut record).map_err(|e| {
            ReadError::Unreadable(Message::new(
                format!("无法读取 CSV 文本：{e}"),
                format!("the CSV text cannot be read: {e}"),
            ))
        })?;
        if !more {
            break;
        }
        for (column, field) in record.iter().enumerate() {
            let column = u32::try_from(column).unwrap_or(u32::MAX);
            let cell = Cell {
                text: field.to_string(),
                ..Cell::default()
            };
            grid.put(row, column, cell)?;
        }
        row = row.saturating_add(1);
    }
    Ok(grid.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::limits::{MAX_MERGED_CELLS, READ_BUDGET};
    use crate::import::read;
    use std::time::Duration;

    fn builder() -> GridBuilder {
        GridBuilder::new("s", Budget::new(READ_BUDGET))
    }

    fn text(t: &str) -> Cell {
        Cell {
            text: t.into(),
            ..Cell::default()
        }
    }

    fn too_large(result: Result<(), ReadError>) -> String {
        match result {
            Err(ReadError::TooLarge(message)) => message.en,
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn a_value_past_the_last_row_or_column_is_refused_where_it_is() {
        let mut grid = builder();
        grid.put(MAX_ROWS - 1, MAX_COLUMNS - 1, text("IV10000 is the last"))
            .unwrap();
        assert_eq!(
            too_large(grid.put(1_048_575, 16_383, text("x"))),
            "the sheet uses more than 10000 rows (a value at XFD1048576)"
        );
        assert_eq!(
            too_large(grid.put(0, MAX_COLUMNS, text("x"))),
            "the sheet uses more than 256 columns (a value at IW1)"
        );
        let grid = grid.finish();
        assert_eq!((grid.row_count(), grid.column_count()), (10_000, 256));
    }

    #[test]
    fn blank_cells_are_not_kept_nor_counted() {
        let mut grid = builder();
        // A styled empty cell, or one of spaces, anywhere: as if absent.
        grid.put(1_048_575, 16_383, Cell::default()).unwrap();
        grid.put(20_000, 3, text("  ")).unwrap();
        for i in 0..MAX_CELLS as u32 {
            grid.put(i % MAX_ROWS, i / MAX_ROWS, Cell::default())
                .unwrap();
        }
        assert_eq!(grid.cells, 0);
        let grid = grid.finish();
        assert_eq!((grid.row_count(), grid.column_count()), (0, 0));
    }

    #[test]
    fn cells_with_a_value_are_counted_up_to_the_limit() {
        let mut grid = builder();
        for i in 0..MAX_CELLS as u32 {
            grid.put(i / 100, i % 100, text("1")).unwrap();
        }
        assert_eq!(
            too_large(grid.put(MAX_ROWS - 1, 200, text("1"))),
            "the sheet has more than 200000 cells with a value"
        );
    }

    #[test]
    fn text_is_counted_once_per_cell_that_shows_it() {
        let long = "长".repeat(40_000); // 120 KB
        let mut grid = builder();
        for row in 0..139 {
            grid.put(row, 0, text(&long)).unwrap();
        }
        // 140 × 120 KB > 16 MiB.
        assert!(too_large(grid.put(139, 0, text(&long))).contains("more than 16 MiB of text"));
        // The same text merged over 140 cells.
        let mut grid = builder();
        grid.put(0, 0, text(&long)).unwrap();
        let message = too_large(grid.merge(&[((0, 0), (139, 0))]));
        assert!(message.contains("more than 16 MiB of text"), "{message}");
        assert!(grid.finish().cell(1, 0).is_blank(), "nothing filled");
    }

    #[test]
    fn merges_are_checked_before_any_is_filled() {
        let mut grid = builder();
        grid.put(0, 0, text("一、招商引资")).unwrap();
        assert_eq!(
            too_large(grid.merge(&[((0, 0), (0, 3)), ((0, 0), (1_048_575, 16_383))])),
            "the merged region A1:XFD1048576 reaches past the 10000 rows and 256 columns a sheet may use"
        );
        assert_eq!(
            too_large(grid.merge(&[((0, 0), (0, 3)), ((0, 4), (0, MAX_COLUMNS))])),
            "the merged region E1:IW1 reaches past the 10000 rows and 256 columns a sheet may use"
        );
        let rows = (MAX_MERGED_CELLS / 256) as u32; // 1953 whole rows: 499,968 cells
        assert_eq!(
            too_large(grid.merge(&[((1, 0), (rows, 255)), ((rows + 1, 0), (rows + 1, 255))])),
            "the sheet's merged regions cover more than 500000 cells"
        );
        let many: Vec<Region> = (0..=MAX_MERGES as u32).map(|r| ((r, 0), (r, 1))).collect();
        assert_eq!(
            too_large(grid.merge(&many)),
            "the sheet has more than 10000 merged regions"
        );
        assert!(grid.grid.cell(0, 3).is_blank(), "nothing filled");
        grid.merge(&[((0, 0), (0, 3)), ((1, 0), (rows, 255))])
            .unwrap();
        let grid = grid.finish();
        assert_eq!(grid.cell(0, 3).text, "一、招商引资");
        assert_eq!(grid.cell(rows, 255).merged_from, Some((1, 0)));
    }

    #[test]
    fn a_read_stops_when_its_time_is_up() {
        let mut csv = String::new();
        for _ in 0..100 {
            csv.push_str("1,2\n");
        }
        let spent = Budget::new(Duration::ZERO);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(
            read(csv.as_bytes(), None, spent).unwrap_err(),
            ReadError::TooLarge(Message::new(
                "读取表格超过了 0 秒的时限；请删去表格中多余的内容后再导入",
                "reading the sheet took longer than 0 s"
            ))
        );
    }

    #[test]
    fn csv_is_bounded_by_the_same_limits() {
        let budget = Budget::new(READ_BUDGET);
        let rows = |n: usize| "1,2\n".repeat(n);
        assert_eq!(
            read(rows(10_000).as_bytes(), None, budget)
                .unwrap()
                .row_count(),
            10_000
        );
        assert_eq!(
            read(rows(10_001).as_bytes(), None, budget).unwrap_err(),
            ReadError::TooLarge(Message::new(
                "表格超过 10000 行（A10001 有内容）；请删去多余的行，或分成几张表导入",
                "the sheet uses more than 10000 rows (a value at A10001)"
            ))
        );
        // Empty fields and empty rows cost nothing.
        let sparse = format!("1{}\n{}", ",".repeat(1_000), "\n".repeat(20_000));
        let grid = read(sparse.as_bytes(), None, budget).unwrap();
        assert_eq!((grid.row_count(), grid.column_count()), (1, 1));
        let wide = format!("{}1\n", ",".repeat(256));
        assert_eq!(
            read(wide.as_bytes(), None, budget).unwrap_err(),
            ReadError::TooLarge(Message::new(
                "表格超过 256 列（IW1 有内容）；请删去多余的列",
                "the sheet uses more than 256 columns (a value at IW1)"
            ))
        );
    }

    #[test]
    fn cells_are_named_the_spreadsheet_way() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(4, 2), "C5");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
    }

    #[test]
    fn csv_in_gbk_and_with_a_bom_reads_the_same() {
        let text = "序号,目标任务\r\n1,签约项目\r\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(text.as_bytes());
        for bytes in [gbk.to_vec(), with_bom] {
            let grid = read(&bytes, None, Budget::new(READ_BUDGET)).unwrap();
            assert_eq!(grid.cell(0, 0).text, "序号");
            assert_eq!(grid.cell(1, 1).text, "签约项目");
            assert_eq!(grid.row_count(), 2);
        }
    }

    #[test]
    fn merges_fill_every_cell_and_remember_their_origin() {
        let mut grid = Grid::from_rows("s", vec![vec![text("招商引资"), text("a")], vec![]]);
        grid.fill_merges(&[((0, 0), (1, 0))]);
        assert_eq!(grid.cell(1, 0).text, "招商引资");
        assert_eq!(grid.cell(1, 0).merged_from, Some((0, 0)));
        assert!(grid.cell(0, 0).own_in_row(0));
        assert!(!grid.cell(1, 0).own_in_row(1));
        assert!(grid.cell(5, 5).is_blank());
    }
}
