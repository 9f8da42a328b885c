//! An .xlsx is a zip of XML parts, and a zip's declared sizes can lie. So
//! before calamine opens a workbook, every part is unpacked here once —
//! from its raw bytes with our own inflater, never trusting a header —
//! through a reader that counts what comes out and stops at the first
//! limit: the part's size, the workbook's size, the part's compression
//! ratio, a size beyond what the part declares (calamine's zip reader
//! trusts the declaration). The shared strings are also parsed as they
//! stream by, since calamine reads all of them at once and reserves room
//! for as many as the part declares. Nothing is kept: the cost is one pass
//! of at most [`MAX_UNPACKED_BYTES`] through a 64 KiB buffer.
use std::io::{self, BufReader, Cursor, Read};

use flate2::read::DeflateDecoder;
use quick_xml::events::Event;
use zip::{CompressionMethod, ZipArchive};

use domain::Message;

use super::grid::ReadError;
use super::limits::{
    Budget, MAX_ATTRIBUTE_BYTES, MAX_PART_BYTES, MAX_PARTS, MAX_RATIO, MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES, MAX_STRUCTURE_ELEMENTS, MAX_UNPACKED_BYTES, RATIO_FLOOR, mib,
};

/// A workbook that cannot be read, and why (`zh`, `en`).
fn unreadable(zh: impl std::fmt::Display, en: impl std::fmt::Display) -> ReadError {
    ReadError::Unreadable(Message::new(
        format!("无法读取工作簿：{zh}"),
        format!("the workbook cannot be read: {en}"),
    ))
}

/// A workbook the zip reader refuses: the clerk reads what to do, the
/// English reader the reader's own words.
fn damaged(detail: impl std::fmt::Display) -> ReadError {
    unreadable(DAMAGED_ZH, &detail)
}

/// What a clerk does about a file no workbook reader can open.
pub(super) const DAMAGED_ZH: &str =
    "文件已损坏，或不是 Excel 2007 及以后的 .xlsx 文件；请用 Excel 打开后另存为 .xlsx 再上传";

/// Unpacks and measures every part of the workbook in `bytes`.
pub(super) fn measure(bytes: &[u8], budget: Budget) -> Result<(), ReadError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if zip.len() > MAX_PARTS {
        return Err(ReadError::TooLarge(Message::new(
            format!("工作簿的组成部件超过 {MAX_PARTS} 个"),
            format!("the workbook has more than {MAX_PARTS} parts"),
        )));
    }
    let mut total = 0;
    for index in 0..zip.len() {
        let part = zip.by_index_raw(index).map_err(damaged)?;
        let name = part
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("#{}", index + 1));
        let lower = name.to_ascii_lowercase();
        let shared = lower.ends_with("sharedstrings.xml");
        let structural = lower.ends_with("styles.xml")
            || lower.ends_with("workbook.xml")
            || lower.ends_with(".rels");
        let (declared, packed) = (part.size(), part.compressed_size());
        let unpacked: Box<dyn Read + '_> = match part.compression() {
            CompressionMethod::Stored => Box::new(part),
            CompressionMethod::Deflated => Box::new(DeflateDecoder::new(part)),
            other => {
                return Err(unreadable(
                    format!("部件 {name} 采用了 .xlsx 不使用的压缩方式 {other}"),
                    format!("the part {name} is packed with {other}, which .xlsx does not use"),
                ));
            }
        };
        let mut counted = Counted {
            inner: unpacked,
            name: &name,
            shared,
            declared,
            packed,
            read: 0,
            total: &mut total,
            budget,
            stop: None,
        };
        if shared {
            scan_shared_strings(&mut counted)?;
        } else if structural {
            scan_structure(&mut counted)?;
        } else {
            drain(&mut counted)?;
        }
    }
    Ok(())
}

/// A part's unpacked bytes, counted as they pass; a read that crosses a
/// limit fails and leaves the reason in `stop`.
struct Counted<'a, R> {
    inner: R,
    name: &'a str,
    shared: bool,
    declared: u64,
    packed: u64,
    read: u64,
    total: &'a mut u64,
    budget: Budget,
    stop: Option<Message>,
}

