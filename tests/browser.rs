//! The pages in a real browser: headless Chromium, driven through
//! chromedriver, against the real binary serving the demo. Runs when
//! MUBIAO_BROWSER_TESTS=1 (`.ci/run` sets it) and then fails, not skips,
//! if chromium or chromedriver is missing. Screenshots of every page go
//! to `<target>/screenshots/` to be looked at.
mod common;

use std::time::Duration;

use common::binary::{BinaryDb, http};
use common::webdriver::{self, Driver, Session};
use serde_json::{Value, json};

const AS_OF: &str = "2025-10-31";

/// Signs the browser in through the login page as the demo's VIEWER
/// (`leader`, created by `serve --demo`), after checking that the page
/// shows a failed attempt's reason.
fn sign_in(s: &Session<'_>, base: &str, shots: &std::path::Path) {
    s.goto(&format!("{base}/login?error=invalid&next=/dashboard"));
    let message = s.wait_for(
        "const e = document.getElementById('login-error'); return e && !e.classList.contains('hidden') && e.textContent",
        Duration::from_secs(10),
    );
    assert_eq!(message, json!("用户名或密码不正确"));
    assert_eq!(
        s.run("return document.getElementById('next').value", json!([])),
        json!("/dashboard")
    );
    s.screenshot(&shots.join("login-error-1366.png"));
    s.run(
        "document.getElementById('username').value = 'leader';
         document.getElementById('password').value = 'mubiao-leader';
         document.querySelector('form').submit()",
        json!([]),
    );
    let landed = s.wait_for(
        "return location.pathname === '/dashboard' && document.body.dataset.ready",
        Duration::from_secs(30),
    );
    assert_eq!(landed, json!("1"));
}

fn gql(port: u16, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, text) = http(
        port,
        "POST",
        "/graphql",
        Some(&body),
        Some(mubiao::demo::VIEWER_TOKEN),
    )
    .unwrap();
    assert_eq!(status, 200, "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v.get("errors").is_none(), "{v}");
    v["data"].clone()
}

/// What the page shows for a percentage: one decimal and a per cent sign.
fn pct(v: &Value) -> String {
    format!("{:.1}%", v.as_f64().unwrap())
}

/// A figure shown by the page, by its `data-testid`.
fn shown(s: &Session<'_>, id: &str) -> String {
    s.run(
        "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); return e && e.textContent",
        json!([id]),
    )
    .as_str()
    .unwrap_or_else(|| panic!("no {id} on the page"))
    .to_string()
}

/// Every resource the page loaded, by URL.
fn resources(s: &Session<'_>) -> Vec<String> {
    s.run(
        "return performance.getEntriesByType('resource').map(e => e.name)",
        json!([]),
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|v| v.as_str().unwrap().to_string())
    .collect()
}

fn wait_ready(s: &Session<'_>) {
    let state = s.wait_for(
        "return document.body.dataset.ready || (document.querySelector('.alert') || {}).textContent",
        Duration::from_secs(30),
    );
    assert_eq!(state, json!("1"), "the page showed an error");
}

