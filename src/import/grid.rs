//! A worksheet as a plain grid of cells, read from .xlsx (calamine) or CSV
//! (the csv crate; UTF-8, or GB18030 as Chinese Excel saves it). Merged
//! regions are filled in: every cell of a merge carries the value of its
//! top-left cell and remembers where it came from, so the layout reader can
//! tell "the 类别 spans these rows" from "this row has its own value".
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;

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

/// A sheet's cells, dense from A1; rows and columns are 0-based here and
/// named the spreadsheet way ("C5") in messages.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    pub sheet_name: String,
    rows: Vec<Vec<Cell>>,
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
type Region = ((u32, u32), (u32, u32));

/// Why a file could not be read as a sheet at all.
#[derive(Debug, PartialEq, Eq)]
pub struct Unreadable(pub String);

impl Grid {
    pub fn from_rows(sheet_name: &str, rows: Vec<Vec<Cell>>) -> Grid {
        Grid {
            sheet_name: sheet_name.to_string(),
            rows,
        }
    }

    pub fn row_count(&self) -> u32 {
        self.rows.len() as u32
    }

    pub fn column_count(&self) -> u32 {
        self.rows.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    /// The cell at `(row, column)`; outside the sheet, a blank one.
    pub fn cell(&self, row: u32, column: u32) -> &Cell {
        static BLANK: Cell = Cell {
            text: String::new(),
            number: None,
            date: None,
            merged_from: None,
        };
        self.rows
            .get(row as usize)
            .and_then(|r| r.get(column as usize))
            .unwrap_or(&BLANK)
    }

    /// Copies each merged region's top-left cell into the rest of it.
    fn fill_merges(&mut self, regions: &[Region]) {
        for &((r0, c0), (r1, c1)) in regions {
            let origin = self.cell(r0, c0).clone();
            for r in r0..=r1 {
                for c in c0..=c1 {
                    if (r, c) == (r0, c0) {
                        continue;
                    }
                    let row = self.ensure(r, c);
                    row[c as usize] = Cell {
                        merged_from: Some((r0, c0)),
                        ..origin.clone()
                    };
                }
            }
        }
    }

    fn ensure(&mut self, row: u32, column: u32) -> &mut Vec<Cell> {
        if self.rows.len() <= row as usize {
            self.rows.resize(row as usize + 1, Vec::new());
        }
        let r = &mut self.rows[row as usize];
        if r.len() <= column as usize {
            r.resize(column as usize + 1, Cell::default());
        }
        r
    }
}

/// Reads the sheet to import from a file's bytes: .xlsx by its zip
/// signature, anything else as CSV. In a workbook, `sheet` names the sheet;
/// without it the first sheet whose name holds "分解" is read, else the
/// first sheet.
pub fn read(bytes: &[u8], sheet: Option<&str>) -> Result<Grid, Unreadable> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, sheet)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Err(Unreadable(
            "this is an old .xls workbook; save it as .xlsx (Excel 2007 or later) and import that"
                .into(),
        ))
    } else {
        read_csv(bytes)
    }
}

fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<Grid, Unreadable> {
    let unreadable =
        |e: calamine::XlsxError| Unreadable(format!("the workbook cannot be read: {e}"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                Unreadable(format!(
                    "the workbook has no sheet {wanted:?}; it has {}",
                    names.join(", ")
                ))
            })?,
        None => names
            .iter()
            .find(|n| n.contains("分解"))
            .or(names.first())
            .cloned()
            .ok_or_else(|| Unreadable("the workbook has no sheets".into()))?,
    };
    let range = book.worksheet_range(&name).map_err(unreadable)?;
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut grid = Grid {
        sheet_name: name.clone(),
        rows: Vec::new(),
    };
    for (r, c, data) in range.cells() {
        let (row, column) = (top + r as u32, left + c as u32);
        let cell = cell_of(data);
        if cell != Cell::default() {
            grid.ensure(row, column)[column as usize] = cell;
        }
    }
    let merges: Vec<Region> = book
        .merge_cells_by_sheet_name(&name)
        .map_err(unreadable)?
        .into_iter()
        .map(|d| (d.start, d.end))
        .collect();
    grid.fill_merges(&merges);
    Ok(grid)
}

/// A number as a clerk would write it: 25 rather than 25.0.
fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn cell_of(data: &Data) -> Cell {
    let text_only = |text: String| Cell {
        text,
        ..Cell::default()
    };
    match data {
        Data::Empty => Cell::default(),
        Data::String(s) => text_only(s.clone()),
        Data::Int(i) => Cell {
            text: i.to_string(),
            number: Some(*i as f64),
            ..Cell::default()
        },
        Data::Float(f) => Cell {
            text: number_text(*f),
            number: Some(*f),
            ..Cell::default()
        },
        Data::Bool(b) => text_only(b.to_string()),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(at) => Cell {
                text: at.date().to_string(),
                date: Some(at.date()),
                ..Cell::default()
            },
            None => text_only(dt.to_string()),
        },
        Data::DateTimeIso(s) => {
            let date = s
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            Cell {
                text: s.clone(),
                date,
                ..Cell::default()
            }
        }
        Data::DurationIso(s) => text_only(s.clone()),
        Data::Error(e) => text_only(format!("#{e:?}")),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Grid, Unreadable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Chinese Excel saves "CSV" in the system code page (GBK); a file that is
    // not UTF-8 is read as GB18030, its superset.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(Unreadable(
                    "the file is neither an .xlsx workbook nor CSV text in UTF-8 or GBK".into(),
                ));
            }
            text.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Unreadable(format!("the CSV text cannot be read: {e}")))?;
        rows.push(
            record
                .iter()
                .map(|field| Cell {
                    text: field.to_string(),
                    ..Cell::default()
                })
                .collect(),
        );
    }
    Ok(Grid {
        sheet_name: "CSV".into(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let grid = read(&bytes, None).unwrap();
            assert_eq!(grid.cell(0, 0).text, "序号");
            assert_eq!(grid.cell(1, 1).text, "签约项目");
            assert_eq!(grid.row_count(), 2);
        }
    }

    #[test]
    fn merges_fill_every_cell_and_remember_their_origin() {
        let text = |t: &str| Cell {
            text: t.into(),
            ..Cell::default()
        };
        let mut grid = Grid::from_rows("s", vec![vec![text("招商引资"), text("a")], vec![]]);
        grid.fill_merges(&[((0, 0), (1, 0))]);
        assert_eq!(grid.cell(1, 0).text, "招商引资");
        assert_eq!(grid.cell(1, 0).merged_from, Some((0, 0)));
        assert!(grid.cell(0, 0).own_in_row(0));
        assert!(!grid.cell(1, 0).own_in_row(1));
        assert!(grid.cell(5, 5).is_blank());
    }
}
