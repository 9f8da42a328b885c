//! Plan snapshots kept between requests, keyed by the plan's
//! `data_version`. Every request reads the versions of the plans it needs
//! (one statement) and uses a kept copy only when its version is the
//! current one; every change bumps the version in its own transaction
//! (`db::finish`). So a copy is never served after the change that made it
//! stale, whichever server made the change: the cache saves loading, it
//! never decides what is true.
//!
//! Bounded by the bytes its entries hold (`plan_data::footprint`: rows,
//! text, facts, evaluations and a fixed cost per entry, so an entry with no
//! rows counts too), least recently used first out.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::plan_data::{PlanData, PlanStructure, ReportScope};

/// How many bytes the cache may hold, all entries together, by the
/// estimate. A 150-park province's dashboards at one date (structures,
/// structure-only snapshots and the snapshots standing on the date with
/// their evaluations) take 58.5 MiB of it, so two dates of the whole
/// province stay kept. Measured by `benches/snapshot_cache.rs`: a full
/// cache holds 127.4 MiB of live heap for 127.8 MiB counted, and the
/// process's resident memory grows by 129 MiB.
pub const DEFAULT_BYTE_BUDGET: usize = 128 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    Structure(i64),
    Snapshot(i64, ReportScope),
}

impl Key {
    fn plan_id(&self) -> i64 {
        match self {
            Key::Structure(id) | Key::Snapshot(id, _) => *id,
        }
    }
}

enum Value {
    Structure(Arc<PlanStructure>),
    Snapshot(Arc<PlanData>),
}

struct Entry {
    version: i64,
    value: Value,
    bytes: usize,
    last_used: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    /// Entries by when they were last used: the first is evicted first.
    by_use: BTreeMap<u64, Key>,
    /// Each plan's entries and the newest version kept of it: once a
    /// newer version arrives the older entries can never be served again,
    /// and they would keep their structure alive uncounted.
    by_plan: HashMap<i64, (i64, HashSet<Key>)>,
    bytes: usize,
    clock: u64,
}

impl Inner {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn remove(&mut self, key: &Key) {
        if let Some(gone) = self.entries.remove(key) {
            self.by_use.remove(&gone.last_used);
            self.bytes -= gone.bytes;
            if let Some((_, keys)) = self.by_plan.get_mut(&key.plan_id()) {
                keys.remove(key);
                if keys.is_empty() {
                    self.by_plan.remove(&key.plan_id());
                }
            }
        }
    }

    /// Makes room for `key` at `version`: false when the cache already
    /// holds a newer version of the plan (this one is stale on arrival);
    /// entries of older versions go.
    fn admit(&mut self, key: Key, version: i64) -> bool {
        let plan_id = key.plan_id();
        let stale: Vec<Key> = match self.by_plan.get(&plan_id) {
            Some((newest, _)) if *newest > version => return false,
            Some((newest, keys)) if *newest < version => keys.iter().copied().collect(),
            _ => Vec::new(),
        };
        for old in &stale {
            self.remove(old);
        }
        self.remove(&key);
        let entry = self
            .by_plan
            .entry(plan_id)
            .or_insert((version, HashSet::new()));
        entry.0 = version;
        entry.1.insert(key);
        true
    }
}

pub struct SnapshotCache {
    inner: Mutex<Inner>,
    byte_budget: usize,
    /// Held while a request loads what it did not find: concurrent requests
    /// missing the same plans (every dashboard after a burst of reports)
    /// wait for one load and find its result, instead of each loading the
    /// province at once.
    loading: tokio::sync::Mutex<()>,
}

impl Default for SnapshotCache {
    fn default() -> Self {
        SnapshotCache::new(DEFAULT_BYTE_BUDGET)
    }
}

impl SnapshotCache {
    pub fn new(byte_budget: usize) -> Self {
        SnapshotCache {
            inner: Mutex::new(Inner::default()),
            byte_budget,
            loading: tokio::sync::Mutex::new(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, key: Key, version: i64) -> Option<Value> {
        let mut inner = self.lock();
        let now = inner.tick();
        let entry = inner.entries.get_mut(&key)?;
        if entry.version != version {
            return None;
        }
        let before = std::mem::replace(&mut entry.last_used, now);
        let value = match &entry.value {
            Value::Structure(s) => Value::Structure(s.clone()),
            Value::Snapshot(d) => Value::Snapshot(d.clone()),
        };
        inner.by_use.remove(&before);
        inner.by_use.insert(now, key);
        Some(value)
    }

    fn put(&self, key: Key, version: i64, value: Value, bytes: usize) {
        if bytes > self.byte_budget / 4 {
            // One plan larger than a quarter of the budget would push
            // everything else out; it is loaded per request instead.
            return;
        }
        let mut inner = self.lock();
        if !inner.admit(key, version) {
            return;
        }
        let now = inner.tick();
        inner.entries.insert(
            key,
            Entry {
                version,
                value,
                bytes,
                last_used: now,
            },
        );
        inner.by_use.insert(now, key);
        inner.bytes += bytes;
        while inner.bytes > self.byte_budget {
            let Some((_, oldest)) = inner.by_use.first_key_value().map(|(t, k)| (*t, *k)) else {
                break;
            };
            inner.remove(&oldest);
        }
    }

    pub fn structure(&self, plan_id: i64, version: i64) -> Option<Arc<PlanStructure>> {
        match self.get(Key::Structure(plan_id), version)? {
            Value::Structure(s) => Some(s),
            Value::Snapshot(_) => None,
        }
    }

    pub fn put_structure(&self, version: i64, structure: Arc<PlanStructure>) {
        let bytes = structure.approx_bytes();
        let id = structure.plan.id;
        self.put(
            Key::Structure(id),
            version,
            Value::Structure(structure),
            bytes,
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
    /// one). A snapshot standing on a date is only ever asked for its
    /// date's evaluation, so that is computed now and counted with it.
    pub fn put_snapshot(&self, version: i64, data: Arc<PlanData>) {
        match data.scope() {
            ReportScope::StandingOn(date) => {
                // Its own date: cannot be refused.
                let _ = data.evaluation(date);
            }
            ReportScope::Structure => {}
            // Histories are read for a trend or a share's report list, each
            // about one plan or one goal, and each holds up to twelve
            // evaluations of the whole plan: keeping them crowded out what
            // every dashboard reads (measured: 1.2 GB resident after a
            // minute of goal drill-downs). They load per request.
            ReportScope::History | ReportScope::GoalHistory(_) => return,
        }
        let key = Key::Snapshot(data.plan.id, data.scope());
        let bytes = data.approx_bytes();
        self.put(key, version, Value::Snapshot(data), bytes);
    }

    /// Taken before loading what the cache lacks; see `loading`.
    pub async fn loading(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.loading.lock().await
    }

    /// Bytes held by the estimate, for tests, benchmarks and logs.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Entries held, for tests and benchmarks.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
