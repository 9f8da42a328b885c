//! 佐证材料: which files an office accepts as evidence, what they are, and
//! the names they are kept under.
//!
//! The kind of a file is read from its bytes, never taken from the name or
//! the type the browser sent: a page saved as "整改报告.pdf" is still a page,
//! and a page served back from our own address would run in the office's
//! browser. Only what a clerk actually attaches is accepted: PDF and OFD
//! (the national 版式文档 format), photos, and Word/Excel/PowerPoint or WPS
//! documents. The name must agree with what the bytes are.
use crate::refusal::{Refusal, Rule};

/// What an accepted file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    /// GB/T 33190 版式文档: a zip holding OFD.xml.
    Ofd,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// Office Open XML: .docx/.xlsx/.pptx (and WPS's own names for them).
    Docx,
    Xlsx,
    Pptx,
    /// The older binary Office and WPS formats (one container, OLE2).
    LegacyOffice,
}

impl FileKind {
    /// The content type it is served with, whatever the uploader sent.
    pub fn content_type(self, extension: &str) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Ofd => "application/ofd",
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileKind::LegacyOffice => match extension {
                "doc" | "wps" => "application/msword",
                "xls" | "et" => "application/vnd.ms-excel",
                "ppt" | "dps" => "application/vnd.ms-powerpoint",
                _ => "application/octet-stream",
            },
        }
    }

    /// The extensions a name of this kind may end in; the first is the one
    /// given to a name that has none.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Ofd => &["ofd"],
            FileKind::Png => &["png"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Gif => &["gif"],
            FileKind::Webp => &["webp"],
            FileKind::Docx => &["docx", "wps"],
            FileKind::Xlsx => &["xlsx", "et"],
            FileKind::Pptx => &["pptx", "dps"],
            FileKind::LegacyOffice => &["doc", "xls", "ppt", "wps", "et", "dps"],
        }
    }

    fn label(self) -> (&'static str, &'static str) {
        match self {
            FileKind::Pdf => ("PDF 文件", "a PDF file"),
            FileKind::Ofd => ("OFD 版式文件", "an OFD document"),
            FileKind::Png => ("PNG 图片", "a PNG image"),
            FileKind::Jpeg => ("JPG 图片", "a JPEG image"),
            FileKind::Gif => ("GIF 图片", "a GIF image"),
            FileKind::Webp => ("WEBP 图片", "a WEBP image"),
            FileKind::Docx => ("Word 文档", "a Word document"),
            FileKind::Xlsx => ("Excel 表格", "an Excel workbook"),
            FileKind::Pptx => ("PowerPoint 演示文稿", "a PowerPoint presentation"),
            FileKind::LegacyOffice => ("旧版 Office/WPS 文档", "a legacy Office/WPS document"),
        }
    }
}

/// What the bytes are, if they are one of the accepted kinds.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileKind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(FileKind::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(FileKind::Webp)
    } else if bytes.starts_with(OLE2) {
        Some(FileKind::LegacyOffice)
    } else if bytes.starts_with(b"PK\x03\x04") {
        // A zip's member names are stored as they are, in each local header
        // and again in the central directory, so they can be looked for
        // without unpacking anything.
        let holds = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
        if holds(b"OFD.xml") {
            Some(FileKind::Ofd)
        } else if !holds(b"[Content_Types].xml") {
            None
        } else if holds(b"word/") {
            Some(FileKind::Docx)
        } else if holds(b"xl/") {
            Some(FileKind::Xlsx)
        } else if holds(b"ppt/") {
            Some(FileKind::Pptx)
        } else {
            None
        }
    } else {
        None
    }
}

/// A file accepted as evidence: its kind, the name it is kept under and the
/// content type it is served with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    pub kind: FileKind,
    pub name: String,
    pub content_type: &'static str,
}

/// The longest name kept, in characters (extension included).
pub const NAME_LIMIT: usize = 100;

