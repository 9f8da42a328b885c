//! mubiao (目标): the target-responsibility server of an industrial park.
//! `main.rs` parses configuration and calls into here; tests build the same
//! app with `http::app`.

/// How the server's allocator gives memory back (set at start-up).
pub mod allocator;
/// The province benchmark's raw SQL and its check against the server's
/// figures (`benches/raw_sql.rs`, `tests/raw_sql.rs`); the server never
/// calls it.
#[doc(hidden)]
pub mod bench_sql;
/// Subcommands that act on the database and print for the operator.
pub mod cli;
/// Typed configuration from flags and environment.
pub mod config;
/// Connection pools, migrations and write transactions.
pub mod db;
/// The demo plan: a 2025 development-zone plan with units and reports.
pub mod demo;
/// The one error type and its stable codes.
pub mod error;
/// The GraphQL schema and resolvers.
pub mod graphql;
/// HTTP routes: /graphql, /healthz, /export; request IDs and credentials.
pub mod http;
/// Reading spreadsheets: the grid of a file, and the 分解表 layout in it.
pub mod import;
/// Prometheus metrics: what is counted and `GET /metrics`'s text.
pub mod metrics;
/// The connection loop: header and idle timeouts, a connection cap,
/// graceful shutdown.
pub mod server;
/// Use cases over the database.
pub mod service;
/// Deterministic synthetic plans for benchmarks.
pub mod synthetic;
/// Logging set-up.
pub mod telemetry;
/// The web app's pages and embedded assets, and the offline GraphiQL page.
pub mod web;
