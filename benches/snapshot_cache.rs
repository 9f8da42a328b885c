//! The resident memory of the snapshot cache, against the bytes it counts.
//! Fills a cache with what a province's dashboards read (structures and
//! snapshots standing on a date, with their evaluations), then past its
//! budget with more dates, then asks an empty plan at 270,000 dates (the
//! attack of issue 12; `DATES` sets how many), and prints resident memory
//! at each step. Loads go through the cache as a request's do.
//!
//!     cargo bench --bench snapshot_cache                 # 150 parks, the default budget
//!     PARKS=40 BUDGET_MB=64 DATES=50000 cargo bench --bench snapshot_cache
//!
//! Runs with the server's allocator and its settings, on SQLite in a temp
//! dir; what it measures is the cache, not the database.
use std::alloc::{GlobalAlloc, Layout};
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use mubiao::config::DatabaseConfig;
use mubiao::service::plan_data::{self, ReportScope};
use mubiao::service::snapshot_cache::{DEFAULT_BYTE_BUDGET, SnapshotCache};
use mubiao::{db, synthetic};
use sea_orm::{ActiveModelTrait, Set};

/// The server's allocator, counting the bytes live in it: resident memory
/// also holds what the allocator keeps after frees (and frees from other
/// threads it has not processed yet), so the cache's own share is the
/// change in live bytes.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded as is.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded as is.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_mib() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / MIB
}

const MIB: f64 = 1024.0 * 1024.0;

/// Resident memory of this process now, in MiB (after the allocator had a
/// moment to give back what was freed).
fn rss_mib() -> f64 {
    std::thread::sleep(Duration::from_millis(100));
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Loads every plan's structure and its snapshots in `scopes`, the way a
/// request does, and keeps them in `cache`.
async fn keep(
    conn: &sea_orm::DatabaseConnection,
    cache: &SnapshotCache,
    plans: &[i64],
    scopes: &[ReportScope],
) {
    let versions = plan_data::versions(conn, plans).await.unwrap();
    for chunk in plans.chunks(10) {
        // Kept structures are used, as a request uses them.
        let wanted: Vec<(i64, i64)> = chunk.iter().map(|id| (*id, versions[id])).collect();
        let structures = cache
            .structures(&wanted, |ids| async move {
                plan_data::load_structures(conn, &ids).await
            })
            .await
            .unwrap();
        for &scope in scopes {
            let structures = &structures;
            cache
                .snapshots(scope, &wanted, |ids| {
                    let these = ids
                        .iter()
                        .filter_map(|id| structures.get(id).cloned())
                        .collect();
                    async move { plan_data::snapshots(conn, these, scope).await }
                })
                .await
                .unwrap();
        }
    }
}

/// Live heap and resident memory before a phase.
#[derive(Clone, Copy)]
struct Baseline {
    live: f64,
    rss: f64,
}

fn baseline() -> Baseline {
    let rss = rss_mib();
    Baseline {
        live: live_mib(),
        rss,
    }
}

async fn line(what: &str, cache: &SnapshotCache, base: Baseline) {
    let counted = cache.bytes().await as f64 / MIB;
    let entries = cache.entries().await;
    let rss = rss_mib();
    let live = live_mib() - base.live;
    println!(
        "{what:<40} {:>7} entries  counted {counted:>6.1} MiB  live heap +{live:>6.1} MiB ({:.2}× counted)  resident {rss:>6.1} MiB (+{:.1})",
        entries,
        live / counted.max(0.001),
        rss - base.rss,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    mubiao::allocator::give_memory_back_promptly();
    let parks = env_or("PARKS", 150);
    let dates = env_or("DATES", 270_000);
    let budget = env_or("BUDGET_MB", DEFAULT_BYTE_BUDGET >> 20) << 20;
    let dir = tempfile::tempdir().unwrap();
    let mut config =
        DatabaseConfig::new(format!("sqlite:{}", dir.path().join("cache.db").display()));
    config.max_connections = 4;
    let conn = db::connect(&config).await.unwrap();
    db::migrate(&conn).await.unwrap();
    let spec = synthetic::Spec {
        year: 2025,
        units: 8,
        goals: 50,
        months: 12,
        units_per_goal: 8,
        seed: 1,
    };
    let started = Instant::now();
    let plans = synthetic::generate_province(&conn, parks, spec, |_, _| {})
        .await
        .unwrap();
    println!(
        "snapshot cache bench: {parks} parks × {} goals × {} units, budget {} MiB (generated in {:.1} s)",
        spec.goals,
        spec.units,
        budget >> 20,
        started.elapsed().as_secs_f64()
    );

    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    let base = baseline();
    println!(
        "{:<40} live heap {:.1} MiB, resident {:.1} MiB",
        "before any snapshot", base.live, base.rss
    );
    let cache = SnapshotCache::new(budget);
    keep(
        &conn,
        &cache,
        &plans,
        &[
            ReportScope::Structure,
            ReportScope::StandingOn(date(10, 31)),
        ],
    )
    .await;
    line("the province's dashboards at one date", &cache, base).await;
    for month in (1..=9).rev() {
        keep(
            &conn,
            &cache,
            &plans,
            &[ReportScope::StandingOn(date(month, 28))],
        )
        .await;
    }
    line("and nine more dates (past the budget)", &cache, base).await;
    for day in 1..=27 {
        keep(
            &conn,
            &cache,
            &plans[..plans.len().min(20)],
            &[ReportScope::StandingOn(date(11, day))],
        )
        .await;
    }
    line("and 27 more dates of 20 parks", &cache, base).await;
    drop(cache);
    println!(
        "{:<40} live heap +{:.1} MiB, resident {:.1} MiB",
        "cache dropped",
        live_mib() - base.live,
        rss_mib()
    );

    // The attack: an empty DRAFT plan asked at ever more dates.
    let owner = entity::unit::ActiveModel {
        name: Set("空白园区管委会".into()),
        parent_id: Set(None),
        archived_at: Set(None),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&conn)
    .await
    .unwrap();
    let empty = mubiao::service::plans::create(
        &conn,
        &mubiao::db::audit::Audit {
            actor_name: "snapshot cache bench".into(),
            actor_role: "ADMIN".into(),
            operation: "createPlan".into(),
            input: serde_json::Value::Null,
            at: chrono::Utc::now(),
        },
        mubiao::service::plans::NewPlan {
            name: "空白草稿计划".into(),
            year: 2025,
            owner_unit_id: owner.id,
            start_date: None,
            end_date: None,
            time_zone: None,
            score_cap: None,
            settings: Default::default(),
        },
    )
    .await
    .unwrap();
    let base = baseline();
    let cache = SnapshotCache::new(budget);
    let structures = plan_data::load_structures(&conn, &[empty.id])
        .await
        .unwrap();
    let structure = structures[&empty.id].clone();
    let mut day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    for _ in 0..dates {
        let loaded = plan_data::snapshots(
            &conn,
            vec![Arc::clone(&structure)],
            ReportScope::StandingOn(day),
        )
        .await
        .unwrap();
        for (_, data) in loaded {
            cache.put_snapshot(0, data).await;
        }
        day = day.succ_opt().unwrap();
    }
    line(&format!("an empty plan at {dates} dates"), &cache, base).await;
}