/// Accepts a file of `size` bytes within `limit`, or says why not.
pub fn accept(raw_name: &str, bytes: &[u8], limit: u64) -> Result<Accepted, Refusal> {
    let size = bytes.len() as u64;
    if size == 0 {
        return Err(Refusal::new(
            Rule::InvalidValue,
            "文件是空的（0 字节），请重新选择",
            "the file is empty (0 bytes)",
        ));
    }
    if size > limit {
        return Err(too_large(size, limit));
    }
    let Some(kind) = sniff(bytes) else {
        return Err(Refusal::new(
            Rule::FileTypeNotAllowed,
            format!(
                "“{}”不是可接受的佐证材料：只接受 PDF/OFD、图片（JPG、PNG、GIF、WEBP）和 Word、Excel、PowerPoint、WPS 文档",
                shown(raw_name)
            ),
            format!(
                "{:?} is not accepted as evidence: only PDF/OFD, images (JPG, PNG, GIF, WEBP) and Word, Excel, PowerPoint or WPS documents",
                shown(raw_name)
            ),
        ));
    };
    let (stem, extension) = split_name(&clean(raw_name));
    let extension = extension.to_lowercase();
    let extension = if extension.is_empty() {
        kind.extensions()[0].to_string()
    } else if kind.extensions().contains(&extension.as_str()) {
        extension
    } else {
        let (zh, en) = kind.label();
        return Err(Refusal::new(
            Rule::FileTypeNotAllowed,
            format!(
                "“{}”的扩展名是 .{extension}，内容却是{zh}；请改正文件名后再上传",
                shown(raw_name)
            ),
            format!(
                "{:?} ends in .{extension} but is {en}; correct the name and upload it again",
                shown(raw_name)
            ),
        ));
    };
    // No hidden names (".htaccess"): leading dots go.
    let stem = stem.trim_start_matches('.').trim();
    let stem = if stem.is_empty() { "附件" } else { stem };
    let room = NAME_LIMIT - 1 - extension.chars().count().min(10);
    let stem: String = stem.chars().take(room).collect();
    Ok(Accepted {
        kind,
        content_type: kind.content_type(&extension),
        name: format!("{}.{extension}", stem.trim_end()),
    })
}

/// A file, or the files of one item, beyond the limit.
pub fn too_large(size: u64, limit: u64) -> Refusal {
    Refusal::new(
        Rule::FileTooLarge,
        format!(
            "文件大小 {}，超过了每个文件 {} 的上限",
            megabytes(size),
            megabytes(limit)
        ),
        format!(
            "the file is {}, over the limit of {} per file",
            megabytes(size),
            megabytes(limit)
        ),
    )
}

/// Adding files to one item, report or problem beyond what it may hold.
pub fn check_owner_room(
    held_count: usize,
    held_bytes: u64,
    adding_count: usize,
    adding_bytes: u64,
    max_count: usize,
    max_bytes: u64,
) -> Result<(), Refusal> {
    if held_count + adding_count > max_count {
        return Err(Refusal::new(
            Rule::FileTooLarge,
            format!(
                "每项最多 {max_count} 个附件，已有 {held_count} 个，这次又加 {adding_count} 个"
            ),
            format!(
                "at most {max_count} attachments per item; it holds {held_count} and this adds {adding_count}"
            ),
        ));
    }
    if held_bytes + adding_bytes > max_bytes {
        return Err(Refusal::new(
            Rule::FileTooLarge,
            format!(
                "每项附件合计不超过 {}，已有 {}，这次又加 {}",
                megabytes(max_bytes),
                megabytes(held_bytes),
                megabytes(adding_bytes)
            ),
            format!(
                "attachments of one item may total {}; it holds {} and this adds {}",
                megabytes(max_bytes),
                megabytes(held_bytes),
                megabytes(adding_bytes)
            ),
        ));
    }
    Ok(())
}

/// Files uploaded and not yet cited by anything: one uploader may hold as
/// many (and as much) as one item may, then must cite or wait for them
/// to expire.
pub fn check_unlinked_room(
    held_count: usize,
    held_bytes: u64,
    adding_bytes: u64,
    max_count: usize,
    max_bytes: u64,
) -> Result<(), Refusal> {
    if held_count + 1 > max_count || held_bytes + adding_bytes > max_bytes {
        return Err(Refusal::new(
            Rule::FileTooLarge,
            format!(
                "您已上传 {held_count} 个尚未引用的附件（共 {}），上限为 {max_count} 个、{}；请先在反馈、整改或填报中引用它们，未引用的附件一天后自动清除",
                megabytes(held_bytes),
                megabytes(max_bytes)
            ),
            format!(
                "you hold {held_count} uncited uploads ({}); the limit is {max_count} files or {}: cite them first (uncited uploads are removed after a day)",
                megabytes(held_bytes),
                megabytes(max_bytes)
            ),
        ));
    }
    Ok(())
}

/// Whole megabytes when exact, else two decimals: 21,000,000 bytes over
/// a 20 MB limit reads "20.03 MB", not "20 MB".
fn megabytes(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{:.2} MB", bytes as f64 / MB as f64)
    }
}

/// The name as a person typed it, shortened for a message.
fn shown(raw: &str) -> String {
    let cleaned = clean(raw);
    let short: String = cleaned.chars().take(60).collect();
    if short.is_empty() {
        "（无名文件）".into()
    } else {
        short
    }
}

