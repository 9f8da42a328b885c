//! Workbooks written part by part: the zip by the zip crate, the XML by
//! hand, so a file can be anything a zip can hold.
use std::io::{Cursor, Write};

use zip::write::{SimpleFileOptions, ZipWriter};

pub const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
pub const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
pub const DOC_RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A workbook of one sheet, 分解表, written part by part.
pub struct Book {
    zip: ZipWriter<Cursor<Vec<u8>>>,
}

/// Deflated at the default level, as Excel does.
fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated)
}

impl Book {
    pub fn new() -> Book {
        let mut book = Book::without_workbook();
        book.text_part(
            "xl/workbook.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets><sheet name="分解表" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        );
        book.text_part(
            "xl/_rels/workbook.xml.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
            ),
        );
        book
    }

    /// A package with its content types and root relationship only: the
    /// caller writes `xl/workbook.xml` and its relationships itself.
    pub fn without_workbook() -> Book {
        let mut book = Book {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
        };
        book.text_part(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        );
        book.text_part(
            "_rels/.rels",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        );
        book
    }

    pub fn text_part(&mut self, name: &str, text: &str) {
        self.part(name, |w| w.write_all(text.as_bytes()));
    }

    /// A part whose bytes `write` streams (so 150 MB never sit in memory).
    pub fn part(&mut self, name: &str, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
        self.zip.start_file(name, deflated()).unwrap();
        write(&mut self.zip).unwrap();
    }

    /// The worksheet: `cells` writes what goes inside `<sheetData>`, `after`
    /// what follows it (`<mergeCells>`).
    pub fn sheet(
        mut self,
        cells: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
        after: &str,
    ) -> Book {
        self.part("xl/worksheets/sheet1.xml", |w| {
            write!(
                w,
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>"#
            )?;
            cells(w)?;
            write!(w, "</sheetData>{after}</worksheet>")
        });
        self
    }

    /// `xl/sharedStrings.xml` with `<sst uniqueCount=…>` as given (or
    /// without it) and the strings `write` streams (as `<si>` elements).
    pub fn shared_strings(
        mut self,
        unique_count: Option<u64>,
        strings: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> Book {
        let declared = unique_count
            .map(|n| format!(r#" count="{n}" uniqueCount="{n}""#))
            .unwrap_or_default();
        self.part("xl/sharedStrings.xml", |w| {
            write!(
                w,
                r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"{declared}>"#
            )?;
            strings(w)?;
            write!(w, "</sst>")
        });
        self
    }

    pub fn finish(self) -> Vec<u8> {
        self.zip.finish().unwrap().into_inner()
    }
}

/// "A1" for (0, 0); 0-based row and column.
pub fn a1(row: u32, column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    let letters: String = letters.iter().rev().collect();
    format!("{letters}{}", row + 1)
}

/// A cell holding `text` inline, in its own `<row>`.
pub fn text_cell(w: &mut dyn Write, row: u32, column: u32, text: &str) -> std::io::Result<()> {
    write!(
        w,
        r#"<row r="{}"><c r="{}" t="inlineStr"><is><t>{text}</t></is></c></row>"#,
        row + 1,
        a1(row, column)
    )
}

/// A row of cells holding `texts` inline from column A.
pub fn text_row(w: &mut dyn Write, row: u32, texts: &[&str]) -> std::io::Result<()> {
    write!(w, r#"<row r="{}">"#, row + 1)?;
    for (c, text) in texts.iter().enumerate() {
        if !text.is_empty() {
            write!(
                w,
                r#"<c r="{}" t="inlineStr"><is><t>{text}</t></is></c>"#,
                a1(row, c as u32)
            )?;
        }
    }
    write!(w, "</row>")
}

/// `<mergeCells>` of the given regions ("A1:B2").
pub fn merges<S: AsRef<str>>(regions: &[S]) -> String {
    let mut xml = format!(r#"<mergeCells count="{}">"#, regions.len());
    for r in regions {
        xml.push_str(&format!(r#"<mergeCell ref="{}"/>"#, r.as_ref()));
    }
    xml.push_str("</mergeCells>");
    xml
}

/// Deterministic text that deflates about 30:1, like a real sheet: parts
/// whose compression ratio is ordinary while their size is not.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Noise {
        Noise(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `n` bytes of XML-safe text: in every KiB, 40 random digits and a
    /// repeated filler.
    pub fn text(&mut self, w: &mut dyn Write, n: usize) -> std::io::Result<()> {
        const FILLER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut block = Vec::with_capacity(1024);
        let mut left = n;
        while left > 0 {
            block.clear();
            block.extend_from_slice(format!("{:020}{:020}", self.next(), self.next()).as_bytes());
            while block.len() < 1024 {
                let take = FILLER.len().min(1024 - block.len());
                block.extend_from_slice(&FILLER[..take]);
            }
            block.truncate(left);
            w.write_all(&block)?;
            left -= block.len();
        }
        Ok(())
    }

    /// An XML comment of `n` bytes of [`Noise::text`].
    pub fn comment(&mut self, w: &mut dyn Write, n: usize) -> std::io::Result<()> {
        write!(w, "<!--")?;
        self.text(w, n)?;
        write!(w, "-->")
    }
}
