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
    // Figures resting on reports nobody reviewed say so, with the count.
    let unreviewed = gql(
        port,
        r#"query($id: ID!, $asOf: Date) { plan(id: $id) { unreviewedFigures(asOf: $asOf) } }"#,
        json!({ "id": plan, "asOf": AS_OF }),
    )["plan"]["unreviewedFigures"]
        .as_u64()
        .unwrap();
    assert!(unreviewed > 0, "the demo has unreviewed reports");
    assert_eq!(
        shown(&s, "unreviewed"),
        format!("以上数字含 {unreviewed} 项尚待目标办审核的填报（已计入）。")
    );
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
    // Without a date, the box shows the day the figures stand on (today in
    // the plan); a date that is none is said, not silently dropped.
    s.goto(&format!("{base}/goals/{id}"));
    wait_ready(&s);
    let today = gql(
        port,
        r#"query($id: ID!) { plan(id: $id) { today } }"#,
        json!({ "id": plan }),
    )["plan"]["today"]
        .clone();
    assert_eq!(
        s.run("return document.getElementById('asOf').value", json!([])),
        today
    );
    for (page, said) in [
        (format!("/goals/{id}?asOf=abc"), "地址中的日期“abc”无效"),
        (
            format!("/dashboard?plan={plan}&asOf=2025-02-30"),
            "地址中的日期“2025-02-30”无效",
        ),
        (
            format!("/calendar?plan={plan}&month=2025-13"),
            "地址中的月份“2025-13”无效",
        ),
    ] {
        s.goto(&format!("{base}{page}"));
        wait_ready(&s);
        let notice = text_of(&s, "[data-testid=bad-param]");
        assert!(
            notice.as_str().unwrap().starts_with(said),
            "{page}: {notice}"
        );
    }

    // The reporting calendar of October.
    s.goto(&format!("{base}/calendar?plan={plan}&month=2025-10"));
    wait_ready(&s);
    let rows = s.run(
        "return document.querySelectorAll('tbody tr').length",
        json!([]),
    );
    assert!(rows.as_u64().unwrap() > 5, "{rows}");
    s.screenshot(&shots.join("calendar-1366.png"));

    // An address that is no page: said in Chinese, with the way home.
    s.goto(&format!("{base}/dashbaord"));
    s.wait_for(
        "return document.readyState === 'complete'",
        Duration::from_secs(10),
    );
    assert_eq!(
        s.run("return document.querySelector('h1').textContent", json!([])),
        json!("页面不存在")
    );
    s.screenshot(&shots.join("not-found-1366.png"));

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
    s.screenshot(&shots.join("dashboard-screen-1920.png"));
    assert_eq!(fits, json!([1920, 1080]), "the 大屏 scrolls");
    // Nothing cut off inside its card: every row and list item shows whole.
    let cut = s.run(
        "const cut = []; for (const card of document.querySelectorAll('main .card')) {            const box = card.getBoundingClientRect();            for (const e of card.querySelectorAll('tr, li, p')) {              const r = e.getBoundingClientRect();              if (r.height && r.bottom > box.bottom + 0.5) cut.push(e.textContent.slice(0, 30)); } }          return cut",
        json!([]),
    );
    assert_eq!(cut, json!([]), "cut off on the 大屏");
    // The trend's point labels ("43.3%") never print over one another.
    let overlapping = s.run(
        "const rs = [...document.querySelectorAll('#trend-chart svg text')]            .filter(t => /^\\d+\\.\\d%$/.test(t.textContent) && getComputedStyle(t).display !== 'none' && t.getAttribute('opacity') !== '0')            .map(t => t.getBoundingClientRect());          let n = 0; for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) {            const a = rs[i], b = rs[j];            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) n++; }          return [rs.length, n]",
        json!([]),
    );
    assert!(
        overlapping[0].as_u64().unwrap() > 0,
        "no point labels: {overlapping}"
    );
    assert_eq!(
        overlapping[1],
        json!(0),
        "point labels overlap: {overlapping}"
    );
    eprintln!("screenshots in {}", shots.display());
}

// ---- The work pages: 填报, 审核, 导入, 系统管理 ----

/// The operator's key the work-page tests start the server with (an ADMIN).
const OPERATOR: &str = "browser-operator-key-5d1c0e7a9b3f4e21";

