//! Embeds the web app (`web/`) in the binary: every file under one
//! fingerprint (a hash of the whole folder), gzip-compressed here, once per
//! build, rather than on every request or at start-up (ECharts and GraphiQL
//! are 3 MB of text; gzip -9 of them takes a second the server should not
//! spend). The page shells (`web/pages/*.html`) get the asset prefix
//! `/assets/<fingerprint>` written in where they say `{{assets}}`.
//! Output: `$OUT_DIR/web_assets.rs`, included by `src/web/assets.rs`.
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Files smaller than this are sent as they are: the gzip header and a
/// `Content-Encoding` line cost more than they save.
const MIN_COMPRESS: usize = 256;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("web");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    println!("cargo:rerun-if-changed=web");

    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();

    // The fingerprint covers every file (name and bytes), so any change to
    // any of them moves every URL: ES modules import each other by relative
    // path and stay consistent without rewriting their imports.
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    for (rel, bytes) in &files {
        hasher.update(rel.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    let digest = hasher.finalize();
    let fingerprint: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let prefix = format!("/assets/{fingerprint}");

    let mut code = String::new();
    writeln!(code, "/// A hash of everything under `web/`.").unwrap();
    writeln!(code, "pub const FINGERPRINT: &str = {fingerprint:?};").unwrap();
    writeln!(
        code,
        "/// Every file under `web/` but the page shells and READMEs."
    )
    .unwrap();
    writeln!(code, "pub static ASSETS: &[Asset] = &[").unwrap();
    let mut pages = String::from(
        "/// The page shells, asset prefix written in.\npub static PAGES: &[Asset] = &[\n",
    );
    for (i, (rel, bytes)) in files.iter().enumerate() {
        if rel.ends_with(".md") {
            continue;
        }
        let (list, body) = match rel.strip_prefix("pages/") {
            Some(_) => {
                let text = String::from_utf8(bytes.clone())
                    .unwrap_or_else(|_| panic!("web/{rel} is not UTF-8"));
                (&mut pages, text.replace("{{assets}}", &prefix).into_bytes())
            }
            None => (&mut code, bytes.clone()),
        };
        let raw_name = format!("f{i}.raw");
        std::fs::write(out.join(&raw_name), &body).unwrap();
        let gzip = if body.len() >= MIN_COMPRESS {
            let packed = gzip(&body);
            // Only worth it when it saves something (a PNG would not shrink).
            (packed.len() < body.len() * 9 / 10).then_some(packed)
        } else {
            None
        };
        let gzip_expr = match gzip {
            Some(packed) => {
                let gz_name = format!("f{i}.gz");
                std::fs::write(out.join(&gz_name), packed).unwrap();
                format!("Some(include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{gz_name}\")))")
            }
            None => "None".to_string(),
        };
        let path = rel.strip_prefix("pages/").unwrap_or(rel);
        writeln!(
            list,
            "    Asset {{ path: {path:?}, content_type: {:?}, raw: include_bytes!(concat!(env!(\"OUT_DIR\"), \"/{raw_name}\")), gzip: {gzip_expr} }},",
            content_type(path)
        )
        .unwrap();
    }
    code.push_str("];\n");
    pages.push_str("];\n");
    code.push_str(&pages);
    std::fs::write(out.join("web_assets.rs"), code).unwrap();
}

/// Every file under `dir`, as (path relative to `root` with `/`, bytes).
fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, std::fs::read(&path).unwrap()));
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("woff2") => "font/woff2",
        // LICENSE, NOTICE and anything else: shown as text.
        _ => "text/plain; charset=utf-8",
    }
}
