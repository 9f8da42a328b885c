//! The dashboard's budget in a real browser, printed (a measurement, not a
//! test): the JS and CSS it transfers, compressed, on a cold cache (budget
//! 600 KB), and the time from navigation to its charts drawn for a
//! generated plan of 60 goals × 8 units × 10 months of reports (budget 1 s),
//! cold and with the assets cached.
//!
//!     cargo bench --bench web_budget                 # release build
//!     cargo bench --bench web_budget --profile dev   # reuses the debug build (slower server)
//!
//! Needs chromium and chromedriver (Debian: chromium chromium-driver).
#[path = "../tests/common/binary.rs"]
#[allow(dead_code)]
mod binary;
#[path = "../tests/common/webdriver.rs"]
#[allow(dead_code)]
mod webdriver;

use std::time::Duration;

use binary::{BinaryDb, http};
use serde_json::{Value, json};
use webdriver::{Driver, Session};

const FIRST_PASSWORD: &str = "budget-first-1";
const PASSWORD: &str = "budget-measured-2";
const COLD_RUNS: usize = 5;
const WARM_RUNS: usize = 5;
const BUDGET_BYTES: f64 = 600_000.0;
const BUDGET_MS: f64 = 1000.0;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = BinaryDb::new(dir.path(), "web_budget");
    let generated = db
        .command()
        .args(["generate", "--parks", "1", "--goals", "60", "--units", "8"])
        .args(["--months", "10"])
        .status()
        .unwrap();
    assert!(generated.success(), "mubiao generate failed");
    let out = db
        .command()
        .args(["token", "create", "--name", "budget", "--role", "viewer"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let token = stdout
        .lines()
        .find(|l| l.starts_with("mb_"))
        .unwrap_or_else(|| panic!("no token in {stdout}"))
        .to_string();
    // The person whose browser loads the dashboard: an account, made as an
    // administrator makes one (its first password to be changed).
    let mut create = db
        .command()
        .args([
            "user",
            "create",
            "--username",
            "budget",
            "--name",
            "预算测量",
        ])
        .args(["--role", "viewer", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = create.stdin.take().unwrap();
        writeln!(stdin, "{FIRST_PASSWORD}").unwrap();
    }
    assert!(
        create.wait().unwrap().success(),
        "mubiao user create failed"
    );
    let (_server, port) = db.serve(&[]);
    let base = format!("http://127.0.0.1:{port}");
    let body = json!({ "query": "{ plans { id year goals { id } allGoals { id } } }" }).to_string();
    let (_, answer) = http(port, "POST", "/graphql", Some(&body), Some(&token)).unwrap();
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let plan = &answer["data"]["plans"][0];
    let url = format!(
        "{base}/dashboard?plan={}&asOf={}-10-31",
        plan["id"].as_str().unwrap(),
        plan["year"]
    );
    println!(
        "plan {}: {} goals ({} top-level), 8 units, reports through October",
        plan["id"],
        plan["allGoals"].as_array().unwrap().len(),
        plan["goals"].as_array().unwrap().len()
    );

    let driver = Driver::start();
    {
        let s = driver.session(1366, 768);
        sign_in(&s, &base, FIRST_PASSWORD);
        let changed = s.run(
            "return fetch('/graphql', { method: 'POST', credentials: 'same-origin',
               headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'mubiao' },
               body: JSON.stringify({ query: 'mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) { mustChangePassword } }',
                                      variables: { c: arguments[0], n: arguments[1] } }) }).then(r => r.json())",
            json!([FIRST_PASSWORD, PASSWORD]),
        );
        assert_eq!(
            changed["data"]["changePassword"]["mustChangePassword"],
            json!(false),
            "{changed}"
        );
    }
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for run in 0..COLD_RUNS {
        // A new session is a new browser profile: nothing cached.
        let s = driver.session(1366, 768);
        sign_in(&s, &base, PASSWORD);
        s.goto(&url);
        let (ms, files) = measure(&s);
        cold.push(ms);
        if run == 0 {
            print_transfer(&files);
        }
        if run == 0 {
            for _ in 0..WARM_RUNS {
                s.goto(&url);
                warm.push(measure(&s).0);
            }
        }
    }
    report("navigation → charts drawn, cold cache", &mut cold);
    report("navigation → charts drawn, assets cached", &mut warm);
}

/// Signs in with a POST to /login from a page that loads no assets (so
/// the dashboard's load that follows is cold); the browser keeps the
/// session cookie.
fn sign_in(s: &Session<'_>, base: &str, password: &str) {
    s.goto(&format!("{base}/healthz"));
    let status = s.run(
        "return fetch('/login', { method: 'POST', credentials: 'same-origin', redirect: 'manual',
           body: new URLSearchParams({ username: 'budget', password: arguments[0], next: '/' }) })
           .then(() => fetch('/graphql', { method: 'POST', credentials: 'same-origin',
             headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'mubiao' },
             body: JSON.stringify({ query: '{ me { username } }' }) }))
           .then(r => r.json())",
        json!([password]),
    );
    assert_eq!(
        status["data"]["me"]["username"],
        json!("budget"),
        "{status}"
    );
}

/// Waits for the page to say its charts are drawn; answers the time of
/// that mark since navigation started, and the resources loaded.
fn measure(s: &Session<'_>) -> (f64, Value) {
    let state = s.wait_for(
        "return document.body.dataset.ready || (document.querySelector('.alert') || {}).textContent",
        Duration::from_secs(60),
    );
    assert_eq!(state, json!("1"), "the dashboard showed an error");
    let v = s.run(
        "return [performance.getEntriesByName('mubiao-drawn')[0].startTime,
                 performance.getEntriesByType('resource').map(e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize])]",
        json!([]),
    );
    (v[0].as_f64().unwrap(), v[1].clone())
}

fn print_transfer(files: &Value) {
    println!("\nJS and CSS transferred for the dashboard (cold cache):");
    println!(
        "{:<60} {:>12} {:>12} {:>12}",
        "file", "transferred", "encoded", "decoded"
    );
    let mut total = 0.0;
    let mut decoded = 0.0;
    for f in files.as_array().unwrap() {
        let name = f[0].as_str().unwrap();
        let path = name.split("/assets/").nth(1).unwrap_or(name);
        if !(name.ends_with(".js") || name.ends_with(".css")) {
            continue;
        }
        let t = f[1].as_f64().unwrap();
        total += t;
        decoded += f[3].as_f64().unwrap();
        println!("{:<60} {:>12} {:>12} {:>12}", path, t, f[2], f[3]);
    }
    println!(
        "total: {:.0} bytes transferred ({:.1} KB; budget {:.0} KB: {}), {:.0} bytes uncompressed",
        total,
        total / 1000.0,
        BUDGET_BYTES / 1000.0,
        if total < BUDGET_BYTES {
            "within"
        } else {
            "OVER"
        },
        decoded
    );
}

fn report(what: &str, times: &mut [f64]) {
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    println!(
        "{what}: median {median:.0} ms, min {:.0} ms, max {max:.0} ms over {} runs (budget {BUDGET_MS:.0} ms: {})",
        times[0],
        times.len(),
        if max < BUDGET_MS { "within" } else { "OVER" }
    );
}