/// A name safe to keep and to send back in a header: the last path part
/// only (browsers on Windows send "C:\\fakepath\\…"), no control, bidi or
/// quoting characters, nothing a file system or a header reads specially,
/// no leading dots, spaces squeezed.
pub fn clean(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut out = String::with_capacity(last.len());
    let mut space = false;
    for c in last.chars() {
        let bad = c.is_control()
            || matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*' | ';' | '%')
            || matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF);
        let c = if bad || c.is_whitespace() { ' ' } else { c };
        if c == ' ' {
            if !space && !out.is_empty() {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out.trim().to_string()
}

/// ("整改报告", "pdf") from "整改报告.pdf"; ("README", "") without a dot.
fn split_name(name: &str) -> (String, String) {
    match name.rsplit_once('.') {
        // ".pdf" is an extension without a name.
        Some((stem, ext)) if !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            (stem.trim().to_string(), ext.to_string())
        }
        _ => (name.to_string(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut bytes = b"PK\x03\x04".to_vec();
        for name in names {
            bytes.extend_from_slice(&[0; 26]);
            bytes.extend_from_slice(name.as_bytes());
        }
        bytes
    }

    #[test]
    fn the_kind_comes_from_the_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(FileKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(FileKind::Webp));
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"])),
            Some(FileKind::Docx)
        );
        assert_eq!(
            sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])),
            Some(FileKind::Xlsx)
        );
        assert_eq!(
            sniff(&zip_with(&["OFD.xml", "Doc_0/Document.xml"])),
            Some(FileKind::Ofd)
        );
        // A plain zip, a page, an SVG, a script: none is evidence.
        assert_eq!(sniff(&zip_with(&["payload.exe"])), None);
        assert_eq!(sniff(b"<!DOCTYPE html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), None);
        assert_eq!(sniff(b"MZ\x90\0"), None);
    }

    #[test]
    fn a_page_named_pdf_is_refused_and_a_photo_keeps_its_name() {
        let page = accept("整改报告.pdf", b"<html><script>x</script></html>", 20 * MB).unwrap_err();
        assert_eq!(page.rule, Rule::FileTypeNotAllowed);
        assert!(
            page.message.zh.contains("只接受 PDF"),
            "{}",
            page.message.zh
        );
        let photo = accept("现场照片.JPG", &[0xFF, 0xD8, 0xFF, 0xE1, 1, 2], 20 * MB).unwrap();
        assert_eq!(photo.name, "现场照片.jpg");
        assert_eq!(photo.content_type, "image/jpeg");
        let wrong = accept("整改报告.docx", b"%PDF-1.4", 20 * MB).unwrap_err();
        assert_eq!(
            wrong.message.zh,
            "“整改报告.docx”的扩展名是 .docx，内容却是PDF 文件；请改正文件名后再上传"
        );
    }

    #[test]
    fn names_lose_paths_controls_and_leading_dots() {
        let pdf = b"%PDF-1.4";
        let cases = [
            ("C:\\fakepath\\复查 报告.pdf", "复查 报告.pdf"),
            ("../../etc/passwd.pdf", "passwd.pdf"),
            (".htaccess.pdf", "htaccess.pdf"),
            ("a\u{202E}fdp.exe.pdf", "a fdp.exe.pdf"),
            ("\"x\";\r\nSet-Cookie: a=b.pdf", "x Set-Cookie a=b.pdf"),
            ("整改报告", "整改报告.pdf"),
            ("", "附件.pdf"),
            ("...", "附件.pdf"),
            (".pdf", "附件.pdf"),
            (" .pdf", "附件.pdf"),
        ];
        for (raw, want) in cases {
            assert_eq!(accept(raw, pdf, MB).unwrap().name, want, "{raw:?}");
        }
        let long = format!("{}.pdf", "长".repeat(300));
        let kept = accept(&long, pdf, MB).unwrap().name;
        assert_eq!(kept.chars().count(), NAME_LIMIT - 1 - 3 + 4);
        assert!(kept.ends_with(".pdf"));
    }

    #[test]
    fn sizes_per_file_and_per_item() {
        let big = vec![b'%'; 3 * MB as usize];
        let refused = accept("a.pdf", &big, 2 * MB).unwrap_err();
        assert_eq!(refused.rule, Rule::FileTooLarge);
        assert_eq!(
            refused.message.zh,
            "文件大小 3 MB，超过了每个文件 2 MB 的上限"
        );
        assert_eq!(
            accept("a.pdf", b"", MB).unwrap_err().rule,
            Rule::InvalidValue
        );
        assert!(check_owner_room(19, 10 * MB, 1, MB, 20, 100 * MB).is_ok());
        let count = check_owner_room(19, 10 * MB, 2, MB, 20, 100 * MB).unwrap_err();
        assert_eq!(
            count.message.zh,
            "每项最多 20 个附件，已有 19 个，这次又加 2 个"
        );
        let bytes = check_owner_room(2, 90 * MB, 1, 15 * MB, 20, 100 * MB).unwrap_err();
        assert_eq!(
            bytes.message.zh,
            "每项附件合计不超过 100 MB，已有 90 MB，这次又加 15 MB"
        );
    }
}
