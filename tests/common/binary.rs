//! The real binary on a database of its own: a SQLite file in a temp
//! dir, or a fresh PostgreSQL schema when TEST_DATABASE_URL is set.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A spawned server process, killed when the test ends.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A minimal HTTP/1.1 exchange, so these tests need no client library.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!("{method} {path} HTTP/1.1\r\n{auth}Content-Type: application/json\r\n");
    exchange(port, &head, body.unwrap_or("").as_bytes())
}

/// One HTTP/1.1 exchange over a connection of its own: `head` is the
/// request line and any headers (each ending in CRLF); Host, the length
/// and `Connection: close` are added, and `Accept-Language: en` unless
/// `head` names a language (messages come in English, which the tests
/// compare). Answers the status and the body.
pub fn exchange(port: u16, head: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let lang = if head.to_ascii_lowercase().contains("\naccept-language:") {
        ""
    } else {
        "Accept-Language: en\r\n"
    };
    write!(
        stream,
        "{head}{lang}Host: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let payload = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, payload))
}

impl Server {
    /// Starts `command` (a `serve`, without `--listen`) on a port the
    /// system picks, learns the port from the line the server prints, and
    /// waits until it is healthy. (Picking a free port first and passing it
    /// raced with the other tests' connections, which may take it.)
    pub fn start(mut command: Command) -> (Server, u16) {
        use std::io::BufRead;
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let server = Server(child);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep reading so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server says where it listens");
        let port: u16 = line
            .rsplit(':')
            .next()
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !matches!(http(port, "GET", "/healthz", None, None), Ok((200, _))) {
            assert!(
                Instant::now() < deadline,
                "the server did not become healthy"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        (server, port)
    }

    /// The process's peak resident memory so far (VmHWM), in MB.
    pub fn peak_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmHWM in /proc/<pid>/status");
        kb / 1024.0
    }
}

/// The database a spawned binary uses: a SQLite file in `dir`, or a fresh
/// PostgreSQL schema when TEST_DATABASE_URL is set (dropped afterwards).
pub struct BinaryDb {
    env: Vec<(String, String)>,
    drop_schema: Option<(String, String)>,
}

impl BinaryDb {
    pub fn new(dir: &std::path::Path, tag: &str) -> BinaryDb {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(url) => {
                let schema = format!("{tag}_{}", std::process::id());
                let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}");
                let created = Command::new("psql").args([&url, "-qc", &sql]).status();
                assert!(
                    created.map(|s| s.success()).unwrap_or(false),
                    "psql could not create the schema"
                );
                BinaryDb {
                    env: vec![
                        ("DATABASE_URL".into(), url.clone()),
                        ("MUBIAO_DB_SCHEMA".into(), schema.clone()),
                    ],
                    drop_schema: Some((url, schema)),
                }
            }
            Err(_) => BinaryDb {
                env: vec![(
                    "DATABASE_URL".into(),
                    format!("sqlite:{}", dir.join("mubiao.db").display()),
                )],
                drop_schema: None,
            },
        }
    }

    /// How the test itself reaches the binary's database.
    pub fn config(&self) -> mubiao::config::DatabaseConfig {
        let value = |name: &str| {
            self.env
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let mut config = mubiao::config::DatabaseConfig::new(value("DATABASE_URL").unwrap());
        config.schema = value("MUBIAO_DB_SCHEMA");
        config.max_connections = 2;
        config
    }

    /// The binary on this database. What it prints for the office comes
    /// in English (`MUBIAO_LANG=en`), which the tests compare, as
    /// `TestApp::gql_as` asks the server for English; tests/language.rs
    /// removes it to check that Chinese is the default.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mubiao"));
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("RUST_LOG", "warn")
            .env("MUBIAO_LANG", "en");
        cmd
    }

    /// Starts `serve` on a free port and waits until it is healthy.
    pub fn serve(&self, extra: &[&str]) -> (Server, u16) {
        self.serve_with_env(extra, &[])
    }

    /// `serve` with more environment (an operator key, say).
    pub fn serve_with_env(&self, extra: &[&str], env: &[(&str, &str)]) -> (Server, u16) {
        let mut command = self.command();
        command
            .args(["serve"])
            .args(extra)
            .envs(env.iter().copied());
        Server::start(command)
    }
}

impl Drop for BinaryDb {
    fn drop(&mut self) {
        if let Some((url, schema)) = &self.drop_schema {
            let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
            let _ = Command::new("psql")
                .args([url.as_str(), "-qc", &sql])
                .status();
        }
    }
}
