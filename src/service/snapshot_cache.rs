//! Plan snapshots kept between requests, keyed by the plan's
//! `data_version`. Every request reads the versions of the plans it needs
//! (one statement) and uses a kept copy only when its version is the
//! current one; every change bumps the version in its own transaction
//! (`db::finish`). So a copy is never served after the change that made it
//! stale, whichever server made the change: the cache saves loading, it
//! never decides what is true.
//!
//! Bounded by rows held (plans' goals, shares and milestones, and reports),
//! least recently used first out.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::plan_data::{PlanData, PlanStructure, ReportScope};

/// How many rows the cache may hold, all entries together. A 150-park
/// province needs about 280,000 to keep what its dashboards read at one
/// date: structures (75,000 rows), structure-only snapshots (75,000) and
/// the snapshot standing on the date (60,000 reports with 75,000 rows of
/// facts); below that, dashboards cycling through every park evict each
/// other (measured: 8 ms instead of 1 ms a dashboard at 250,000). About
/// 150 MB resident when full.
pub const DEFAULT_ROW_BUDGET: usize = 400_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Structure(i64),
    Snapshot(i64, ReportScope),
}

enum Value {
    Structure(Arc<PlanStructure>),
    Snapshot(Arc<PlanData>),
}

struct Entry {
    version: i64,
    value: Value,
    rows: usize,
    last_used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    rows: usize,
    clock: u64,
}

pub struct SnapshotCache {
    inner: Mutex<Inner>,
    row_budget: usize,
    /// Held while a request loads what it did not find: concurrent requests
    /// missing the same plans (every dashboard after a burst of reports)
    /// wait for one load and find its result, instead of each loading the
    /// province at once.
    loading: tokio::sync::Mutex<()>,
}

impl Default for SnapshotCache {
    fn default() -> Self {
        SnapshotCache::new(DEFAULT_ROW_BUDGET)
    }
}

impl SnapshotCache {
    pub fn new(row_budget: usize) -> Self {
        SnapshotCache {
            inner: Mutex::new(Inner::default()),
            row_budget,
            loading: tokio::sync::Mutex::new(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: Key, version: i64) -> Option<Value> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let entry = inner.entries.get_mut(&key)?;
        if entry.version != version {
            return None;
        }
        entry.last_used = now;
        Some(match &entry.value {
            Value::Structure(s) => Value::Structure(s.clone()),
            Value::Snapshot(d) => Value::Snapshot(d.clone()),
        })
    }

    fn put(&self, key: Key, version: i64, value: Value, rows: usize) {
        if rows > self.row_budget / 4 {
            // One plan's history larger than a quarter of the budget would
            // push everything else out; it is loaded per request instead.
            return;
        }
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        if let Some(old) = inner.entries.insert(
            key,
            Entry {
                version,
                value,
                rows,
                last_used: now,
            },
        ) {
            inner.rows -= old.rows;
        }
        inner.rows += rows;
        while inner.rows > self.row_budget {
            let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some(gone) = inner.entries.remove(&oldest) {
                inner.rows -= gone.rows;
            }
        }
    }

    pub fn structure(&self, plan_id: i64, version: i64) -> Option<Arc<PlanStructure>> {
        match self.get(Key::Structure(plan_id), version)? {
            Value::Structure(s) => Some(s),
            Value::Snapshot(_) => None,
        }
    }

    pub fn put_structure(&self, version: i64, structure: Arc<PlanStructure>) {
        let rows = structure.row_count();
        let id = structure.plan.id;
        self.put(
            Key::Structure(id),
            version,
            Value::Structure(structure),
            rows,
        );
    }

    pub fn snapshot(
        &self,
        plan_id: i64,
        scope: ReportScope,
        version: i64,
    ) -> Option<Arc<PlanData>> {
        match self.get(Key::Snapshot(plan_id, scope), version)? {
            Value::Snapshot(d) => Some(d),
            Value::Structure(_) => None,
        }
    }

    /// Keeps a snapshot standing on a date (or a plan's structure-only
    /// one). It counts its reports and, for the facts and the evaluation it
    /// holds, the plan's rows once more.
    pub fn put_snapshot(&self, version: i64, data: Arc<PlanData>) {
        if !matches!(
            data.scope(),
            ReportScope::StandingOn(_) | ReportScope::Structure
        ) {
            // Histories are read for a trend or a share's report list, each
            // about one plan or one goal, and each holds up to twelve
            // evaluations of the whole plan: keeping them crowded out what
            // every dashboard reads (measured: 1.2 GB resident after a
            // minute of goal drill-downs). They load per request.
            return;
        }
        let key = Key::Snapshot(data.plan.id, data.scope());
        let rows = data.report_count() + data.structure().row_count();
        self.put(key, version, Value::Snapshot(data), rows);
    }

    /// Taken before loading what the cache lacks; see `loading`.
    pub async fn loading(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.loading.lock().await
    }

    /// Rows held, for tests and logs.
    pub fn rows(&self) -> usize {
        self.lock().rows
    }
}
