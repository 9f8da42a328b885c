//! Files built to hurt an importer, made by the tests and never committed:
//! each names the limit it must run into, so a test can check both the code
//! and what the message says was exceeded. Workbooks are written part by
//! part with the zip crate (the sheet XML by hand), so a file can be what no
//! spreadsheet program would write: a cell at XFD1048576, a merge over the
//! whole sheet, 150 MB of deflated blanks, a part that lies about its size.
#![allow(dead_code)]

/// Workbooks written part by part.
mod book;

pub use book::{Book, DOC_RELS, MAIN, Noise, RELS, a1, merges, text_cell, text_row};

/// A file to send and what its refusal must say.
pub struct Hostile {
    pub name: &'static str,
    /// The upload's file name (.xlsx or .csv).
    pub filename: &'static str,
    pub bytes: Vec<u8>,
    /// A piece of the SHEET_TOO_LARGE message: the limit it ran into.
    pub says: &'static str,
}

/// The header of a 分解表 the limits tests start from.
pub const HEADER: [&str; 5] = ["序号", "目标任务", "目标值", "完成时限", "牵头单位"];

pub const MIB: usize = 1 << 20;

// ---- The hostile files, one per limit --------------------------------------

/// The issue's 1.8 KB file: a value in A1 and one in XFD1048576 (the last
/// cell Excel has). A dense reader allocates 17 billion cells.
pub fn far_cell() -> Hostile {
    let bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                text_cell(w, 1_048_575, 16_383, "x")
            },
            "",
        )
        .finish();
    Hostile {
        name: "cells at A1 and XFD1048576",
        filename: "far.xlsx",
        bytes,
        says: "the sheet uses more than 10000 rows (a value at XFD1048576)",
    }
}

/// One merge over the whole sheet: filling it cell by cell is 17 billion
/// copies.
pub fn merge_everything() -> Hostile {
    let bytes = Book::new()
        .sheet(|w| text_row(w, 0, &HEADER), &merges(&["A1:XFD1048576"]))
        .finish();
    Hostile {
        name: "one merge A1:XFD1048576",
        filename: "merge.xlsx",
        bytes,
        says: "the merged region A1:XFD1048576 reaches past the 10000 rows and 256 columns",
    }
}

/// A million rows of CSV ("1" each, 2 MB).
pub fn million_rows_csv() -> Hostile {
    let mut bytes = Vec::with_capacity(2_000_100);
    bytes.extend_from_slice("序号,目标任务\n".as_bytes());
    for _ in 1..1_000_000 {
        bytes.extend_from_slice(b"1\n");
    }
    Hostile {
        name: "1,000,000 rows of CSV",
        filename: "rows.csv",
        bytes,
        says: "the sheet uses more than 10000 rows (a value at A10001)",
    }
}

/// A million rows of numbers that deflate like real data (about 10:1), so
/// the workbook passes every size check and the row limit stops the reader.
pub fn million_rows_xlsx() -> Hostile {
    let mut noise = Noise::new(7);
    let bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                for _ in 1..1_000_000 {
                    write!(w, "<row><c><v>{}</v></c></row>", noise.next() % 1_000_000)?;
                }
                Ok(())
            },
            "",
        )
        .finish();
    Hostile {
        name: "1,000,000 rows of .xlsx",
        filename: "rows.xlsx",
        bytes,
        says: "the sheet uses more than 10000 rows (a value at A10001)",
    }
}

/// The issue's 144 KB file: a million identical rows, deflated tight.
pub fn million_rows_packed() -> Hostile {
    let bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                for _ in 1..1_000_000 {
                    w.write_all(b"<row><c><v>1</v></c></row>")?;
                }
                Ok(())
            },
            "",
        )
        .finish();
    Hostile {
        name: "1,000,000 identical rows, deflated",
        filename: "packed.xlsx",
        bytes,
        says: "xl/worksheets/sheet1.xml unpacks to more than 100 times its packed size",
    }
}