#[test]
fn the_dashboard_shows_the_apis_figures_from_this_server_only() {
    if !webdriver::wanted() {
        eprintln!("browser tests skipped: set MUBIAO_BROWSER_TESTS=1 to run them");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "browser");
    let (_server, port) = db.serve(&["--demo"]);
    let base = format!("http://127.0.0.1:{port}");
    let plans = gql(port, "{ plans { id name } }", json!({}));
    let plan = plans["plans"][0]["id"].as_str().unwrap().to_string();

    let driver = Driver::start();
    let shots = webdriver::screenshot_dir();
    let s = driver.session(1366, 768);
    s.goto(&format!("{base}/login"));
    s.wait_for(
        "return document.readyState === 'complete'",
        Duration::from_secs(10),
    );
    s.screenshot(&shots.join("login-1366.png"));
    sign_in(&s, &base, &shots);

    // `/` sends a VIEWER to the dashboard.
    s.goto(&format!("{base}/"));
    s.wait_for(
        "return location.pathname === '/dashboard' && document.body.dataset.ready",
        Duration::from_secs(30),
    );
    let who = s.run(
        "return document.querySelector('[data-testid=who]').textContent",
        json!([]),
    );
    assert!(who.as_str().unwrap().contains("查看"), "{who}");

    // The dashboard as of a date: the headline is the API's answer.
    s.goto(&format!("{base}/dashboard?plan={plan}&asOf={AS_OF}"));
    wait_ready(&s);
    let api = gql(
        port,
        r#"query($id: ID!, $asOf: Date) { plan(id: $id) {
            progress(asOf: $asOf) { completionPercent expectedPercent gap light }
            scorecard(asOf: $asOf) { score maxScore vetoed }
            goalLights(asOf: $asOf) { green blue yellow red } } }"#,
        json!({ "id": plan, "asOf": AS_OF }),
    );
    let p = &api["plan"]["progress"];
    assert_eq!(shown(&s, "completion"), pct(&p["completionPercent"]));
    assert_eq!(shown(&s, "expected"), pct(&p["expectedPercent"]));
    let gap = p["gap"].as_f64().unwrap();
    let gap_text = format!("{:.1}", gap.abs());
    let gap_shown = match gap {
        g if g < 0.0 && gap_text != "0.0" => format!("−{gap_text}"),
        g if g > 0.0 && gap_text != "0.0" => format!("+{gap_text}"),
        _ => gap_text,
    };
    assert_eq!(shown(&s, "gap"), gap_shown);
    let word = match p["light"].as_str().unwrap() {
        "GREEN" => "绿灯",
        "BLUE" => "蓝灯",
        "YELLOW" => "黄灯",
        _ => "红灯",
    };
    assert_eq!(shown(&s, "light"), word);
    let card = &api["plan"]["scorecard"];
    assert_eq!(
        shown(&s, "score"),
        format!(
            "{:.1} / {:.1}",
            card["score"].as_f64().unwrap(),
            card["maxScore"].as_f64().unwrap()
        )
    );
    let veto = if card["vetoed"] == json!(true) {
        "已否决"
    } else {
        "未触发"
    };
    assert_eq!(shown(&s, "veto"), veto);
    for light in ["green", "blue", "yellow", "red"] {
        assert_eq!(
            shown(&s, &format!("lights-{light}")),
            api["plan"]["goalLights"][light].to_string()
        );
    }
    // Both charts drew (ECharts' SVG renderer).
    let drawn = s.run(
        "return ['trend-chart', 'lights-chart'].map(id => document.querySelectorAll(`#${id} svg path`).length)",
        json!([]),
    );
    for n in drawn.as_array().unwrap() {
        assert!(n.as_u64().unwrap() > 3, "a chart is empty: {drawn}");
    }
    // Everything the page loaded came from this server.
    let loaded = resources(&s);
    assert!(
        loaded.iter().any(|r| r.contains("echarts.common.min.js")),
        "{loaded:?}"
    );
    for r in &loaded {
        assert!(r.starts_with(&format!("{base}/")), "{r} is not this server");
    }
    s.screenshot(&shots.join("dashboard-1366.png"));
    s.run("window.scrollTo(0, document.body.scrollHeight)", json!([]));
    s.screenshot(&shots.join("dashboard-1366-bottom.png"));

    // Printed on A4 landscape: the print sheet hides the navigation and
    // the controls; the page as print media at the printable part of A4
    // landscape (277 × 190 mm inside 10 mm margins: 1047 × 718 CSS pixels).
    s.print_a4_landscape(&shots.join("dashboard-a4.pdf"));
    s.viewport(1047, 718);
    s.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }));
    s.run(
        "window.dispatchEvent(new Event('beforeprint')); window.scrollTo(0, 0)",
        json!([]),
    );
    let hidden = s.run(
        "return ['.topbar', '.toolbar'].map(q => getComputedStyle(document.querySelector(q)).display)",
        json!([]),
    );
    assert_eq!(hidden, json!(["none", "none"]));
    s.screenshot(&shots.join("dashboard-print-a4.png"));
    s.cdp("Emulation.setEmulatedMedia", json!({ "media": "" }));
    s.viewport(1366, 768);

    // A goal from the red list: its page, and its figures.
    let goal = s
        .run(
            "const a = document.querySelector('#h-red ~ div a[href^=\"/goals/\"]'); return a && a.getAttribute('href')",
            json!([]),
        )
        .as_str()
        .expect("a red goal linked from the dashboard")
        .to_string();
    s.goto(&format!("{base}{goal}"));
    wait_ready(&s);
    let id = goal
        .trim_start_matches("/goals/")
        .split('?')
        .next()
        .unwrap();
    let g = gql(
        port,
        r#"query($id: ID!, $asOf: Date) { goal(id: $id) { progress(asOf: $asOf) { completionPercent light } } }"#,
        json!({ "id": id, "asOf": AS_OF }),
    );
    assert_eq!(
        shown(&s, "completion"),
        pct(&g["goal"]["progress"]["completionPercent"])
    );
    assert_eq!(g["goal"]["progress"]["light"], "RED");
    assert_eq!(shown(&s, "light"), "红灯");
    s.screenshot(&shots.join("goal-1366.png"));

    // The reporting calendar of October.
    s.goto(&format!("{base}/calendar?plan={plan}&month=2025-10"));
    wait_ready(&s);
    let rows = s.run(
        "return document.querySelectorAll('tbody tr').length",
        json!([]),
    );
    assert!(rows.as_u64().unwrap() > 5, "{rows}");
    s.screenshot(&shots.join("calendar-1366.png"));

    // The province view: every plan, ranked.
    s.goto(&format!("{base}/dashboard?asOf={AS_OF}"));
    wait_ready(&s);
    s.screenshot(&shots.join("province-1366.png"));

    // The 大屏 at 1920×1080.
    s.viewport(1920, 1080);
    s.goto(&format!(
        "{base}/dashboard?plan={plan}&asOf={AS_OF}&screen=1"
    ));
    wait_ready(&s);
    assert_eq!(shown(&s, "completion"), pct(&p["completionPercent"]));
    let fits = s.run(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]",
        json!([]),
    );
    assert_eq!(fits, json!([1920, 1080]), "the 大屏 scrolls");
    s.screenshot(&shots.join("dashboard-screen-1920.png"));
    eprintln!("screenshots in {}", shots.display());
}