/// A GraphQL request with a bearer token; answers the whole body.
fn gql_with(port: u16, token: &str, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let (status, text) = http(port, "POST", "/graphql", Some(&body), Some(token)).unwrap();
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// `gql_with`, expecting no error; answers `data`.
fn gql_ok(port: u16, token: &str, query: &str, variables: Value) -> Value {
    let v = gql_with(port, token, query, variables);
    assert!(v.get("errors").is_none(), "{v}");
    v["data"].clone()
}

/// Fills and sends the login form, and waits for the page it leads to
/// (the old document is marked, so its state is never taken for the new).
fn submit_login(s: &Session<'_>, base: &str, username: &str, password: &str) {
    s.goto(&format!("{base}/login"));
    s.wait_for(
        "return document.readyState === 'complete' && !!document.getElementById('username')",
        Duration::from_secs(10),
    );
    s.run(
        "window.__leaving = true;
         document.getElementById('username').value = arguments[0];
         document.getElementById('password').value = arguments[1];
         document.querySelector('form').submit()",
        json!([username, password]),
    );
    s.wait_for(
        "return !window.__leaving && document.readyState === 'complete'",
        Duration::from_secs(30),
    );
}

/// Signs the browser in through the login form as one of the demo's
/// accounts (`serve --demo`: admin, zhaoshang, leader).
fn sign_in_as(s: &Session<'_>, base: &str, username: &str, password: &str) {
    submit_login(s, base, username, password);
    assert_ne!(
        s.run("return location.pathname", json!([])),
        json!("/login"),
        "{username} could not sign in"
    );
}

/// A REPORTER token (for the API checks; the browser signs in as the
/// account `zhaoshang`) of the demo's 招商合作局 (which reports for 招商一局
/// and 招商二局 below it), issued by the operator.
fn clerk_token(port: u16) -> String {
    let units = gql_ok(port, OPERATOR, "{ units { id name } }", json!({}));
    let unit = units["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == "招商合作局")
        .unwrap()["id"]
        .clone();
    let issued = gql_ok(
        port,
        OPERATOR,
        "mutation($unit: ID!) { createToken(input: { name: \"招商合作局查询接口\", role: REPORTER, unitId: $unit }) { token } }",
        json!({ "unit": unit }),
    );
    issued["createToken"]["token"].as_str().unwrap().to_string()
}

/// The demo's share of `goal` carried by `unit`: its ID.
fn share_of(port: u16, goal: &str, unit: &str) -> String {
    let data = gql_ok(
        port,
        OPERATOR,
        "{ plans { allGoals { title assignments { id unit { name } } } } }",
        json!({}),
    );
    let plans = data["plans"].as_array().unwrap();
    for g in plans.iter().flat_map(|p| p["allGoals"].as_array().unwrap()) {
        if g["title"] == goal {
            for a in g["assignments"].as_array().unwrap() {
                if a["unit"]["name"] == unit {
                    return a["id"].as_str().unwrap().to_string();
                }
            }
        }
    }
    panic!("no share of {goal} for {unit}");
}

/// Sets a form field of the page as typing would (with an `input` event).
fn type_into(s: &Session<'_>, selector: &str, value: &str) {
    let found = s.run(
        "const e = document.querySelector(arguments[0]); if (!e) return false; e.focus(); e.value = arguments[1]; e.dispatchEvent(new Event('input', { bubbles: true })); return true",
        json!([selector, value]),
    );
    assert_eq!(found, json!(true), "no {selector} on the page");
}

fn click(s: &Session<'_>, selector: &str) {
    let found = s.run(
        "const e = document.querySelector(arguments[0]); if (!e) return false; e.click(); return true",
        json!([selector]),
    );
    assert_eq!(found, json!(true), "no {selector} on the page");
}

/// Text of the first element matching `selector`, or null.
fn text_of(s: &Session<'_>, selector: &str) -> Value {
    s.run(
        "const e = document.querySelector(arguments[0]); return e && e.textContent",
        json!([selector]),
    )
}

fn wait_text(s: &Session<'_>, selector: &str) -> String {
    let script = format!(
        "const e = document.querySelector({}); return e && e.textContent",
        json!(selector)
    );
    s.wait_for(&script, Duration::from_secs(20))
        .as_str()
        .unwrap()
        .to_string()
}

/// Waits until the first element matching `selector` says `expected`.
fn wait_until_text(s: &Session<'_>, selector: &str, expected: &str) {
    let script = format!(
        "const e = document.querySelector({}); return !!e && e.textContent === {}",
        json!(selector),
        json!(expected)
    );
    s.wait_for(&script, Duration::from_secs(20));
}

/// Every resource the page loaded is this server's.
fn only_this_server(s: &Session<'_>, base: &str) {
    for r in resources(s) {
        assert!(r.starts_with(&format!("{base}/")), "{r} is not this server");
    }
}

/// Whether the page's content overflows the viewport sideways.
fn scrolls_sideways(s: &Session<'_>) -> bool {
    s.run(
        "return document.documentElement.scrollWidth > window.innerWidth",
        json!([]),
    ) == json!(true)
}

/// What sticks out past the right edge (for the message of a failed
/// phone check): each element's tag, class and right edge.
fn sticking_out(s: &Session<'_>) -> Value {
    s.run(
        "const w = window.innerWidth; return [document.documentElement.scrollWidth, w, \
         [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5) \
         .slice(0, 12).map(e => e.tagName + '.' + (e.className || '') + ' ' + Math.round(e.getBoundingClientRect().right))]",
        json!([]),
    )
}

#[test]
fn a_clerk_files_on_the_phone_and_the_office_reviews() {
    if !webdriver::wanted() {
        eprintln!("browser tests skipped: set MUBIAO_BROWSER_TESTS=1 to run them");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "browser_report");
    let (_server, port) = db.serve(&["--demo", "--admin-token", OPERATOR]);
    let base = format!("http://127.0.0.1:{port}");
    let clerk = clerk_token(port);
    let signed = share_of(port, "签约项目", "招商一局");
    let invest = share_of(port, "合同引资额", "招商一局");

    let driver = Driver::start();
    let shots = webdriver::screenshot_dir();
    let s = driver.session(390, 844);
    sign_in_as(&s, &base, "zhaoshang", "mubiao-zhaoshang");

    // The clerk's page on a phone: the shares of 招商合作局 and the units below.
    s.goto(&format!("{base}/report?month=2025-10"));
    wait_ready(&s);
    assert!(
        !scrolls_sideways(&s),
        "the phone page scrolls sideways: {}",
        sticking_out(&s)
    );
    let cards = s.run(
        "return [...document.querySelectorAll('article[data-assignment]')].map(a => a.dataset.assignment)",
        json!([]),
    );
    let cards: Vec<String> = serde_json::from_value(cards).unwrap();
    assert!(
        cards.contains(&signed) && cards.contains(&invest),
        "{cards:?}"
    );
    let nav = text_of(&s, ".topbar nav").as_str().unwrap().to_string();
    assert!(nav.contains("进度填报"), "{nav}");
    assert!(!nav.contains("审核") && !nav.contains("系统管理"), "{nav}");
    s.screenshot(&shots.join("report-390.png"));

    // The share's target, last month's figure and 序时 are the API's.
    let api = gql_ok(
        port,
        &clerk,
        "query($id: ID!) { assignment(id: $id) { targetValue last: latestReport(asOf: \"2025-09-30\") { value } progress(asOf: \"2025-10-31\") { expectedPercent } } }",
        json!({ "id": signed }),
    );
    let card = format!("article[data-assignment=\"{signed}\"]");
    let expected = text_of(&s, &format!("{card} [data-testid=expected]"));
    assert_eq!(
        expected,
        json!(pct(&api["assignment"]["progress"]["expectedPercent"]))
    );
    let last = text_of(&s, &format!("{card} [data-testid=last]"))
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        last.starts_with(&format!(
            "{} ",
            api["assignment"]["last"]["value"].as_f64().unwrap()
        )),
        "{last}"
    );

    // "1,2" is no figure (a comma inside a number separates thousands):
    // refused on the page, nothing sent.
    type_into(&s, &format!("{card} input[name=value]"), "1,2");
    click(&s, &format!("{card} button[type=submit]"));
    let refused = wait_text(&s, &format!("{card} .form-message .alert"));
    assert!(refused.contains("“1,2”不是数字"), "{refused}");
    // Far above the share's target (万元 typed for 个, 亿元…): asked first.
    type_into(&s, &format!("{card} input[name=value]"), "900");
    click(&s, &format!("{card} button[type=submit]"));
    let ask = wait_text(&s, &format!("{card} .confirm:not(.hidden) p"));
    assert!(ask.contains("请核对数字和计量单位"), "{ask}");
    s.run(
        "[...document.querySelectorAll(arguments[0])].find(b => b.textContent === '返回修改').click()",
        json!([format!("{card} .confirm button")]),
    );

    // Filing 签约项目: the figure (typed full-width, as Chinese input
    // methods give it) and the three notes are stored.
    type_into(&s, &format!("{card} input[name=value]"), "９");
    type_into(
        &s,
        &format!("{card} textarea[name=note]"),
        "新签约项目1个：智能装备产业园",
    );
    type_into(
        &s,
        &format!("{card} textarea[name=problems]"),
        "土地指标尚未落实",
    );
    type_into(
        &s,
        &format!("{card} textarea[name=nextSteps]"),
        "11月推动项目供地",
    );
    s.run(
        "document.querySelector(arguments[0]).scrollIntoView()",
        json!([format!("{card} form")]),
    );
    s.screenshot(&shots.join("report-390-form.png"));
    click(&s, &format!("{card} button[type=submit]"));
    let done = wait_text(&s, &format!("{card} [data-testid=submitted]"));
    assert!(done.contains("已提交"), "{done}");
    let stored = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { assignment(id: $id) { reports { id asOf value note problems nextSteps status submittedBy } } }",
        json!({ "id": signed }),
    );
    let reports = stored["assignment"]["reports"].as_array().unwrap();
    let filed = reports.last().unwrap();
    assert_eq!(filed["asOf"], "2025-10-31");
    assert_eq!(filed["value"], json!(9.0));
    assert_eq!(filed["note"], "新签约项目1个：智能装备产业园");
    assert_eq!(filed["problems"], "土地指标尚未落实");
    assert_eq!(filed["nextSteps"], "11月推动项目供地");
    assert_eq!(filed["status"], "SUBMITTED");
    // Filed through the account's session, not a token.
    assert_eq!(filed["submittedBy"], "zhaoshang");
    s.screenshot(&shots.join("report-390-submitted.png"));

    // A cumulative figure below last month's is asked about before it goes.
    let card2 = format!("article[data-assignment=\"{invest}\"]");
    let before = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { assignment(id: $id) { reports { id } } }",
        json!({ "id": invest }),
    )["assignment"]["reports"]
        .as_array()
        .unwrap()
        .len();
    // A negative figure is not asked about: the server's refusal shows.
    type_into(&s, &format!("{card2} input[name=value]"), "-3");
    click(&s, &format!("{card2} button[type=submit]"));
    let refused = wait_text(&s, &format!("{card2} .form-message .alert"));
    assert!(refused.contains("不能为负数"), "{refused}");
    assert_eq!(
        s.run(
            "return document.querySelector(arguments[0]).classList.contains('hidden')",
            json!([format!("{card2} .confirm")])
        ),
        json!(true),
        "a negative figure was asked about"
    );
    type_into(&s, &format!("{card2} input[name=value]"), "5");
    type_into(
        &s,
        &format!("{card2} textarea[name=note]"),
        "核减一个重复统计的项目",
    );
    click(&s, &format!("{card2} button[type=submit]"));
    let ask = wait_text(&s, &format!("{card2} .confirm:not(.hidden) p"));
    assert!(ask.contains("低于上次填报"), "{ask}");
    s.run(
        "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' })",
        json!([format!("{card2} .confirm")]),
    );
    s.screenshot(&shots.join("report-390-confirm.png"));
    let after_ask = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { assignment(id: $id) { reports { id } } }",
        json!({ "id": invest }),
    );
    assert_eq!(
        after_ask["assignment"]["reports"].as_array().unwrap().len(),
        before,
        "sent before it was confirmed"
    );
    click(&s, &format!("{card2} [data-action=confirm]"));
    wait_text(&s, &format!("{card2} [data-testid=submitted]"));
    // …and corrected at once to 7: the 5 is then marked on /review.
    type_into(&s, &format!("{card2} input[name=value]"), "7");
    click(&s, &format!("{card2} button[type=submit]"));
    s.wait_for(
        &format!(
            "const e = document.querySelector({}); return e && e.textContent.includes('7 亿元') && e.textContent",
            json!(format!("{card2} [data-testid=submitted]"))
        ),
        Duration::from_secs(20),
    );
    let invest_reports = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { assignment(id: $id) { reports { id value } } }",
        json!({ "id": invest }),
    )["assignment"]["reports"]
        .as_array()
        .unwrap()
        .clone();
    let corrected = invest_reports[invest_reports.len() - 2].clone();
    assert_eq!(corrected["value"], json!(5.0));
    let corrected = corrected["id"].as_str().unwrap().to_string();

    // The office returns the 签约项目 report with a reason (on /review, as
    // an ADMIN, ticking it and one more; the other is approved first).
    let office = driver.session(1366, 768);
    sign_in_as(&office, &base, "admin", "mubiao-admin");
    office.goto(&format!("{base}/review"));
    wait_ready(&office);
    let filed_id = filed["id"].as_str().unwrap().to_string();
    let rows = office.run(
        "return [...document.querySelectorAll('tr[data-report]')].map(r => r.dataset.report)",
        json!([]),
    );
    let rows: Vec<String> = serde_json::from_value(rows).unwrap();
    assert!(rows.contains(&filed_id), "{rows:?}");
    let queue = gql_ok(
        port,
        OPERATOR,
        "{ reviewQueue { report { id } } }",
        json!({}),
    );
    assert_eq!(
        rows.len(),
        queue["reviewQueue"].as_array().unwrap().len(),
        "the page lists the API's queue"
    );
    assert_eq!(
        text_of(
            &office,
            &format!("tr[data-report=\"{corrected}\"] [data-testid=superseded]")
        ),
        json!("已被更正为 7 亿元，请退回")
    );
    office.screenshot(&shots.join("review-1366.png"));
    // Approve the two oldest at once.
    let (first, second) = (rows[0].clone(), rows[1].clone());
    click(&office, &format!("#r-{first}"));
    click(&office, &format!("#r-{second}"));
    assert_eq!(text_of(&office, "#selected-count"), json!("已选 2 项"));
    click(&office, "#approve");
    let done = wait_text(&office, "[data-testid=review-done]");
    assert_eq!(done, "已通过 2 份填报。");
    for id in [&first, &second] {
        assert!(
            office
                .run(
                    "return !document.querySelector(`tr[data-report=\"${arguments[0]}\"]`)",
                    json!([id])
                )
                .as_bool()
                .unwrap(),
            "{id} is still in the queue"
        );
    }
    // Returning without a reason is refused by the page; with one it goes.
    click(&office, &format!("#r-{filed_id}"));
    click(&office, "#return");
    let refused = wait_text(&office, ".form-message .alert");
    assert!(refused.contains("原因"), "{refused}");
    type_into(
        &office,
        "#reason",
        "签约项目数与招商台账不一致，请核实后重报",
    );
    click(&office, "#return");
    wait_until_text(&office, "[data-testid=review-done]", "已退回 1 份填报。");
    office.screenshot(&shots.join("review-1366-done.png"));
    only_this_server(&office, &base);
    let statuses = gql_ok(
        port,
        OPERATOR,
        "query($a: ID!) { assignment(id: $a) { reports { id status reviewReason } } }",
        json!({ "a": signed }),
    );
    let returned = statuses["assignment"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == json!(filed_id))
        .unwrap()
        .clone();
    assert_eq!(returned["status"], "RETURNED");

    // The clerk sees the return and its reason, and files again.
    s.goto(&format!("{base}/report?month=2025-10"));
    wait_ready(&s);
    let reason = text_of(&s, &format!("{card} [data-testid=return-reason]"));
    assert_eq!(reason, json!("签约项目数与招商台账不一致，请核实后重报"));
    let shown_value = s.run(
        "return document.querySelector(arguments[0]).value",
        json!([format!("{card} input[name=value]")]),
    );
    assert_eq!(
        shown_value,
        json!("9"),
        "the returned figure is there to correct"
    );
    s.run(
        "document.querySelector(arguments[0]).scrollIntoView()",
        json!([card.clone()]),
    );
    s.screenshot(&shots.join("report-390-returned.png"));
    type_into(&s, &format!("{card} input[name=value]"), "8");
    click(&s, &format!("{card} button[type=submit]"));
    wait_text(&s, &format!("{card} [data-testid=submitted]"));
    let again = gql_ok(
        port,
        OPERATOR,
        "query($a: ID!) { assignment(id: $a) { reports { value status } } }",
        json!({ "a": signed }),
    );
    let last = again["assignment"]["reports"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last, json!({ "value": 8.0, "status": "SUBMITTED" }));
    only_this_server(&s, &base);

    // The same page on a desktop.
    s.viewport(1366, 768);
    s.goto(&format!("{base}/report?month=2025-10"));
    wait_ready(&s);
    s.screenshot(&shots.join("report-1366.png"));
    eprintln!("screenshots in {}", shots.display());
}

