//! The web app over HTTP: fingerprinted assets with long cache lifetimes
//! and gzip when asked; page shells revalidated; nothing loaded from any
//! host but the server (the pages, their scripts and styles, GraphiQL);
//! the figure the dashboard's light ring shows.
mod common;

use std::collections::{BTreeSet, VecDeque};
use std::io::Read;

use common::TestApp;
use mubiao::web::{FINGERPRINT, IMMUTABLE, NO_CACHE};
use serde_json::json;

/// Every page the server serves.
const PAGES: [&str; 11] = [
    "/",
    "/login",
    "/dashboard",
    "/dashboard?plan=1&screen=1",
    "/goals/1",
    "/calendar",
    "/password",
    "/report",
    "/review",
    "/import",
    "/admin",
];

struct Got {
    status: u16,
    headers: poem::http::HeaderMap,
    body: Vec<u8>,
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Got {
    let mut req = app.client.get(path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let resp = req.send().await;
    let status = resp.0.status().as_u16();
    let headers = resp.0.headers().clone();
    let body = resp.0.into_body().into_vec().await.unwrap();
    Got {
        status,
        headers,
        body,
    }
}

fn header<'a>(got: &'a Got, name: &str) -> &'a str {
    got.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The paths an HTML page or a stylesheet or module names: `src`/`href`
/// attributes, `url(...)`, and relative `import … from './x.js'`, resolved
/// against `base` (the file's own path).
fn references(base: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for key in ["src=\"", "href=\""] {
        for part in text.split(key).skip(1) {
            found.push(part.split('"').next().unwrap().to_string());
        }
    }
    for part in text.split("from '").skip(1) {
        found.push(part.split('\'').next().unwrap().to_string());
    }
    for part in text.split("url(").skip(1) {
        let url = part.split(')').next().unwrap().trim_matches(['"', '\'']);
        if !url.starts_with("data:") {
            found.push(url.to_string());
        }
    }
    found
        .into_iter()
        .filter(|r| !r.is_empty() && !r.starts_with('#'))
        .map(|r| resolve(base, &r))
        .collect()
}

fn resolve(base: &str, reference: &str) -> String {
    if reference.starts_with('/') || reference.contains("://") {
        return reference.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for piece in reference.split('/') {
        match piece {
            "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[tokio::test]
async fn assets_are_fingerprinted_cached_for_a_year_and_gzipped_when_asked() {
    let app = TestApp::spawn().await;
    let page = get(&app, "/login", &[]).await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    let css = format!("/assets/{FINGERPRINT}/css/app.css");
    assert!(html.contains(&css), "{html}");

    let packed = get(&app, &css, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(packed.status, 200);
    assert_eq!(header(&packed, "cache-control"), IMMUTABLE);
    assert_eq!(IMMUTABLE, "public, max-age=31536000, immutable");
    assert_eq!(header(&packed, "content-encoding"), "gzip");
    assert_eq!(header(&packed, "vary"), "Accept-Encoding");
    assert!(header(&packed, "content-type").starts_with("text/css"));

    let plain = get(&app, &css, &[]).await;
    assert_eq!(plain.status, 200);
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(header(&plain, "cache-control"), IMMUTABLE);
    assert!(packed.body.len() < plain.body.len() / 2);
    assert_eq!(gunzip(&packed.body), plain.body);
    assert_eq!(
        plain.body,
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/web/css/app.css")).unwrap()
    );

    // gzip refused (q=0) is not sent.
    let refused = get(&app, &css, &[("accept-encoding", "gzip;q=0, br")]).await;
    assert_eq!(header(&refused, "content-encoding"), "");

    // ECharts: the big one, sent gzipped.
    let echarts = format!("/assets/{FINGERPRINT}/vendor/echarts/echarts.common.min.js");
    let js = get(&app, &echarts, &[("accept-encoding", "gzip")]).await;
    assert_eq!(js.status, 200);
    assert_eq!(header(&js, "content-encoding"), "gzip");
    assert!(header(&js, "content-type").starts_with("text/javascript"));
    assert!(js.body.len() < 250_000, "{} bytes", js.body.len());

    // Another fingerprint (a page from before an upgrade) is not today's
    // file under yesterday's name, and nothing outside web/ is reachable.
    for path in [
        "/assets/000000000000/css/app.css".to_string(),
        format!("/assets/{FINGERPRINT}/css/nothing.css"),
        format!("/assets/{FINGERPRINT}/../Cargo.toml"),
        format!("/assets/{FINGERPRINT}/%2e%2e/Cargo.toml"),
        format!("/assets/{FINGERPRINT}/pages/login.html"),
        format!("/assets/{FINGERPRINT}/README.md"),
    ] {
        let missing = get(&app, &path, &[]).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_ne!(header(&missing, "cache-control"), IMMUTABLE, "{path}");
    }
}

#[tokio::test]
async fn page_shells_are_revalidated_and_guarded() {
    let app = TestApp::spawn().await;
    for path in PAGES {
        let page = get(&app, path, &[("accept-encoding", "gzip")]).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(header(&page, "cache-control"), NO_CACHE, "{path}");
        assert!(header(&page, "content-type").starts_with("text/html"));
        let csp = header(&page, "content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let html = String::from_utf8(gunzip(&page.body)).unwrap();
        assert!(html.contains("目标责任制管理"), "{path}");
        // Revalidation: the same shell is a 304 without a body.
        let etag = header(&page, "etag").to_string();
        assert!(etag.contains(FINGERPRINT), "{path}: {etag}");
        let again = get(&app, path, &[("if-none-match", &etag)]).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
    }
    let login = get(&app, "/login", &[]).await;
    let html = String::from_utf8(login.body).unwrap();
    for field in [
        r#"method="post" action="/login""#,
        r#"name="username""#,
        r#"name="password""#,
        r#"type="hidden" name="next""#,
    ] {
        assert!(html.contains(field), "{field} missing from the login form");
    }
}

/// Every page, and everything it loads (followed through stylesheets and
/// module imports), comes from this server: our files name no other host
/// at all; the vendored ones only the non-loading URLs reviewed in
/// web/vendor/README.md (XML namespaces, licence and documentation links).
#[tokio::test]
async fn pages_load_nothing_from_any_other_host() {
    // Every http(s) URL in the vendored files, none of them fetched.
    const VENDOR_TEXT_URLS: [&str; 20] = [
        "http://",
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
        "http://www.w3.org/1999/xhtml",
        "http://www.w3.org/2000/xmlns/",
        "http://www.w3.org/XML/1998/namespace",
        "http://www.w3.org/1998/Math/MathML",
        "http://www.apache.org/licenses/LICENSE-2.0",
        "https://github.com/ecomfe/zrender/blob/master/LICENSE.txt",
        "https://reactjs.org/docs/error-decoder.html?invariant=",
        "https://github.com/jonschlinkert/isobject",
        "https://github.com/jonschlinkert/set-value",
        "https://github.com/jonschlinkert/is-primitive",
        "https://github.com/jonschlinkert/get-value",
        "https://github.com/jonschlinkert",
        "https://github.com/graphql/graphiql/blob/master/examples/graphiql-cdn/index.html#L49",
        "https://github.com/graphql/graphiql",
        "https://en.wikipedia.org/wiki/IEEE_floating_point",
        "https://commonmark.org/",
        "https://codemirror.net/5/doc/manual.html#keymaps",
    ];
    let app = TestApp::spawn().await;
    let mut queue: VecDeque<String> = PAGES.iter().map(|p| p.to_string()).collect();
    queue.push_back("/graphql".to_string());
    let mut seen = BTreeSet::new();
    let mut checked = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        assert!(
            path.starts_with('/') && !path.starts_with("//"),
            "a page loads {path}, which is not on this server"
        );
        let got = get(&app, &path, &[]).await;
        assert_eq!(got.status, 200, "{path} is named by a page but not served");
        let kind = header(&got, "content-type").to_string();
        if !(kind.contains("html") || kind.contains("javascript") || kind.contains("css")) {
            continue;
        }
        checked += 1;
        let text = String::from_utf8(got.body).unwrap();
        let vendored = path.contains("/vendor/");
        for url in urls_in(&text) {
            assert!(
                vendored && VENDOR_TEXT_URLS.contains(&url.as_str()),
                "{path} names {url}"
            );
        }
        if vendored && !kind.contains("html") {
            // Minified bundles load nothing by path (web/vendor/README.md);
            // their strings would read as false references.
            continue;
        }
        let base = path.split('?').next().unwrap();
        for reference in references(base, &text) {
            queue.push_back(reference);
        }
    }
    // The shells, our modules and stylesheet, ECharts and GraphiQL's files.
    assert!(checked >= 20, "only {checked} files checked: {seen:?}");
    for expected in [
        format!("/assets/{FINGERPRINT}/js/api.js"),
        format!("/assets/{FINGERPRINT}/js/pages/dashboard.js"),
        format!("/assets/{FINGERPRINT}/vendor/echarts/echarts.common.min.js"),
        format!("/assets/{FINGERPRINT}/vendor/graphiql/graphiql.min.js"),
        format!("/assets/{FINGERPRINT}/vendor/react/react.production.min.js"),
    ] {
        assert!(seen.contains(&expected), "{expected} never reached");
    }
}

/// Every `http://…` or `https://…` in a text, up to a quote, space,
/// bracket or backtick.
fn urls_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut rest = text;
        while let Some(at) = rest.find(scheme) {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| "\"' )`\\<>\n".contains(c))
                .unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[scheme.len()..];
        }
    }
    out
}

#[tokio::test]
async fn graphiql_loads_only_the_vendored_files() {
    let app = TestApp::spawn().await;
    let page = get(&app, "/graphql", &[]).await;
    assert_eq!(page.status, 200);
    assert_eq!(header(&page, "cache-control"), NO_CACHE);
    let html = String::from_utf8(page.body).unwrap();
    let refs = references("/graphql", &html);
    assert_eq!(refs.len(), 4, "{refs:?}");
    for r in &refs {
        assert!(
            r.starts_with(&format!("/assets/{FINGERPRINT}/vendor/")),
            "{r}"
        );
        assert_eq!(get(&app, r, &[]).await.status, 200, "{r}");
    }
    assert!(html.contains("'X-Requested-With', 'mubiao'"));
    assert!(html.contains("url: '/graphql'"));
    // No token filled in, not even as an example: GraphiQL reads as the
    // person signed in (its requests carry the session cookie).
    assert!(!html.contains("defaultHeaders: \""), "{html}");
    assert!(!html.contains("Bearer"), "{html}");
}

/// The dashboard's light ring (`Plan.goalLights`) counts the goals the
/// watch lists judge: its yellow and red are the `warnings` list's.
#[tokio::test]
async fn the_light_distribution_counts_the_goals_the_lists_show() {
    let app = TestApp::spawn().await;
    let id = mubiao::demo::load(&app.db).await.unwrap().to_string();
    let d = app
        .data(
            r#"query($id: ID!) {
                plan(id: $id) { goalLights(asOf: "2025-10-31") { green blue yellow red } }
                warnings(asOf: "2025-10-31", filter: { planId: $id }) { progress { light } }
                all: warnings(asOf: "2025-10-31", filter: { planId: $id, lights: [GREEN, BLUE, YELLOW, RED] }) { progress { light } }
            }"#,
            json!({ "id": id }),
        )
        .await;
    let counts = &d["plan"]["goalLights"];
    let count = |list: &str, light: &str| {
        d[list]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["progress"]["light"] == light)
            .count()
    };
    for (field, light) in [
        ("green", "GREEN"),
        ("blue", "BLUE"),
        ("yellow", "YELLOW"),
        ("red", "RED"),
    ] {
        assert_eq!(counts[field], json!(count("all", light)), "{light}");
    }
    assert_eq!(counts["yellow"], json!(count("warnings", "YELLOW")));
    assert_eq!(counts["red"], json!(count("warnings", "RED")));
    // The demo as of 2025-10-31: 4 green, 1 blue, 4 yellow, 4 red.
    assert_eq!(
        counts,
        &json!({ "green": 4, "blue": 1, "yellow": 4, "red": 4 })
    );
}

/// An address that is no page: a browser gets a page in the reader's
/// language with a way home, a program a JSON refusal with its code;
/// never poem's bare English "not found".
#[tokio::test]
async fn an_unknown_address_is_told_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let browser = [("accept", "text/html,application/xhtml+xml,*/*;q=0.8")];
    let got = get(&app, "/dashbaord", &browser).await;
    assert_eq!(got.status, 404);
    assert!(header(&got, "content-type").starts_with("text/html"));
    let page = String::from_utf8(got.body).unwrap();
    assert!(page.contains("<title>页面不存在"), "{page}");
    assert!(page.contains("没有“/dashbaord”这个页面"), "{page}");
    assert!(page.contains("href=\"/\""), "{page}");
    assert!(!page.contains("not found"), "{page}");
    let got = get(&app, "/dashbaord", &[browser[0], ("accept-language", "en")]).await;
    let page = String::from_utf8(got.body).unwrap();
    assert!(page.contains("<title>Page not found"), "{page}");

    let got = get(&app, "/api/v1/plans", &[("accept", "application/json")]).await;
    assert_eq!(got.status, 404);
    let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(body["errors"][0]["message"], "没有“/api/v1/plans”这个地址");
    // The markup names the address as text, never as markup.
    let got = get(&app, "/%3Cscript%3Ealert(1)%3C/script%3E", &browser).await;
    let page = String::from_utf8(got.body).unwrap();
    assert!(!page.contains("<script>alert"), "{page}");
}
