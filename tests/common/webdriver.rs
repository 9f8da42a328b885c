//! Headless Chromium through chromedriver (Debian's `chromium-driver`),
//! spoken to over WebDriver's JSON-over-HTTP with the standard library:
//! the handful of commands the browser tests need (open a URL, run a
//! script, size the window, take a screenshot) did not justify a client
//! crate and its dependency tree.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Whether the browser tests were asked for (`.ci/run` sets it).
pub fn wanted() -> bool {
    std::env::var("MUBIAO_BROWSER_TESTS").is_ok_and(|v| v == "1")
}

/// A running chromedriver, stopped when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where a program is on PATH.
fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

impl Driver {
    /// Starts chromedriver. Panics (the test fails, it is not skipped)
    /// when chromedriver or chromium is missing: whoever set
    /// MUBIAO_BROWSER_TESTS=1 asked for these tests to run.
    pub fn start() -> Driver {
        let driver = which("chromedriver").unwrap_or_else(|| {
            panic!("MUBIAO_BROWSER_TESTS=1 but chromedriver is not on PATH (apt-get install chromium-driver)")
        });
        assert!(
            which("chromium").is_some(),
            "MUBIAO_BROWSER_TESTS=1 but chromium is not on PATH (apt-get install chromium)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let d = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while d.call("GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        d
    }

    /// One WebDriver command; its `value`, or the error it answered.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .map_err(|e| e.to_string())?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        )
        .map_err(|e| e.to_string())?;
        // chromedriver keeps the connection open whatever we ask: read the
        // head, then exactly the body it announces.
        let mut raw = Vec::new();
        let mut buf = [0u8; 65536];
        let head_end = loop {
            if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("connection closed".into());
            }
            raw.extend_from_slice(&buf[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
        let chunked = head.contains("transfer-encoding: chunked");
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        let start = head_end + 4;
        loop {
            let have = raw.len() - start;
            let done = match length {
                Some(n) => have >= n,
                None if chunked => raw[start..].ends_with(b"0\r\n\r\n"),
                None => false,
            };
            if done {
                break;
            }
            let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
        }
        let body = String::from_utf8_lossy(&raw[start..]).into_owned();
        let payload = if chunked { dechunk(&body) } else { body };
        let value: Value = serde_json::from_str(&payload).map_err(|e| format!("{e}: {payload}"))?;
        if head.starts_with("http/1.1 200") {
            Ok(value["value"].clone())
        } else {
            Err(value["value"].to_string())
        }
    }

    /// A new headless browser window of `width` × `height` CSS pixels of
    /// page (the viewport, not the window around it).
    pub fn session(&self, width: u32, height: u32) -> Session<'_> {
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": which("chromium").unwrap(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--hide-scrollbars", "--lang=zh-CN",
                         format!("--window-size={width},{height}")],
                // A park office's browser asks for Chinese (headless
                // Chromium sends en-US whatever --lang says).
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            }
        }}});
        let value = self
            .call("POST", "/session", Some(&caps))
            .unwrap_or_else(|e| panic!("chromium did not start: {e}"));
        let s = Session {
            driver: self,
            id: value["sessionId"].as_str().unwrap().to_string(),
        };
        s.viewport(width, height);
        s
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

/// One browser window.
pub struct Session<'d> {
    driver: &'d Driver,
    id: String,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .call("DELETE", &format!("/session/{}", self.id), None);
    }
}

impl Session<'_> {
    fn cmd(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.driver
            .call(
                method,
                &format!("/session/{}/{what}", self.id),
                body.as_ref(),
            )
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "url", Some(json!({ "url": url })));
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page.
    pub fn run(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Waits until `script` returns something truthy; answers it.
    pub fn wait_for(&self, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.run(script, json!([]));
            if !(v.is_null() || v == json!(false) || v == json!("")) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {script}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Makes the page (the viewport) `width` × `height`.
    pub fn viewport(&self, width: u32, height: u32) {
        for _ in 0..3 {
            let inner = self.run("return [window.innerWidth, window.innerHeight]", json!([]));
            let rect = self.cmd("GET", "window/rect", None);
            let (iw, ih) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
            if (iw, ih) == (i64::from(width), i64::from(height)) {
                return;
            }
            let ow = rect["width"].as_i64().unwrap() + i64::from(width) - iw;
            let oh = rect["height"].as_i64().unwrap() + i64::from(height) - ih;
            self.cmd(
                "POST",
                "window/rect",
                Some(json!({ "width": ow, "height": oh })),
            );
        }
    }

    /// A Chrome DevTools Protocol command (chromedriver's own endpoint).
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            "POST",
            "goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// The page printed to PDF on A4 landscape (WebDriver's print),
    /// written to `path`.
    pub fn print_a4_landscape(&self, path: &std::path::Path) {
        let pdf = self.cmd(
            "POST",
            "print",
            Some(json!({ "orientation": "landscape", "background": true,
                         "page": { "width": 29.7, "height": 21.0 } })),
        );
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, base64_png::decode(pdf.as_str().unwrap())).unwrap();
    }

    /// A PNG of the viewport, written to `path`.
    pub fn screenshot(&self, path: &std::path::Path) {
        use base64_png::decode;
        let png = self.cmd("GET", "screenshot", None);
        let bytes = decode(png.as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Base64 (standard alphabet), the one decoding a screenshot needs.
mod base64_png {
    pub fn decode(text: &str) -> Vec<u8> {
        let value = |c: u8| -> u32 {
            match c {
                b'A'..=b'Z' => u32::from(c - b'A'),
                b'a'..=b'z' => u32::from(c - b'a') + 26,
                b'0'..=b'9' => u32::from(c - b'0') + 52,
                b'+' => 62,
                b'/' => 63,
                _ => 0,
            }
        };
        let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let mut out = Vec::with_capacity(clean.len() * 3 / 4);
        for chunk in clean.chunks(4) {
            let pad = chunk.iter().filter(|&&c| c == b'=').count();
            let n = chunk.iter().fold(0u32, |acc, &c| (acc << 6) | value(c))
                << (6 * (4 - chunk.len() as u32));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&bytes[..3 - pad]);
        }
        out
    }
}

/// Where the browser tests leave their screenshots: `<target>/screenshots`.
pub fn screenshot_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots")
}
