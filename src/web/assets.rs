//! The files of `web/`, embedded by `build.rs`: raw, and gzipped where it
//! saves something.

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Its path under `web/` (page shells: under `web/pages/`).
    pub path: &'static str,
    pub content_type: &'static str,
    pub raw: &'static [u8],
    /// gzip -9 of `raw`, made at build time; `None` when it would not save.
    pub gzip: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