#[test]
fn the_import_page_shows_a_sheets_problems_and_viewers_see_no_writes() {
    if !webdriver::wanted() {
        eprintln!("browser tests skipped: set MUBIAO_BROWSER_TESTS=1 to run them");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "browser_import");
    let (_server, port) = db.serve(&["--demo", "--admin-token", OPERATOR]);
    let base = format!("http://127.0.0.1:{port}");
    let driver = Driver::start();
    let shots = webdriver::screenshot_dir();
    let s = driver.session(1366, 768);
    sign_in_as(&s, &base, "admin", "mubiao-admin");

    // A bad sheet: a unit that does not exist and a target that is no number.
    s.goto(&format!("{base}/import"));
    wait_ready(&s);
    let bad = "序号,目标任务,目标值,计量单位,牵头单位,完成时限\n\
               1,签约项目,十个,个,不存在的局,2026-12-31\n\
               2,固定资产投资,30,亿元,经济发展局,2026-12-31\n";
    let put = s.run(
        "const dt = new DataTransfer(); dt.items.add(new File([arguments[0]], 'bad.csv', { type: 'text/csv' })); \
         const input = document.getElementById('sheet-file'); input.files = dt.files; \
         input.dispatchEvent(new Event('input', { bubbles: true })); return input.files.length",
        json!([bad]),
    );
    assert_eq!(put, json!(1));
    type_into(&s, "#year", "2026");
    click(&s, "#dry-run");
    s.wait_for(
        "return document.querySelector('[data-testid=problems]') || (document.querySelector('#import-result .alert') || {}).textContent",
        Duration::from_secs(30),
    );
    let problems = s.run(
        "return [...document.querySelectorAll('[data-testid=problems] li')].map(li => li.textContent)",
        json!([]),
    );
    let problems: Vec<String> = serde_json::from_value(problems).unwrap();
    assert!(!problems.is_empty(), "no problems shown");
    // Each problem names its cell, as the API does.
    let api = {
        let ops = json!({
            "query": "mutation($input: ImportPlanInput!) { importPlan(input: $input) { goalCount } }",
            "variables": { "input": { "file": null, "year": 2026, "dryRun": true, "createUnknownUnits": false } }
        });
        let boundary = "----mubiaoBoundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{ops}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\":[\"variables.input.file\"]}}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"bad.csv\"\r\nContent-Type: text/csv\r\n\r\n{bad}\r\n\
             --{boundary}--\r\n"
        );
        let head = format!(
            "POST /graphql HTTP/1.1\r\nAuthorization: Bearer {OPERATOR}\r\nAccept-Language: zh-CN\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        );
        let (status, text) = common::binary::exchange(port, &head, body.as_bytes()).unwrap();
        assert_eq!(status, 200, "{text}");
        serde_json::from_str::<Value>(&text).unwrap()
    };
    let listed = api["errors"][0]["extensions"]["problems"]
        .as_array()
        .unwrap();
    assert_eq!(listed.len(), problems.len(), "{problems:?} / {listed:?}");
    for (p, shown) in listed.iter().zip(&problems) {
        let cell = match (p["cell"].as_str(), p["column"].as_str()) {
            (Some(cell), _) => cell.to_string(),
            (None, Some(c)) => format!("{c}{}", p["row"]),
            (None, None) => format!("第 {} 行", p["row"]),
        };
        assert!(shown.starts_with(&cell), "{shown} does not name {cell}");
        if p["code"] == "UNKNOWN_UNIT" {
            // The API names its argument; the page names its checkbox.
            assert!(shown.contains("没有名为“不存在的局”的单位"), "{shown}");
            assert!(
                shown.contains("勾选“表中有系统里没有的责任单位时，自动新建”"),
                "{shown}"
            );
            assert!(!shown.contains("createUnknownUnits"), "{shown}");
        } else {
            assert!(
                shown.contains(p["message"].as_str().unwrap()),
                "{shown} / {p}"
            );
        }
    }
    // One headline, the server's sentence, not two near-identical ones.
    assert_eq!(
        s.run(
            "return [document.getElementById('h-problems').textContent, document.querySelectorAll('#import-result .alert').length]",
            json!([])
        ),
        json!([format!("表格中有 {} 处需要修改，未导入任何内容", problems.len()), 0])
    );
    assert!(
        problems.iter().any(|p| p.contains("“十”不是数字")),
        "{problems:?}"
    );
    assert_eq!(
        s.run(
            "return document.getElementById('import-now').disabled",
            json!([])
        ),
        json!(true),
        "a sheet with problems cannot be imported"
    );
    s.screenshot(&shots.join("import-problems-1366.png"));

    // A good sheet: the dry run shows the tree, then it is imported.
    let good = "序号,目标任务,目标值,计量单位,牵头单位,完成时限,分值\n\
                一,经济发展,,,,,30\n\
                1,固定资产投资,30,亿元,经济发展局,2026-12-31,20\n\
                2,新增规模工业企业,6,家,经济发展局,2026-12-31,10\n";
    s.run(
        "const dt = new DataTransfer(); dt.items.add(new File([arguments[0]], 'good.csv', { type: 'text/csv' })); \
         const input = document.getElementById('sheet-file'); input.files = dt.files; \
         input.dispatchEvent(new Event('input', { bubbles: true }));",
        json!([good]),
    );
    click(&s, "#dry-run");
    s.wait_for(
        "return document.querySelector('[data-testid=import-result]') || (document.querySelector('#import-result .alert') || {}).textContent",
        Duration::from_secs(30),
    );
    let tree = s.run(
        "return [...document.querySelectorAll('#import-tree tbody tr')].length",
        json!([]),
    );
    assert_eq!(tree, json!(3), "{}", text_of(&s, "#import-result"));
    s.screenshot(&shots.join("import-dry-run-1366.png"));
    click(&s, "#import-now");
    let done = wait_text(&s, "[data-testid=import-result] h2");
    assert_eq!(done, "导入完成");
    let plans = gql_ok(port, OPERATOR, "{ plans { name year state } }", json!({}));
    assert!(
        plans["plans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["year"] == 2026 && p["state"] == "DRAFT"),
        "{plans}"
    );
    s.screenshot(&shots.join("import-done-1366.png"));
    only_this_server(&s, &base);

    // 系统管理: a token's secret is shown once.
    s.goto(&format!("{base}/admin"));
    wait_ready(&s);
    type_into(&s, "#t-name", "大屏展示二");
    click(&s, "#tokens-section button[type=submit]");
    let secret = wait_text(&s, "[data-testid=secret]");
    let me = gql_with(port, &secret, "{ me { role } }", json!({}));
    assert_eq!(me["data"]["me"]["role"], "VIEWER", "{me}");
    s.screenshot(&shots.join("admin-1366.png"));
    // A unit made here can at once be chosen for an account, no reload.
    type_into(&s, "#unit-name", "科技创新局");
    click(&s, "#units-section form button[type=submit]");
    let made = wait_text(&s, "#units-section .form-message .notice");
    assert!(made.contains("科技创新局"), "{made}");
    assert_eq!(
        s.run(
            "return [...document.querySelectorAll('#u-unit option')].some(o => o.textContent === '科技创新局')",
            json!([])
        ),
        json!(true),
        "the account form does not offer the new unit"
    );
    // An account disabled (the button asks once more) and enabled again.
    let press = |action: &str| {
        s.run(
            "const row = [...document.querySelectorAll('#users-section tbody tr')].find(r => r.cells[0].textContent === 'zhaoshang');              row.querySelector(`[data-action=${arguments[0]}]`).click()",
            json!([action]),
        );
    };
    press("disable");
    press("disable");
    let said = wait_text(&s, "#users-section .form-message .notice");
    assert!(said.starts_with("已停用 zhaoshang"), "{said}");
    press("enable");
    s.wait_for(
        "const n = document.querySelector('#users-section .form-message .notice'); return n && n.textContent.startsWith('已重新启用') && n.textContent",
        Duration::from_secs(10),
    );
    assert_eq!(
        gql_ok(port, OPERATOR, "{ users { username disabled } }", json!({}))["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == "zhaoshang")
            .unwrap()["disabled"],
        json!(false)
    );
    // 科技创新局 was made at the top: next year's import asks which park
    // owns the plan, and with the park chosen on the page it is checked.
    s.goto(&format!("{base}/import"));
    wait_ready(&s);
    s.run(
        "document.getElementById('year').value = '2027';          const dt = new DataTransfer(); dt.items.add(new File([arguments[0]], 'good.csv', { type: 'text/csv' }));          const input = document.getElementById('sheet-file'); input.files = dt.files;          input.dispatchEvent(new Event('input', { bubbles: true }));",
        json!([good.replace("2026-", "2027-")]),
    );
    click(&s, "#dry-run");
    let asked = wait_text(&s, "#import-result .alert");
    assert!(asked.ends_with("请在“所属园区”中选择其中一个"), "{asked}");
    s.run(
        "const o = [...document.querySelectorAll('#owner option')].find(o => o.textContent === '洞庭产业开发区管委会');          document.getElementById('owner').value = o.value;          document.getElementById('owner').dispatchEvent(new Event('input', { bubbles: true }))",
        json!([]),
    );
    click(&s, "#dry-run");
    s.wait_for(
        "return document.querySelector('[data-testid=import-result]')",
        Duration::from_secs(30),
    );
    s.screenshot(&shots.join("import-owner-1366.png"));
    // …and the unit made at the top by mistake is archived on /admin.
    s.goto(&format!("{base}/admin"));
    wait_ready(&s);
    for _ in 0..2 {
        s.run(
            "const row = [...document.querySelectorAll('#units-section tbody tr')].find(r => r.cells[0].textContent === '科技创新局'); \
             row.querySelector('[data-action=archive]').click()",
            json!([]),
        );
    }
    let said = wait_text(&s, "#units-section .form-message .notice");
    assert_eq!(said, "已归档“科技创新局”。");
    only_this_server(&s, &base);

    // A VIEWER: no write actions on any page, and a write tried anyway is
    // refused by the server and told in Chinese.
    let viewer = driver.session(1366, 768);
    sign_in_as(&viewer, &base, "leader", "mubiao-leader");
    viewer.goto(&format!("{base}/dashboard"));
    wait_ready(&viewer);
    let nav = text_of(&viewer, ".topbar nav")
        .as_str()
        .unwrap()
        .to_string();
    for page in ["进度填报", "审核", "导入分解表", "系统管理"] {
        assert!(!nav.contains(page), "a VIEWER is offered {page}: {nav}");
    }
    let writes = "return document.querySelectorAll('form.report-form, #approve, #return, #import-form, .milestone-form, [data-action], #tokens-section form, #units-section form, #users-section form').length";
    for page in [
        "/report?unit=2&month=2025-10",
        "/review",
        "/import",
        "/admin",
    ] {
        viewer.goto(&format!("{base}{page}"));
        wait_ready(&viewer);
        assert_eq!(
            viewer.run(writes, json!([])),
            json!(0),
            "{page} offers a write"
        );
        only_this_server(&viewer, &base);
    }
    // 系统管理 is the target office's: a VIEWER is told so, and shown
    // neither units nor accounts nor tokens.
    viewer.goto(&format!("{base}/admin"));
    wait_ready(&viewer);
    assert_eq!(
        viewer.run(
            "return [document.querySelector('main [data-testid=admin-only]').textContent, document.querySelectorAll('main table').length]",
            json!([])
        ),
        json!(["系统管理仅供目标办（管理员）使用。", 0])
    );
    viewer.goto(&format!("{base}/report?unit=2&month=2025-10"));
    wait_ready(&viewer);
    viewer.screenshot(&shots.join("report-viewer-1366.png"));
    let signed = share_of(port, "签约项目", "招商一局");
    viewer.run(
        "const src = document.querySelector('script[type=module]').src.replace(/pages\\/[^/]+$/, 'api.js'); \
         import(src).then(api => api.gql('mutation($id: ID!) { submitReport(input: { assignmentId: $id, asOf: \"2025-10-31\", value: 1 }) { id } }', { id: arguments[0] })) \
           .then(() => { window.__refused = 'accepted'; }, e => { window.__refused = e.code + ' ' + e.message; });",
        json!([signed]),
    );
    let refused = viewer.wait_for("return window.__refused", Duration::from_secs(10));
    assert_eq!(refused, json!("FORBIDDEN 您没有权限查看或执行此操作。"));
    viewer.goto(&format!("{base}/review"));
    wait_ready(&viewer);
    let said = text_of(&viewer, "main .alert");
    assert_eq!(said, json!("您没有权限查看或执行此操作。"));
    viewer.screenshot(&shots.join("review-viewer-1366.png"));
}

/// In the browser: five wrong passwords lock the account (the page says so,
/// and the right password is then refused too), and a signed-in page's
/// POST without the `X-Requested-With` header (what a forged cross-site
/// request would lack) is refused with CSRF_REFUSED and changes nothing.
#[test]
fn a_locked_account_and_the_csrf_refusal() {
    if !webdriver::wanted() {
        eprintln!("browser tests skipped: set MUBIAO_BROWSER_TESTS=1 to run them");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "browser_lock");
    let (_server, port) = db.serve(&["--demo", "--admin-token", OPERATOR]);
    let base = format!("http://127.0.0.1:{port}");
    let driver = Driver::start();
    let shots = webdriver::screenshot_dir();
    let s = driver.session(1366, 768);

    let shown_error = |s: &Session<'_>| {
        s.wait_for(
            "const e = document.getElementById('login-error'); return location.pathname === '/login' && e && !e.classList.contains('hidden') && e.textContent",
            Duration::from_secs(10),
        )
    };
    for _ in 0..5 {
        submit_login(&s, &base, "zhaoshang", "not-the-password");
        assert_eq!(shown_error(&s), json!("用户名或密码不正确"));
    }
    submit_login(&s, &base, "zhaoshang", "mubiao-zhaoshang");
    assert_eq!(shown_error(&s), json!("登录失败次数过多，账号已锁定15分钟"));
    s.screenshot(&shots.join("login-locked-1366.png"));

    // Another account signs in; its page's own requests work, a POST
    // without the header does not.
    sign_in_as(&s, &base, "admin", "mubiao-admin");
    wait_ready(&s);
    s.run(
        "window.__csrf = null;
         fetch('/graphql', { method: 'POST', credentials: 'same-origin',
             headers: { 'Content-Type': 'application/json' },
             body: JSON.stringify({ query: 'mutation { createUnit(input: { name: \"伪造单位\" }) { id } }' }) })
           .then(async (r) => { window.__csrf = { status: r.status, body: await r.json() }; });",
        json!([]),
    );
    let refused = s.wait_for("return window.__csrf", Duration::from_secs(10));
    assert_eq!(refused["status"], 403, "{refused}");
    assert_eq!(
        refused["body"]["errors"][0]["extensions"]["code"], "CSRF_REFUSED",
        "{refused}"
    );
    let units = gql_ok(port, OPERATOR, "{ units { name } }", json!({}));
    assert!(
        !units["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["name"] == "伪造单位"),
        "nothing was created"
    );
    only_this_server(&s, &base);
}

/// 督查督办 on the page: the demo's clerk opens its item, feeds back with
/// a scanned contract attached (uploaded, cited, listed with its link);
/// the target office passes a problem's recheck. The API agrees.
#[test]
fn the_supervision_page_carries_feedback_with_its_evidence() {
    if !webdriver::wanted() {
        eprintln!("browser tests skipped: set MUBIAO_BROWSER_TESTS=1 to run them");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "browser_supervision");
    let (_server, port) = db.serve(&["--demo", "--admin-token", OPERATOR]);
    let base = format!("http://127.0.0.1:{port}");
    let listed = gql_ok(
        port,
        OPERATOR,
        "{ supervisionItems { id title } problems { id title state } }",
        json!({}),
    );
    let id_of = |list: &str, title: &str| -> String {
        listed[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"] == title)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let item = id_of("supervisionItems", "加快浩源冷链项目签约落地");
    let problem = id_of("problems", "消防通道堆放杂物");

    let driver = Driver::start();
    let shots = webdriver::screenshot_dir();
    let s = driver.session(1366, 900);
    sign_in_as(&s, &base, "zhaoshang", "mubiao-zhaoshang");
    s.goto(&format!("{base}/supervision"));
    wait_ready(&s);
    let nav = text_of(&s, ".topbar nav").as_str().unwrap().to_string();
    assert!(nav.contains("督查督办"), "{nav}");
    let rows = text_of(&s, "main table tbody")
        .as_str()
        .unwrap()
        .to_string();
    // A unit's clerk sees the items its units lead or support.
    assert!(rows.contains("加快浩源冷链项目签约落地"), "{rows}");
    assert!(!rows.contains("闲置土地处置攻坚"), "{rows}");
    s.screenshot(&shots.join("supervision-list-1366.png"));

    s.goto(&format!("{base}/supervision?item={item}"));
    wait_ready(&s);
    let detail = wait_text(&s, "#item-detail");
    assert!(
        detail.contains("办理过程") && detail.contains("10月27日完成合同签订"),
        "{detail}"
    );
    type_into(
        &s,
        "#feedback-text",
        "已取得浩源冷链项目投资合同扫描件，项目备案材料已报送。",
    );
    // The file a clerk chooses: a scanned contract.
    s.run(
        "const t = new DataTransfer();
         t.items.add(new File(['%PDF-1.4\\n% 浩源冷链项目投资合同\\n%%EOF\\n'], '签约合同.pdf', { type: 'application/pdf' }));
         document.getElementById('feedback-files').files = t.files;",
        json!([]),
    );
    click(&s, "#feedback-go");
    let said = wait_text(&s, "#result .notice");
    assert_eq!(said, "已反馈，附 1 个佐证材料。");
    wait_ready(&s);
    let link = wait_text(&s, "#item-detail .history li:last-child .files a");
    assert_eq!(link, "签约合同.pdf");
    s.screenshot(&shots.join("supervision-item-1366.png"));

    let api = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { supervisionItem(id: $id) { state events { kind content attachments { id name url } } } }",
        json!({ "id": item }),
    );
    let last = api["supervisionItem"]["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "FEEDBACK");
    assert_eq!(
        last["content"],
        "已取得浩源冷链项目投资合同扫描件，项目备案材料已报送。"
    );
    assert_eq!(last["attachments"][0]["name"], "签约合同.pdf");
    let url = last["attachments"][0]["url"].as_str().unwrap();
    let (status, body) = http(port, "GET", url, None, Some(OPERATOR)).unwrap();
    assert_eq!(status, 200);
    assert!(body.starts_with("%PDF-1.4"), "{body}");
    only_this_server(&s, &base);

    // A page renamed .pdf is refused next to the button, in view; the good
    // file sent with it is discarded and no feedback is filed.
    type_into(&s, "#feedback-text", "补充现场照片");
    s.run(
        "const t = new DataTransfer();
         t.items.add(new File(['%PDF-1.4\\n%%EOF\\n'], '现场.pdf', { type: 'application/pdf' }));
         t.items.add(new File(['<html><script>alert(1)</script></html>'], '伪装.pdf', { type: 'application/pdf' }));
         document.getElementById('feedback-files').files = t.files;",
        json!([]),
    );
    click(&s, "#feedback-go");
    let refused = wait_text(&s, "#feedback-message .alert");
    assert!(refused.contains("不是可接受的佐证材料"), "{refused}");
    let in_view = s.run(
        "const r = document.querySelector('#feedback-message .alert').getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight",
        json!([]),
    );
    assert_eq!(in_view, json!(true), "the refusal is where the clerk looks");
    let events = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { supervisionItem(id: $id) { events { kind } attachments { name } } }",
        json!({ "id": item }),
    );
    assert_eq!(
        events["supervisionItem"]["attachments"],
        json!([{ "name": "签约合同.pdf" }])
    );

    // More time, asked on the page; the office approves it there.
    s.goto(&format!("{base}/supervision?item={item}"));
    wait_ready(&s);
    type_into(&s, "#extend-date", "2026-12-31");
    type_into(
        &s,
        "#extend-text",
        "客商总部审批流程延长，备案材料12月中旬报齐",
    );
    click(&s, "#extend-go");
    assert_eq!(
        wait_text(&s, "#result .notice"),
        "已申请延期至 2026年12月31日，等待目标办决定。"
    );

    // The target office, on the 台账: the recheck passes, the problem closes.
    let office = driver.session(1366, 900);
    sign_in_as(&office, &base, "admin", "mubiao-admin");
    office.goto(&format!("{base}/supervision?item={item}"));
    wait_ready(&office);
    let waiting = wait_text(&office, "[data-testid=extension-waiting]");
    assert!(waiting.contains("2026年12月31日"), "{waiting}");
    // The office's steps only: no 反馈 form for the target office.
    assert_eq!(text_of(&office, "#feedback-text"), Value::Null);
    click(&office, "#approve-extension");
    assert_eq!(
        wait_text(&office, "#result .notice"),
        "已批准延期至 2026年12月31日。"
    );
    let extended = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { supervisionItem(id: $id) { deadline deadlineInForce } }",
        json!({ "id": item }),
    );
    assert_eq!(extended["supervisionItem"]["deadlineInForce"], "2026-12-31");
    assert_eq!(extended["supervisionItem"]["deadline"], "2025-11-30");
    office.goto(&format!(
        "{base}/supervision?tab=problems&problem={problem}"
    ));
    wait_ready(&office);
    let detail = wait_text(&office, "#problem-detail");
    assert!(
        detail.contains("待复查") && detail.contains("杂物已清理完毕"),
        "{detail}"
    );
    office.screenshot(&shots.join("supervision-problem-1366.png"));
    click(&office, "#pass");
    assert_eq!(wait_text(&office, "#result .notice"), "复查通过，已销号。");
    let state = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!) { problem(id: $id) { state } }",
        json!({ "id": problem }),
    );
    assert_eq!(state["problem"]["state"], "CLOSED");

    // The office imports a 问题清单 from the page: previewed, then recorded.
    let sheet = {
        let mut book = rust_xlsxwriter::Workbook::new();
        let list = book.add_worksheet();
        for (c, h) in [
            "序号",
            "存在问题",
            "企业名称",
            "整改责任单位",
            "发现时间",
            "整改时限",
        ]
        .iter()
        .enumerate()
        {
            list.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in [
            "1",
            "配电房未配备绝缘垫",
            "洞庭精密制造有限公司",
            "安全环保局",
            "2025年11月20日",
            "12月底前",
        ]
        .iter()
        .enumerate()
        {
            list.write_string(1, c as u16, *v).unwrap();
        }
        book.save_to_buffer().unwrap()
    };
    office.goto(&format!("{base}/supervision?tab=problems"));
    wait_ready(&office);
    office.run(
        "const t = new DataTransfer();
         t.items.add(new File([new Uint8Array(arguments[0])], '隐患问题清单.xlsx'));
         document.getElementById('problem-list').files = t.files;",
        json!([sheet]),
    );
    click(&office, "#problem-list-check");
    let said = wait_text(&office, "[data-testid=preview-said]");
    assert!(said.starts_with("可以导入 1 个问题"), "{said}");
    let preview = text_of(&office, "#problem-list-result table")
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        preview.contains("整改时限“12月底前”按 2025-12-31 登记"),
        "{preview}"
    );
    office.screenshot(&shots.join("supervision-import-1366.png"));
    click(&office, "#problem-list-import");
    assert_eq!(wait_text(&office, "#result .notice"), "已导入 1 个问题。");
    let listed = gql_ok(port, OPERATOR, "{ problems { title } }", json!({}));
    assert!(
        listed["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["title"] == "配电房未配备绝缘垫"),
        "{listed}"
    );

    // A phone: the list reads without scrolling sideways.
    let phone = driver.session(390, 844);
    sign_in_as(&phone, &base, "zhaoshang", "mubiao-zhaoshang");
    phone.goto(&format!("{base}/supervision?item={item}"));
    wait_ready(&phone);
    phone.screenshot(&shots.join("supervision-item-390.png"));
    assert!(
        !scrolls_sideways(&phone),
        "the phone page scrolls sideways: {}",
        sticking_out(&phone)
    );
}

// ---- Live: the dashboard, the 大屏 and 通知 follow the server ----

/// Waits until the 通知 button says `n` are unread (its `data-unread`,
/// set from the API's count).
fn wait_unread(s: &Session<'_>, n: u64) {
    s.wait_for(
        &format!(
            "const b = document.querySelector('[data-testid=bell]'); return !!b && b.dataset.unread === '{n}'"
        ),
        Duration::from_secs(20),
    );
}

/// Waits until the page's live socket is up with at least `n` subscriptions.
fn wait_live(s: &Session<'_>, n: u32) {
    s.wait_for(
        &format!(
            "const d = document.documentElement.dataset; return d.live === 'connected' && Number(d.liveSubscriptions) >= {n}"
        ),
        Duration::from_secs(20),
    );
}

/// The overall completion of the plan as of `AS_OF`, as the page shows it.
fn completion_now(port: u16, plan: &str) -> String {
    let api = gql_ok(
        port,
        OPERATOR,
        "query($id: ID!, $asOf: Date) { plan(id: $id) { progress(asOf: $asOf) { completionPercent } } }",
        json!({ "id": plan, "asOf": AS_OF }),
    );
    pct(&api["plan"]["progress"]["completionPercent"])
}

#[test]
fn the_dashboard_and_the_notifications_follow_the_server_live() {
    if !webdriver::wanted() {
        eprintln!("browser tests skipped: set MUBIAO_BROWSER_TESTS=1 to run them");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "browser_live");
    let (_server, port) = db.serve(&["--demo", "--admin-token", OPERATOR]);
    let base = format!("http://127.0.0.1:{port}");
    let clerk = clerk_token(port);
    let signed = share_of(port, "签约项目", "招商一局");
    let plan = gql_ok(port, OPERATOR, "{ plans { id } }", json!({}))["plans"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let file = |value: f64| -> String {
        let filed = gql_ok(
            port,
            &clerk,
            "mutation($id: ID!, $v: Float!) { submitReport(input: { assignmentId: $id, asOf: \"2025-10-31\", value: $v }) { id } }",
            json!({ "id": signed, "v": value }),
        );
        filed["submitReport"]["id"].as_str().unwrap().to_string()
    };
    let give_back = |report: &str, reason: &str| {
        gql_ok(
            port,
            OPERATOR,
            "mutation($id: ID!, $reason: String!) { returnReport(input: { reportId: $id, reason: $reason }) { status } }",
            json!({ "id": report, "reason": reason }),
        );
    };

    let driver = Driver::start();
    let shots = webdriver::screenshot_dir();
    // The clerk of 招商合作局 on the dashboard, scrolled down a little…
    let s = driver.session(1366, 768);
    sign_in_as(&s, &base, "zhaoshang", "mubiao-zhaoshang");
    let dashboard = format!("{base}/dashboard?plan={plan}&asOf={AS_OF}");
    s.goto(&dashboard);
    wait_ready(&s);
    // notificationAdded and planChanged.
    wait_live(&s, 2);
    let unread =
        gql_ok(port, &clerk, "{ unreadNotificationCount }", json!({}))["unreadNotificationCount"]
            .as_u64()
            .unwrap();
    wait_unread(&s, unread);
    let badge = text_of(&s, "[data-testid=unread-count]");
    assert_eq!(badge, json!(unread.to_string()));
    s.run(
        "window.scrollTo(0, 240); window.__samePage = 'yes'",
        json!([]),
    );
    let scrolled = s.run("return window.scrollY", json!([]));
    assert!(
        scrolled.as_f64().unwrap() > 0.0,
        "the dashboard does not scroll"
    );
    // …and a leader's 大屏 of the same plan.
    let screen = driver.session(1920, 1080);
    sign_in_as(&screen, &base, "leader", "mubiao-leader");
    screen.goto(&format!("{dashboard}&screen=1"));
    wait_ready(&screen);
    wait_live(&screen, 1);
    screen.run("window.__samePage = 'yes'", json!([]));
    assert_eq!(
        screen.run(
            "return document.documentElement.dataset.liveSubscriptions",
            json!([])
        ),
        json!("1"),
        "the 大屏 has no 通知 to follow"
    );

    // A report filed through the API: both pages show the new figure,
    // without a reload, the dashboard still where it was scrolled to.
    let before = completion_now(port, &plan);
    assert_eq!(shown(&s, "completion"), before);
    let report = file(10.0);
    let after = completion_now(port, &plan);
    assert_ne!(before, after, "the report does not move the headline");
    for page in [&s, &screen] {
        page.wait_for(
            &format!(
                "const e = document.querySelector('[data-testid=completion]'); return !!e && e.textContent === {}",
                json!(after)
            ),
            Duration::from_secs(20),
        );
        assert_eq!(
            page.run("return window.__samePage", json!([])),
            json!("yes"),
            "the page was reloaded"
        );
        assert!(
            page.run("return Number(document.body.dataset.refreshes)", json!([]))
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    assert_eq!(s.run("return window.scrollY", json!([])), scrolled);
    // The charts were drawn again.
    let drawn = s.run(
        "return ['trend-chart', 'lights-chart'].map(id => document.querySelectorAll(`#${id} svg path`).length)",
        json!([]),
    );
    assert!(
        drawn
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n.as_u64().unwrap() > 0),
        "{drawn}"
    );
    s.screenshot(&shots.join("dashboard-live-1366.png"));
    screen.screenshot(&shots.join("screen-live-1920.png"));

    // The office returns it: the clerk's badge counts one more, live.
    give_back(&report, "签约项目数与招商台账不一致");
    wait_unread(&s, unread + 1);
    assert_eq!(
        text_of(&s, "[data-testid=unread-count]"),
        json!((unread + 1).to_string())
    );
    // Returned, it no longer counts: the figure goes back.
    wait_until_text(&s, "[data-testid=completion]", &before);
    assert_eq!(s.run("return window.__samePage", json!([])), json!("yes"));

    // The panel: newest first, unread marked (not by colour alone), linked
    // to the goal.
    click(&s, "[data-testid=bell]");
    s.wait_for(
        "return document.querySelector('[data-testid=notifications]').dataset.loaded",
        Duration::from_secs(20),
    );
    let first = s.run(
        "const li = document.querySelector('.notif-list > li'); return { title: li.querySelector('.notif-title').textContent, unread: li.classList.contains('unread'), href: (li.querySelector('a') || {}).pathname || null, body: li.querySelector('.notif-body').textContent }",
        json!([]),
    );
    let title = first["title"].as_str().unwrap();
    assert!(
        title.starts_with("未读") && title.contains("【填报退回】签约项目（招商一局"),
        "{first}"
    );
    assert_eq!(first["unread"], json!(true));
    assert!(
        first["body"]
            .as_str()
            .unwrap()
            .contains("签约项目数与招商台账不一致"),
        "{first}"
    );
    assert!(
        first["href"].as_str().unwrap().starts_with("/goals/"),
        "{first}"
    );
    assert_eq!(
        text_of(&s, "[data-testid=notif-unread]"),
        json!(format!("{} 条未读", unread + 1))
    );
    s.screenshot(&shots.join("notifications-1366.png"));
    // 全部标为已读: the badge goes, and stays gone on the next page.
    click(&s, "[data-notif=read-all]");
    s.wait_for(
        "return document.querySelector('[data-testid=bell]').dataset.unread === '0' && !document.querySelector('.notif.unread')",
        Duration::from_secs(20),
    );
    assert_eq!(
        s.run(
            "return document.querySelector('[data-testid=unread-count]').hidden",
            json!([])
        ),
        json!(true)
    );
    s.screenshot(&shots.join("notifications-1366-read.png"));
    s.goto(&format!("{base}/report?month=2025-10"));
    wait_ready(&s);
    wait_unread(&s, 0);
    only_this_server(&s, &base);

    // On a phone: a new notification shows on the badge, and the panel
    // fits the screen.
    let phone = driver.session(390, 844);
    sign_in_as(&phone, &base, "zhaoshang", "mubiao-zhaoshang");
    phone.goto(&dashboard);
    wait_ready(&phone);
    wait_live(&phone, 2);
    wait_unread(&phone, 0);
    let again = file(10.0);
    give_back(&again, "请附上签约合同");
    wait_unread(&phone, 1);
    assert!(
        !scrolls_sideways(&phone),
        "the phone page scrolls sideways: {}",
        sticking_out(&phone)
    );
    phone.screenshot(&shots.join("dashboard-live-390.png"));
    click(&phone, "[data-testid=bell]");
    phone.wait_for(
        "return document.querySelector('[data-testid=notifications]').dataset.loaded",
        Duration::from_secs(20),
    );
    let rect = phone.run(
        "const r = document.querySelector('[data-testid=notifications]').getBoundingClientRect(); return [r.left, r.right, r.bottom]",
        json!([]),
    );
    let rect: Vec<f64> = serde_json::from_value(rect).unwrap();
    assert!(
        rect[0] >= 0.0 && rect[1] <= 390.0 && rect[2] <= 844.0,
        "the panel leaves the screen: {rect:?}"
    );
    assert!(
        !scrolls_sideways(&phone),
        "the phone page scrolls sideways: {}",
        sticking_out(&phone)
    );
    phone.screenshot(&shots.join("notifications-390.png"));
    // Escape closes it.
    phone.run(
        "document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))",
        json!([]),
    );
    assert_eq!(
        phone.run(
            "return document.querySelector('[data-testid=notifications]').hidden",
            json!([])
        ),
        json!(true)
    );
    only_this_server(&phone, &base);
    eprintln!("screenshots in {}", shots.display());
}