impl<R> Counted<'_, R> {
    fn over(&self) -> Result<(), Message> {
        let name = self.name;
        if self.read > self.declared {
            return Err(Message::new(
                format!(
                    "工作簿部件 {name} 的内容超过它声明的 {} 字节",
                    self.declared
                ),
                format!(
                    "the workbook part {name} holds more than the {} bytes it declares",
                    self.declared
                ),
            ));
        }
        if self.shared && self.read > MAX_SHARED_STRINGS_BYTES {
            return Err(Message::new(
                format!("工作簿的共享文字超过 {}", mib(MAX_SHARED_STRINGS_BYTES)),
                format!(
                    "the workbook's shared strings take more than {}",
                    mib(MAX_SHARED_STRINGS_BYTES)
                ),
            ));
        }
        if self.read > MAX_PART_BYTES {
            return Err(Message::new(
                format!("工作簿部件 {name} 解压后超过 {}", mib(MAX_PART_BYTES)),
                format!(
                    "the workbook part {name} unpacks to more than {}",
                    mib(MAX_PART_BYTES)
                ),
            ));
        }
        if *self.total > MAX_UNPACKED_BYTES {
            return Err(Message::new(
                format!("工作簿解压后总计超过 {}", mib(MAX_UNPACKED_BYTES)),
                format!(
                    "the workbook unpacks to more than {} in all",
                    mib(MAX_UNPACKED_BYTES)
                ),
            ));
        }
        if self.read > RATIO_FLOOR && self.read > self.packed.saturating_mul(MAX_RATIO) {
            return Err(Message::new(
                format!("工作簿部件 {name} 解压后超过压缩大小的 {MAX_RATIO} 倍"),
                format!(
                    "the workbook part {name} unpacks to more than {MAX_RATIO} times its packed size"
                ),
            ));
        }
        self.budget.check()
    }

    /// What a failed read means: a limit crossed, or a damaged part.
    fn failure(&mut self, error: impl std::fmt::Display) -> ReadError {
        match self.stop.take() {
            Some(limit) => ReadError::TooLarge(limit),
            None => unreadable(
                format!("部件 {} 无法解压：{error}", self.name),
                format!("the part {} cannot be unpacked: {error}", self.name),
            ),
        }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        *self.total += n as u64;
        if let Err(limit) = self.over() {
            self.stop = Some(limit);
            return Err(io::Error::other("a limit was crossed"));
        }
        Ok(n)
    }
}

fn drain<R: Read>(counted: &mut Counted<'_, R>) -> Result<(), ReadError> {
    let mut buf = vec![0; 64 * 1024];
    loop {
        match counted.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(counted.failure(e)),
        }
    }
}

/// Counts the `<si>` elements of the shared strings part as it streams by,
/// and refuses a `uniqueCount` over the limit before calamine reserves it.
/// XML calamine could not read either is left for calamine to refuse.
fn scan_shared_strings<R: Read>(counted: &mut Counted<'_, R>) -> Result<(), ReadError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(&mut *counted));
    // As calamine reads it.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    let mut buf = Vec::new();
    let mut strings: u64 = 0;
    let broken = loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "sst" => {
                    let declared = e
                        .try_get_attribute("uniqueCount")
                        .ok()
                        .flatten()
                        .and_then(|a| a.value.trim().parse::<u64>().ok());
                    if let Some(n) = declared.filter(|&n| n > MAX_SHARED_STRINGS) {
                        return Err(ReadError::TooLarge(Message::new(
                            format!(
                                "工作簿声明了 {n} 条共享文字，超过上限 {MAX_SHARED_STRINGS} 条"
                            ),
                            format!(
                                "the workbook declares {n} shared strings, more than {MAX_SHARED_STRINGS}"
                            ),
                        )));
                    }
                }
                "si" => {
                    strings += 1;
                    if strings > MAX_SHARED_STRINGS {
                        return Err(ReadError::TooLarge(Message::new(
                            format!("工作簿的共享文字超过 {MAX_SHARED_STRINGS} 条"),
                            format!(
                                "the workbook has more than {MAX_SHARED_STRINGS} shared strings"
                            ),
                        )));
                    }
                }
                _ => {}
            },
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(e),
        }
    };
    drop(xml);
    match broken {
        Some(e) if counted.stop.is_some() => Err(counted.failure(e)),
        // The rest (after an XML error the reader stops early) still counts.
        _ => drain(counted),
    }
}