/// 150 MB of blanks between the sheet's rows: a zip bomb of ~150 KB.
pub fn zip_bomb() -> Hostile {
    let bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                let blanks = vec![b' '; MIB];
                for _ in 0..150 {
                    w.write_all(&blanks)?;
                }
                Ok(())
            },
            "",
        )
        .finish();
    Hostile {
        name: "a zip bomb (150 MB of sheet XML)",
        filename: "bomb.xlsx",
        bytes,
        says: "xl/worksheets/sheet1.xml unpacks to more than 100 times its packed size",
    }
}

/// A sheet part of 2 MB whose headers (local and central) declare 1,000
/// bytes: a reader that trusts declared sizes is misled.
pub fn lying_size() -> Hostile {
    let mut bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                w.write_all(&vec![b' '; 2 * MIB])
            },
            "",
        )
        .finish();
    declare_size(&mut bytes, "xl/worksheets/sheet1.xml", 1_000);
    Hostile {
        name: "a part whose declared size lies",
        filename: "lie.xlsx",
        bytes,
        says: "xl/worksheets/sheet1.xml holds more than the 1000 bytes it declares",
    }
}

/// Rewrites the uncompressed size of the part `name` in its local header
/// and its central-directory entry.
fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let (sig, size_at, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => ("local", at + 22, at + 30),
            b"PK\x01\x02" => ("central", at + 24, at + 46),
            _ => continue,
        };
        let len_at = if sig == "local" { at + 26 } else { at + 28 };
        let len = u16::from_le_bytes([zip[len_at], zip[len_at + 1]]) as usize;
        if zip.get(name_at..name_at + len) == Some(name.as_bytes()) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "{name}: local and central headers");
}

/// One part of 40 MiB that deflates only ~2:1 (so no ratio check fires).
pub fn big_part() -> Hostile {
    let mut noise = Noise::new(11);
    let bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                noise.comment(w, 40 * MIB)
            },
            "",
        )
        .finish();
    Hostile {
        name: "a 40 MiB sheet part",
        filename: "big.xlsx",
        bytes,
        says: "xl/worksheets/sheet1.xml unpacks to more than 32 MiB",
    }
}

/// Three parts of 25 MiB each: every one under the part limit, together
/// over the workbook's.
pub fn big_workbook() -> Hostile {
    let mut noise = Noise::new(13);
    let mut book = Book::new().sheet(|w| text_row(w, 0, &HEADER), "");
    for i in 0..3 {
        book.part(&format!("xl/media/padding{i}.xml"), |w| {
            noise.comment(w, 25 * MIB)
        });
    }
    Hostile {
        name: "a workbook of 75 MiB in three parts",
        filename: "parts.xlsx",
        bytes: book.finish(),
        says: "the workbook unpacks to more than 64 MiB in all",
    }
}

/// 10,100 merged regions of two cells each, all inside the sheet limits.
pub fn many_merges() -> Hostile {
    let regions: Vec<String> = (0..101)
        .flat_map(|r| {
            (0..100).map(move |c| format!("{}:{}", a1(r + 1, 2 * c), a1(r + 1, 2 * c + 1)))
        })
        .collect();
    let bytes = Book::new()
        .sheet(|w| text_row(w, 0, &HEADER), &merges(&regions))
        .finish();
    Hostile {
        name: "10,100 merged regions",
        filename: "merges.xlsx",
        bytes,
        says: "the sheet has more than 10000 merged regions",
    }
}

/// Three merges of 256,000 cells each: few regions, a vast area.
pub fn merged_area() -> Hostile {
    let bytes = Book::new()
        .sheet(
            |w| text_row(w, 0, &HEADER),
            &merges(&["A2:IV1001", "A1002:IV2001", "A2002:IV3001"]),
        )
        .finish();
    Hostile {
        name: "merges over 768,000 cells",
        filename: "area.xlsx",
        bytes,
        says: "the sheet's merged regions cover more than 500000 cells",
    }
}

