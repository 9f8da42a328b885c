//! The web app people use (领导驾驶舱, the login page, goal pages, 填报,
//! 审核, 导入 and 系统管理) and the
//! offline GraphiQL page: static shells and ES modules from `web/`,
//! embedded in the binary by `build.rs`, served under one fingerprint with
//! long cache lifetimes, gzip when the client takes it. The pages are
//! clients of `/graphql`; nothing here reads the database.
use poem::http::{HeaderMap, HeaderValue, StatusCode, header};
use poem::web::Path;
use poem::{IntoResponse, Request, Response, Route, get, handler};

mod assets;

pub use assets::{ASSETS, Asset, FINGERPRINT, PAGES};

/// `Cache-Control` of a fingerprinted file: its URL changes with its bytes.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of a page shell: its URL stays, so the browser asks
/// again each time (and gets a 304 while nothing changed).
pub const NO_CACHE: &str = "no-cache";

/// What the page shells allow: only this server, for scripts, styles,
/// images, fonts and `fetch`; no framing (the login form), no `<base>`,
/// forms posting only here. ECharts sets inline styles on its elements,
/// hence `'unsafe-inline'` for styles (not for scripts).
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The app's name, as the pages' titles end.
pub const APP_NAME: &str = "目标责任制管理";

/// Text made safe to put inside HTML (an address someone typed).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The URL prefix of every embedded file: `/assets/<fingerprint>`.
pub fn asset_prefix() -> String {
    format!("/assets/{FINGERPRINT}")
}

/// The web app's routes, but `/login` and `/graphql`, which `http` mounts
/// beside the handlers that share their paths (`login_page` here).
pub fn routes(route: Route) -> Route {
    route
        .at("/", get(home_page))
        .at("/dashboard", get(page("dashboard.html")))
        .at("/goals/:id", get(page("goal.html")))
        .at("/calendar", get(page("calendar.html")))
        .at("/password", get(page("password.html")))
        .at("/report", get(page("report.html")))
        .at("/review", get(page("review.html")))
        .at("/supervision", get(page("supervision.html")))
        .at("/import", get(page("import.html")))
        .at("/admin", get(page("admin.html")))
        .at("/assets/:fingerprint/*path", get(asset))
}

/// `GET /login`: the sign-in form (it posts to `POST /login`).
#[handler]
pub fn login_page(req: &Request) -> Response {
    send_page(req, "login.html")
}

/// `GET /`: a shell that asks `me` and goes on to the caller's start page.
#[handler]
fn home_page(req: &Request) -> Response {
    send_page(req, "home.html")
}

/// A handler serving one page shell.
fn page(name: &'static str) -> impl poem::Endpoint<Output = Response> {
    poem::endpoint::make_sync(move |req: Request| send_page(&req, name))
}

fn send_page(req: &Request, name: &str) -> Response {
    let Some(file) = PAGES.iter().find(|p| p.path == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // The shell changes only with the web folder: its fingerprint is its
    // version, so a revalidation costs a 304.
    let etag = format!("\"{FINGERPRINT}-{name}\"");
    let mut resp = if if_none_match(req.headers(), &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        send(req.headers(), file)
    };
    let headers = resp.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// `GET /assets/<fingerprint>/<path>`: an embedded file. Another
/// fingerprint (a page from before an upgrade) is a 404 rather than
/// today's file under yesterday's name, which a cache would keep for a
/// year.
#[handler]
fn asset(req: &Request, Path((fingerprint, path)): Path<(String, String)>) -> Response {
    let file = (fingerprint == FINGERPRINT)
        .then(|| ASSETS.iter().find(|a| a.path == path))
        .flatten();
    let Some(file) = file else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(header::CACHE_CONTROL, NO_CACHE)
            .finish();
    };
    let mut resp = send(req.headers(), file);
    let headers = resp.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// The file, gzipped when the client takes gzip and it was worth packing.
fn send(headers: &HeaderMap, file: &Asset) -> Response {
    let builder = Response::builder()
        .content_type(file.content_type)
        .header(header::VARY, "Accept-Encoding");
    match file.gzip {
        Some(packed) if accepts_gzip(headers) => builder
            .header(header::CONTENT_ENCODING, "gzip")
            .body(packed),
        _ => builder.body(file.raw),
    }
}

/// Whether `Accept-Encoding` takes gzip (or `*`) with a weight above 0.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => gzip = Some(q > 0.0),
                "*" => any = Some(q > 0.0),
                _ => {}
            }
        }
    }
    gzip.or(any).unwrap_or(false)
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag)
        })
}

/// The GraphiQL page (`GET /graphql`), offline: the vendored GraphiQL and
/// React from this binary, posting to `/graphql` with the session cookie
/// and `X-Requested-With: mubiao`. It carries no token: a page anyone may
/// fetch must hand out no credential.
pub fn graphiql_page() -> String {
    let template = ASSETS
        .iter()
        .find(|a| a.path == "vendor/graphiql/index.html")
        .map(|a| String::from_utf8_lossy(a.raw).into_owned())
        .unwrap_or_default();
    template.replace("/assets/vendor/", &format!("{}/vendor/", asset_prefix()))
}

/// The GraphiQL page as a response, revalidated like the page shells.
pub fn graphiql_response() -> Response {
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, NO_CACHE)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(graphiql_page())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn gzip_is_sent_only_when_taken() {
        assert!(accepts_gzip(&with("gzip, deflate, br")));
        assert!(accepts_gzip(&with("br;q=1.0, gzip;q=0.8")));
        assert!(accepts_gzip(&with("*")));
        assert!(!accepts_gzip(&with("gzip;q=0")));
        assert!(!accepts_gzip(&with("gzip;q=0, *")));
        assert!(!accepts_gzip(&with("identity")));
        assert!(!accepts_gzip(&with("br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn every_page_shell_points_at_the_fingerprinted_assets() {
        let prefix = asset_prefix();
        for page in PAGES {
            let text = std::str::from_utf8(page.raw).unwrap();
            assert!(!text.contains("{{assets}}"), "{}", page.path);
            assert!(text.contains(&prefix), "{}", page.path);
        }
        assert!(PAGES.iter().any(|p| p.path == "login.html"));
    }

    #[test]
    fn graphiql_loads_the_vendored_files_and_carries_no_token() {
        let page = graphiql_page();
        assert!(page.contains(&format!(
            "{}/vendor/graphiql/graphiql.min.js",
            asset_prefix()
        )));
        assert!(!page.contains("\"/assets/vendor/"));
        assert!(!page.contains("Bearer"), "{page}");
    }
}