/// Checks a structural part (styles, the workbook, relationships) as it
/// streams by: no attribute longer than [`MAX_ATTRIBUTE_BYTES`], no more
/// than [`MAX_STRUCTURE_ELEMENTS`] elements. calamine copies what these
/// parts say into every place that refers to it (a number format into each
/// cell format, a relationship's target into each sheet that names it),
/// before a single cell is read.
fn scan_structure<R: Read>(counted: &mut Counted<'_, R>) -> Result<(), ReadError> {
    let name = counted.name.to_string();
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(&mut *counted));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    let mut buf = Vec::new();
    let mut elements: u64 = 0;
    let broken = loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                elements += 1;
                if elements > MAX_STRUCTURE_ELEMENTS {
                    return Err(ReadError::TooLarge(Message::new(
                        format!("工作簿部件 {name} 的元素超过 {MAX_STRUCTURE_ELEMENTS} 个"),
                        format!(
                            "the workbook part {name} has more than {MAX_STRUCTURE_ELEMENTS} elements"
                        ),
                    )));
                }
                for attribute in e.attributes().flatten() {
                    if attribute.value.len() > MAX_ATTRIBUTE_BYTES {
                        return Err(ReadError::TooLarge(Message::new(
                            format!("工作簿部件 {name} 中有长于 {MAX_ATTRIBUTE_BYTES} 字节的属性"),
                            format!(
                                "the workbook part {name} has an attribute longer than {MAX_ATTRIBUTE_BYTES} bytes"
                            ),
                        )));
                    }
                }
            }
            Ok(Event::Eof) => break None,
            Ok(_) => {}
            Err(e) => break Some(e),
        }
    };
    drop(xml);
    match broken {
        Some(e) if counted.stop.is_some() => Err(counted.failure(e)),
        _ => drain(counted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::limits::READ_BUDGET;
    use crate::import::xlsx::testing::workbook;

    fn measured(bytes: &[u8]) -> Result<(), ReadError> {
        measure(bytes, Budget::new(READ_BUDGET))
    }

    fn too_large(bytes: &[u8]) -> String {
        match measured(bytes) {
            Err(ReadError::TooLarge(message)) => message.en,
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn an_ordinary_workbook_passes() {
        measured(&workbook("", "", &[("xl/styles.xml", &[b' '; 4096])])).unwrap();
    }

    #[test]
    fn a_part_deflated_past_the_ratio_is_refused_once_past_a_mib() {
        // 2 MiB of blanks deflate ~1000:1; 512 KiB of them pass (small parts
        // of repeated styles do deflate that well).
        let small = vec![b' '; 512 * 1024];
        measured(&workbook("", "", &[("xl/styles.xml", &small)])).unwrap();
        let bomb = vec![b' '; 2 << 20];
        assert_eq!(
            too_large(&workbook("", "", &[("xl/styles.xml", &bomb)])),
            "the workbook part xl/styles.xml unpacks to more than 100 times its packed size"
        );
    }

    #[test]
    fn a_part_larger_than_it_declares_is_refused() {
        let mut bytes = workbook("", "", &[("xl/styles.xml", &[b'x'; 5000])]);
        // Patch the declared (uncompressed) size in the central directory:
        // 5000 → 1000.
        let central = bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| w == b"PK\x01\x02")
            .map(|(i, _)| i)
            .find(|&i| {
                let len = u16::from_le_bytes([bytes[i + 28], bytes[i + 29]]) as usize;
                &bytes[i + 46..i + 46 + len] == b"xl/styles.xml"
            })
            .unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&1000u32.to_le_bytes());
        assert_eq!(
            too_large(&bytes),
            "the workbook part xl/styles.xml holds more than the 1000 bytes it declares"
        );
    }

    #[test]
    fn shared_strings_are_counted_and_their_declared_count_checked() {
        let sst = |declared: u64, n: usize| {
            let mut xml = format!(r#"<sst uniqueCount="{declared}">"#);
            for i in 0..n {
                xml.push_str(&format!("<si><t>{i}</t></si>"));
            }
            xml.push_str("</sst>");
            workbook("", "", &[("xl/sharedStrings.xml", xml.as_bytes())])
        };
        measured(&sst(200_000, 200_000)).unwrap();
        assert_eq!(
            too_large(&sst(200_001, 1)),
            "the workbook declares 200001 shared strings, more than 200000"
        );
        assert_eq!(
            too_large(&sst(1, 200_001)),
            "the workbook has more than 200000 shared strings"
        );
    }

    #[test]
    fn not_a_zip_is_unreadable() {
        // Said to the clerk without the zip reader's words.
        match measured(b"PK\x03\x04 and then nothing") {
            Err(ReadError::Unreadable(m)) => {
                assert_eq!(m.zh, format!("无法读取工作簿：{DAMAGED_ZH}"))
            }
            other => panic!("{other:?}"),
        }
    }
}