/// A header row 300 columns wide.
pub fn too_many_columns() -> Hostile {
    let bytes = Book::new()
        .sheet(
            |w| {
                write!(w, r#"<row r="1">"#)?;
                for c in 0..300 {
                    write!(w, r#"<c r="{}"><v>{c}</v></c>"#, a1(0, c))?;
                }
                write!(w, "</row>")
            },
            "",
        )
        .finish();
    Hostile {
        name: "300 columns",
        filename: "wide.xlsx",
        bytes,
        says: "the sheet uses more than 256 columns (a value at IW1)",
    }
}

/// 250 columns × 900 rows of numbers: inside the rows and columns, over
/// the cells in use.
pub fn too_many_cells() -> Hostile {
    let mut noise = Noise::new(17);
    let bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                for _ in 1..=900 {
                    write!(w, "<row>")?;
                    for _ in 0..250 {
                        write!(w, "<c><v>{}</v></c>", noise.next() % 1000)?;
                    }
                    write!(w, "</row>")?;
                }
                Ok(())
            },
            "",
        )
        .finish();
    Hostile {
        name: "225,000 cells with a value",
        filename: "cells.xlsx",
        bytes,
        says: "the sheet has more than 200000 cells with a value",
    }
}

/// 250,000 shared strings, their number not declared: they are counted.
pub fn many_shared_strings() -> Hostile {
    let bytes = Book::new()
        .shared_strings(None, |w| {
            for i in 0..250_000 {
                write!(w, "<si><t>{i}</t></si>")?;
            }
            Ok(())
        })
        .sheet(|w| text_row(w, 0, &HEADER), "")
        .finish();
    Hostile {
        name: "250,000 shared strings",
        filename: "strings.xlsx",
        bytes,
        says: "the workbook has more than 200000 shared strings",
    }
}

/// Shared strings that declare four trillion entries (calamine reserves
/// room for as many as declared before reading one).
pub fn declared_shared_strings() -> Hostile {
    let bytes = Book::new()
        .shared_strings(Some(4_000_000_000_000), |w| {
            w.write_all(b"<si><t>x</t></si>")
        })
        .sheet(|w| text_row(w, 0, &HEADER), "")
        .finish();
    Hostile {
        name: "shared strings declaring 4 trillion entries",
        filename: "declared.xlsx",
        bytes,
        says: "the workbook declares 4000000000000 shared strings, more than 200000",
    }
}

/// 20 shared strings of 1 MiB each (deflating ~2:1): few strings, too much
/// text.
pub fn big_shared_strings() -> Hostile {
    let mut noise = Noise::new(19);
    let bytes = Book::new()
        .shared_strings(Some(20), |w| {
            for _ in 0..20 {
                write!(w, "<si><t>")?;
                noise.text(w, MIB)?;
                write!(w, "</t></si>")?;
            }
            Ok(())
        })
        .sheet(|w| text_row(w, 0, &HEADER), "")
        .finish();
    Hostile {
        name: "20 MiB of shared strings",
        filename: "bigstrings.xlsx",
        bytes,
        says: "the workbook's shared strings take more than 16 MiB",
    }
}

/// One shared string of 100 KB shown by 200 cells: 20 MB of text from a
/// small workbook (every cell's text is a copy once read).
pub fn repeated_text() -> Hostile {
    let long = "长".repeat(100_000 / 3);
    let bytes = Book::new()
        .shared_strings(Some(1), |w| write!(w, "<si><t>{long}</t></si>"))
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                for r in 1..=200 {
                    write!(
                        w,
                        r#"<row r="{}"><c r="{}" t="s"><v>0</v></c></row>"#,
                        r + 1,
                        a1(r, 2)
                    )?;
                }
                Ok(())
            },
            "",
        )
        .finish();
    Hostile {
        name: "a 100 KB string in 200 cells",
        filename: "repeated.xlsx",
        bytes,
        says: "the sheet's cells hold more than 16 MiB of text",
    }
}

/// A 100 KB cell merged over 200 cells: the same amplification by merge.
pub fn merged_text() -> Hostile {
    let long = "长".repeat(100_000 / 3);
    let bytes = Book::new()
        .sheet(
            |w| {
                text_row(w, 0, &HEADER)?;
                text_cell(w, 1, 5, &long)
            },
            &merges(&["F2:G101"]),
        )
        .finish();
    Hostile {
        name: "a 100 KB cell merged over 200 cells",
        filename: "mergedtext.xlsx",
        bytes,
        says: "the sheet's cells hold more than 16 MiB of text",
    }
}

/// Every hostile file, for the end-to-end run.
/// One number format of 500 KB that 3,000 cell formats use: 2 KB packed.
/// calamine copies the format into each cell format: 1.5 GB (found by an
/// outside probe of the limits).
pub fn style_bomb() -> Hostile {
    let format = "0".repeat(500_000);
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="{format}"/></numFmts><cellXfs count="3000">{}</cellXfs></styleSheet>"#,
        r#"<xf numFmtId="164"/>"#.repeat(3_000)
    );
    let mut book = Book::new();
    book.text_part("xl/styles.xml", &styles);
    let bytes = book.sheet(|w| text_row(w, 0, &HEADER), "").finish();
    Hostile {
        name: "a 500 KB number format in 3,000 cell formats",
        filename: "styles.xlsx",
        bytes,
        says: "the workbook part xl/styles.xml has an attribute longer than 1024 bytes",
    }
}

/// 3,000 sheets naming one relationship whose target is 100 KB long:
/// calamine copies the target for each sheet.
pub fn sheets_bomb() -> Hostile {
    let mut book = Book::without_workbook();
    book.text_part(
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>{}</sheets></workbook>"#,
            (0..3_000)
                .map(|i| format!(r#"<sheet name="表{i}" sheetId="{}" r:id="rId1"/>"#, i + 1))
                .collect::<String>()
        ),
    );
    book.text_part(
        "xl/_rels/workbook.xml.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/{}sheet1.xml"/></Relationships>"#,
            "a/".repeat(50_000)
        ),
    );
    let bytes = book.sheet(|w| text_row(w, 0, &HEADER), "").finish();
    Hostile {
        name: "3,000 sheets on one 100 KB relationship",
        filename: "sheets.xlsx",
        bytes,
        says: "the workbook part xl/_rels/workbook.xml.rels has an attribute longer than 1024 bytes",
    }
}

/// 100,001 cell formats, each short (and each different, so the part
/// does not deflate past the ratio first): more elements than a
/// workbook's styles have.
pub fn many_styles() -> Hostile {
    let formats: String = (0..100_001u64)
        .map(|i| {
            format!(
                r#"<xf numFmtId="{}" fontId="{}" borderId="{i}"/>"#,
                i * 7_919 % 1_000,
                i * 104_729 % 997
            )
        })
        .collect();
    let styles = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}"><cellXfs>{formats}</cellXfs></styleSheet>"#
    );
    let mut book = Book::new();
    book.text_part("xl/styles.xml", &styles);
    let bytes = book.sheet(|w| text_row(w, 0, &HEADER), "").finish();
    Hostile {
        name: "100,001 cell formats",
        filename: "many-styles.xlsx",
        bytes,
        says: "the workbook part xl/styles.xml has more than 100000 elements",
    }
}

pub fn all() -> Vec<Hostile> {
    vec![
        style_bomb(),
        sheets_bomb(),
        many_styles(),
        far_cell(),
        merge_everything(),
        million_rows_csv(),
        million_rows_xlsx(),
        million_rows_packed(),
        zip_bomb(),
        lying_size(),
        big_part(),
        big_workbook(),
        many_merges(),
        merged_area(),
        too_many_columns(),
        too_many_cells(),
        many_shared_strings(),
        declared_shared_strings(),
        big_shared_strings(),
        repeated_text(),
        merged_text(),
    ]
}
