//! Plan snapshots kept between requests, keyed by the plan's
//! `data_version`. Every request reads the versions of the plans it needs
//! (one statement) and asks for kept copies at exactly those versions;
//! every change bumps the version in its own transaction (`db::finish`).
//! So a copy is never served after the change that made it stale,
//! whichever server made the change: the cache saves loading, it never
//! decides what is true, and a server that has nothing kept (a new one, or
//! another one) answers the same.
//!
//! The kept copies live in a moka cache bounded by the bytes its entries
//! hold (`plan_data::footprint`: rows, text, facts, evaluations and a fixed
//! cost per entry, so an entry with no rows counts too), least recently
//! used first out.
//!
//! What is missing is loaded once however many requests ask for it at the
//! same time, and different things load at the same time. moka's own
//! `get_with` coalesces the loads of one key, but a request loads all the
//! plans it misses together (six statements for the structures of any
//! number of plans, one for their reports): one call per key would cost a
//! province overview 150 × 7 statements instead of 7. So a request claims,
//! in one step, every key it misses that no other request is loading, loads
//! the claimed ones together, and hands each result to the requests that
//! asked for it meanwhile; for the keys others had claimed it waits for
//! their loads. A claim is held only by the load that made it: a load that
//! fails or is dropped releases its keys, and whoever waited for them loads
//! them itself. No lock is held across a load.
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use moka::future::Cache;
use moka::policy::EvictionPolicy;
use tokio::sync::watch;

use super::plan_data::{PlanData, PlanStructure, ReportScope};
use crate::error::AppResult;

/// How many bytes the cache may hold, all entries together, by the
/// estimate. A 150-park province's dashboards at one date (structures,
/// structure-only snapshots and the snapshots standing on the date with
/// their evaluations) take 58.5 MiB of it, so two dates of the whole
/// province stay kept. Measured by `benches/snapshot_cache.rs`: a full
/// cache holds 127.6 MiB of live heap for 127.9 MiB counted, and the
/// process's resident memory grows by 127 MiB.
pub const DEFAULT_BYTE_BUDGET: usize = 128 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum What {
    Structure,
    Snapshot(ReportScope),
}

/// A plan's structure or snapshot at one data version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Key {
    plan_id: i64,
    version: i64,
    what: What,
}

impl Key {
    /// Whether a loaded value is kept between requests. Histories are
    /// not: they are read for a trend or an assignment's report list, each about
    /// one plan or one goal, and each holds up to twelve evaluations of the
    /// whole plan; keeping them crowded out what every dashboard reads
    /// (measured: 1.2 GB resident after a minute of goal drill-downs).
    /// They load per request (shared only with requests that ask for the
    /// same one while it loads).
    fn is_kept(&self) -> bool {
        match self.what {
            What::Structure => true,
            What::Snapshot(scope) => match scope {
                ReportScope::Structure | ReportScope::StandingOn(_) => true,
                ReportScope::History | ReportScope::GoalHistory(_) => false,
            },
        }
    }
}

#[derive(Clone)]
enum Value {
    Structure(Arc<PlanStructure>),
    Snapshot(Arc<PlanData>),
}

impl Value {
    fn bytes(&self) -> usize {
        match self {
            Value::Structure(s) => s.approx_bytes(),
            Value::Snapshot(d) => d.approx_bytes(),
        }
    }
}

/// A kept value and its weight: its bytes, counted once when it is kept.
#[derive(Clone)]
struct Kept {
    value: Value,
    weight: u32,
}

/// A load under way: `Some` once its value is there; closed without a
/// value when the load failed or was dropped.
type Flight = watch::Receiver<Option<Value>>;

pub struct SnapshotCache {
    kept: Cache<Key, Kept>,
    byte_budget: usize,
    /// The newest version kept of each plan (one pair per live plan ever
    /// kept). A value of an older version is stale on arrival and not kept.
    newest: Mutex<HashMap<i64, i64>>,
    /// Loads under way, by key. Locked only to look up or claim keys,
    /// never across a load.
    under_way: Mutex<HashMap<Key, Flight>>,
    /// How often a request waited for another's load instead of loading.
    waited: AtomicU64,
}

impl Default for SnapshotCache {
    fn default() -> Self {
        SnapshotCache::new(DEFAULT_BYTE_BUDGET)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// What one request does about the keys it misses.
struct Turn<'a> {
    /// Keys nobody was loading: this request loads them.
    claim: Claim<'a>,
    /// Keys another request is loading.
    waits: Vec<(Key, Flight)>,
    /// Keys kept since this request looked: looked up again.
    again: Vec<Key>,
}

/// The keys a request is loading. Each is published when it is loaded;
/// those still held when the claim is dropped (the load failed, was
/// dropped, or did not bring them) are released, and the requests waiting
/// for them load them themselves.
struct Claim<'a> {
    under_way: &'a Mutex<HashMap<Key, Flight>>,
    senders: HashMap<Key, watch::Sender<Option<Value>>>,
}

impl Claim<'_> {
    fn keys(&self) -> Vec<Key> {
        self.senders.keys().copied().collect()
    }

    fn is_empty(&self) -> bool {
        self.senders.is_empty()
    }

    fn publish(&mut self, key: Key, value: Value) {
        if let Some(sender) = self.senders.remove(&key) {
            sender.send_replace(Some(value));
            lock(self.under_way).remove(&key);
        }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if self.senders.is_empty() {
            return;
        }
        let mut under_way = lock(self.under_way);
        for key in self.senders.keys() {
            // Still ours: a key is claimed only when it is not under way,
            // and we have not published it.
            under_way.remove(key);
        }
        // The senders drop here: their waiters see the flight closed.
    }
}

impl SnapshotCache {
    pub fn new(byte_budget: usize) -> Self {
        let kept = Cache::builder()
            .max_capacity(byte_budget as u64)
            .weigher(|_: &Key, kept: &Kept| kept.weight)
            // Least recently used out, every new entry admitted (moka's
            // default, TinyLFU, may refuse a new entry that is asked less
            // often than the one it would push out: the snapshots of a
            // plan's new version after every change).
            .eviction_policy(EvictionPolicy::lru())
            .eviction_listener(|_, _, cause| {
                if cause == moka::notification::RemovalCause::Size {
                    crate::metrics::snapshot_evicted();
                }
            })
            // A newer version of a plan invalidates the older entries.
            .support_invalidation_closures()
            .build();
        SnapshotCache {
            kept,
            byte_budget,
            newest: Mutex::new(HashMap::new()),
            under_way: Mutex::new(HashMap::new()),
            waited: AtomicU64::new(0),
        }
    }

    /// These plans' structures at the versions given (plan id, version):
    /// the kept ones, the ones other requests are loading, and the rest
    /// loaded by one call of `load` (which may leave out a plan that is
    /// gone). `load` is called again only for keys whose load by another
    /// request failed.
    pub async fn structures<L, Fut>(
        &self,
        wanted: &[(i64, i64)],
        load: L,
    ) -> AppResult<HashMap<i64, Arc<PlanStructure>>>
    where
        L: FnMut(Vec<i64>) -> Fut,
        Fut: Future<Output = AppResult<HashMap<i64, Arc<PlanStructure>>>>,
    {
        self.fetch_as(
            What::Structure,
            wanted,
            load,
            Value::Structure,
            |v| match v {
                Value::Structure(s) => Some(s),
                Value::Snapshot(_) => None,
            },
        )
        .await
    }

    /// These plans' snapshots in `scope` at the versions given, as
    /// `structures` does. Snapshots standing on a date and structure-only
    /// ones are kept; histories are not (`Key::is_kept`).
    pub async fn snapshots<L, Fut>(
        &self,
        scope: ReportScope,
        wanted: &[(i64, i64)],
        load: L,
    ) -> AppResult<HashMap<i64, Arc<PlanData>>>
    where
        L: FnMut(Vec<i64>) -> Fut,
        Fut: Future<Output = AppResult<HashMap<i64, Arc<PlanData>>>>,
    {
        self.fetch_as(
            What::Snapshot(scope),
            wanted,
            load,
            Value::Snapshot,
            |v| match v {
                Value::Snapshot(d) => Some(d),
                Value::Structure(_) => None,
            },
        )
        .await
    }

    /// `fetch` for one kind of value: keys made of (plan id, version) and
    /// `what`, each loaded value wrapped into the cache's `Value` and the
    /// found ones unwrapped again, by plan id.
    async fn fetch_as<T, L, Fut>(
        &self,
        what: What,
        wanted: &[(i64, i64)],
        mut load: L,
        wrap: fn(Arc<T>) -> Value,
        unwrap: fn(Value) -> Option<Arc<T>>,
    ) -> AppResult<HashMap<i64, Arc<T>>>
    where
        L: FnMut(Vec<i64>) -> Fut,
        Fut: Future<Output = AppResult<HashMap<i64, Arc<T>>>>,
    {
        let keys = wanted
            .iter()
            .map(|&(plan_id, version)| Key {
                plan_id,
                version,
                what,
            })
            .collect();
        let found = self
            .fetch(keys, |claimed: Vec<Key>| {
                let loading = load(claimed.iter().map(|k| k.plan_id).collect());
                async move {
                    let mut loaded = loading.await?;
                    Ok(claimed
                        .into_iter()
                        .filter_map(|k| Some((k, wrap(loaded.remove(&k.plan_id)?))))
                        .collect())
                }
            })
            .await?;
        Ok(found
            .into_iter()
            .filter_map(|(key, value)| Some((key.plan_id, unwrap(value)?)))
            .collect())
    }

    /// The values of `keys`: kept, loaded by others meanwhile, or loaded
    /// by `load` (the keys this request claimed, together).
    async fn fetch<L, Fut>(&self, keys: Vec<Key>, mut load: L) -> AppResult<HashMap<Key, Value>>
    where
        L: FnMut(Vec<Key>) -> Fut,
        Fut: Future<Output = AppResult<Vec<(Key, Value)>>>,
    {
        let mut found = HashMap::with_capacity(keys.len());
        let mut seen = HashSet::with_capacity(keys.len());
        let mut wanted: Vec<Key> = keys.into_iter().filter(|k| seen.insert(*k)).collect();
        while !wanted.is_empty() {
            let mut missing = Vec::new();
            for key in wanted.drain(..) {
                match self.kept_value(&key).await {
                    Some(value) => {
                        found.insert(key, value);
                    }
                    None => missing.push(key),
                }
            }
            if missing.is_empty() {
                break;
            }
            let Turn {
                mut claim,
                waits,
                again,
            } = self.claim(missing);
            wanted = again;
            if !claim.is_empty() {
                // On an error the claim drops, releasing its keys.
                let loaded = load(claim.keys()).await?;
                let mut kept_any = false;
                for (key, value) in loaded {
                    // Kept before it is published: whoever no longer finds
                    // it under way finds it kept.
                    kept_any |= self.keep(key, &value).await;
                    claim.publish(key, value.clone());
                    found.insert(key, value);
                }
                if kept_any {
                    // Evictions now, so the budget holds after every load
                    // rather than whenever moka next tidies up.
                    self.kept.run_pending_tasks().await;
                }
            }
            // Keys the load did not bring (a plan archived since its
            // version was read) are released before waiting on others.
            drop(claim);
            for (key, mut flight) in waits {
                self.waited.fetch_add(1, Ordering::Relaxed);
                let value = match flight.wait_for(Option::is_some).await {
                    Ok(value) => value.clone(),
                    Err(_) => None,
                };
                match value {
                    Some(value) => {
                        found.insert(key, value);
                    }
                    // That load failed or was dropped: this request tries.
                    None => wanted.push(key),
                }
            }
        }
        Ok(found)
    }

    /// Sorts the keys a request misses into those it loads, those it waits
    /// for and those kept since it looked, in one step.
    fn claim(&self, keys: Vec<Key>) -> Turn<'_> {
        let mut under_way = lock(&self.under_way);
        let mut turn = Turn {
            claim: Claim {
                under_way: &self.under_way,
                senders: HashMap::new(),
            },
            waits: Vec::new(),
            again: Vec::new(),
        };
        for key in keys {
            if let Some(flight) = under_way.get(&key) {
                turn.waits.push((key, flight.clone()));
            } else if key.is_kept() && self.kept.contains_key(&key) {
                turn.again.push(key);
            } else {
                let (sender, flight) = watch::channel(None);
                under_way.insert(key, flight);
                turn.claim.senders.insert(key, sender);
            }
        }
        turn
    }

    async fn kept_value(&self, key: &Key) -> Option<Value> {
        if !key.is_kept() {
            return None;
        }
        let kept = self.kept.get(key).await.map(|kept| kept.value);
        crate::metrics::snapshot_cache(kept.is_some());
        kept
    }

    /// Keeps a loaded value (true if it did), unless it is not kept at all
    /// (a history), is larger than a quarter of the budget (it would push
    /// everything else out; such a plan loads per request), or a newer
    /// version of its plan is already kept (stale on arrival). A newer
    /// version invalidates the plan's older entries: they can never be
    /// asked for again, and a snapshot would keep its structure alive
    /// uncounted once the structure's own entry was evicted.
    async fn keep(&self, key: Key, value: &Value) -> bool {
        if !key.is_kept() {
            return false;
        }
        if let (Value::Snapshot(data), ReportScope::StandingOn(date)) = (value, scope_of(key)) {
            // A snapshot standing on a date is only ever asked for its
            // date's evaluation: computed now (its own date cannot be
            // refused), so it is counted with it.
            let _ = data.evaluation(date);
        }
        let bytes = value.bytes();
        if bytes > self.byte_budget / 4 {
            return false;
        }
        let newer = {
            let mut newest = lock(&self.newest);
            let seen = newest.entry(key.plan_id).or_insert(key.version);
            if *seen > key.version {
                return false;
            }
            let newer = *seen < key.version;
            *seen = key.version;
            newer
        };
        if newer {
            let (plan_id, version) = (key.plan_id, key.version);
            if let Err(err) = self.kept.invalidate_entries_if(move |k: &Key, _| {
                k.plan_id == plan_id && k.version < version
            }) {
                // Only without `support_invalidation_closures`; the older
                // entries then age out, counted.
                tracing::error!(%err, "snapshot cache: older versions not invalidated");
            }
        }
        let weight = u32::try_from(bytes).unwrap_or(u32::MAX);
        self.kept
            .insert(
                key,
                Kept {
                    value: value.clone(),
                    weight,
                },
            )
            .await;
        // A newer version may have been kept (and its invalidation
        // registered) between the check above and this insert.
        if lock(&self.newest)
            .get(&key.plan_id)
            .is_some_and(|newest| *newest > key.version)
        {
            self.kept.invalidate(&key).await;
        }
        true
    }

    /// A plan's kept structure at `version`.
    pub async fn structure(&self, plan_id: i64, version: i64) -> Option<Arc<PlanStructure>> {
        let key = Key {
            plan_id,
            version,
            what: What::Structure,
        };
        match self.kept_value(&key).await? {
            Value::Structure(s) => Some(s),
            Value::Snapshot(_) => None,
        }
    }

    /// A plan's kept snapshot in `scope` at `version`.
    pub async fn snapshot(
        &self,
        plan_id: i64,
        scope: ReportScope,
        version: i64,
    ) -> Option<Arc<PlanData>> {
        let key = Key {
            plan_id,
            version,
            what: What::Snapshot(scope),
        };
        match self.kept_value(&key).await? {
            Value::Snapshot(d) => Some(d),
            Value::Structure(_) => None,
        }
    }

    /// Keeps a structure loaded at `version`, as a request's load does.
    pub async fn put_structure(&self, version: i64, structure: Arc<PlanStructure>) {
        let key = Key {
            plan_id: structure.plan.id,
            version,
            what: What::Structure,
        };
        self.keep(key, &Value::Structure(structure)).await;
        self.kept.run_pending_tasks().await;
    }

    /// Keeps a snapshot loaded at `version`, as a request's load does (a
    /// history is not kept).
    pub async fn put_snapshot(&self, version: i64, data: Arc<PlanData>) {
        let key = Key {
            plan_id: data.plan.id,
            version,
            what: What::Snapshot(data.scope()),
        };
        self.keep(key, &Value::Snapshot(data)).await;
        self.kept.run_pending_tasks().await;
    }

    /// Bytes held by the estimate, once pending evictions and
    /// invalidations are done; for tests, benchmarks and logs.
    pub async fn bytes(&self) -> u64 {
        self.kept.run_pending_tasks().await;
        self.kept.weighted_size()
    }

    /// Entries held, once pending evictions and invalidations are done;
    /// for tests and benchmarks.
    pub async fn entries(&self) -> u64 {
        self.kept.run_pending_tasks().await;
        self.kept.entry_count()
    }

    /// How often a request waited for another request's load of the same
    /// structure or snapshot instead of loading it itself.
    pub fn waited(&self) -> u64 {
        self.waited.load(Ordering::Relaxed)
    }
}

fn scope_of(key: Key) -> ReportScope {
    match key.what {
        What::Structure => ReportScope::Structure,
        What::Snapshot(scope) => scope,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use chrono::NaiveDate;
    use futures_util::FutureExt;
    use tokio::sync::{Barrier, Notify};

    use super::*;
    use crate::error::AppError;
    use crate::service::plan_data::fixtures::{empty_snapshot, empty_structure};

    /// A guard against a test that would hang: a load that never starts
    /// fails the test instead.
    const PATIENCE: Duration = Duration::from_secs(30);

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 10, d).unwrap()
    }

    /// Two requests missing the same snapshot at once: the second finds
    /// the first one's load under way and waits for it; the loader runs
    /// once and both get the same snapshot, which is then kept.
    #[tokio::test]
    async fn two_requests_for_the_same_missing_snapshot_load_it_once() {
        let cache = Arc::new(SnapshotCache::new(1 << 20));
        let structure = empty_structure(1);
        let scope = ReportScope::StandingOn(date(31));
        let calls = Arc::new(AtomicUsize::new(0));
        let entered = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());

        let first = tokio::spawn({
            let (cache, structure, calls) = (cache.clone(), structure.clone(), calls.clone());
            let (entered, release) = (entered.clone(), release.clone());
            async move {
                cache
                    .snapshots(scope, &[(1, 7)], |ids| {
                        calls.fetch_add(1, Ordering::SeqCst);
                        let (structure, entered, release) =
                            (structure.clone(), entered.clone(), release.clone());
                        async move {
                            assert_eq!(ids, vec![1]);
                            entered.notify_one();
                            release.notified().await;
                            Ok(HashMap::from([(1, empty_snapshot(&structure, scope))]))
                        }
                    })
                    .await
            }
        });
        // The first request is inside its loader.
        tokio::time::timeout(PATIENCE, entered.notified())
            .await
            .expect("the first load starts");

        let mut second = Box::pin(cache.snapshots(scope, &[(1, 7)], |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok(HashMap::new()) }
        }));
        // One poll: the second request finds the load under way and waits.
        assert!((&mut second).now_or_never().is_none());
        assert_eq!(cache.waited(), 1, "the second request waits");
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        release.notify_one();
        let first = first.await.unwrap().unwrap();
        let second = tokio::time::timeout(PATIENCE, second)
            .await
            .expect("the second request gets the first one's load")
            .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1, "loaded once");
        assert!(Arc::ptr_eq(&first[&1], &second[&1]));
        // And kept: a third request loads nothing.
        assert!(cache.snapshot(1, scope, 7).await.is_some());
        assert_eq!(cache.entries().await, 1);
        let third = cache
            .snapshots(scope, &[(1, 7)], |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Ok(HashMap::new()) }
            })
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&first[&1], &third[&1]));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a kept snapshot loads nothing"
        );
    }

    /// Two requests missing different snapshots load at the same time: each
    /// loader waits at a barrier for the other, which passes only when both
    /// are inside their loaders at once (a server-wide loading lock would
    /// hold the second outside, and the first would wait for ever).
    #[tokio::test]
    async fn different_missing_snapshots_load_at_the_same_time() {
        let cache = SnapshotCache::new(1 << 20);
        let both_inside = Arc::new(Barrier::new(2));
        let calls = AtomicUsize::new(0);
        let load = |plan_id: i64, scope: ReportScope| {
            let cache = &cache;
            let calls = &calls;
            let both_inside = both_inside.clone();
            async move {
                cache
                    .snapshots(scope, &[(plan_id, 1)], |ids| {
                        calls.fetch_add(1, Ordering::SeqCst);
                        let both_inside = both_inside.clone();
                        async move {
                            assert_eq!(ids, vec![plan_id]);
                            both_inside.wait().await;
                            let structure = empty_structure(plan_id);
                            Ok(HashMap::from([(
                                plan_id,
                                empty_snapshot(&structure, scope),
                            )]))
                        }
                    })
                    .await
            }
        };
        // Two plans at one date, then one plan at two dates.
        for (a, b) in [
            ((1, date(31)), (2, date(31))),
            ((3, date(30)), (3, date(31))),
        ] {
            let (first, second) = tokio::time::timeout(
                PATIENCE,
                futures_util::future::join(
                    load(a.0, ReportScope::StandingOn(a.1)),
                    load(b.0, ReportScope::StandingOn(b.1)),
                ),
            )
            .await
            .expect("both loads run at the same time");
            assert_eq!(first.unwrap()[&a.0].scope(), ReportScope::StandingOn(a.1));
            assert_eq!(second.unwrap()[&b.0].scope(), ReportScope::StandingOn(b.1));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(cache.waited(), 0);
        assert_eq!(cache.entries().await, 4);
    }

    /// Histories, which are never kept, load at the same time as well, the
    /// same plan's included (the review measured 16 goal trends waiting for
    /// each other behind a server-wide lock).
    #[tokio::test]
    async fn histories_load_at_the_same_time_and_are_not_kept() {
        let cache = SnapshotCache::new(1 << 20);
        let both_inside = Arc::new(Barrier::new(2));
        let load = |scope: ReportScope| {
            let cache = &cache;
            let both_inside = both_inside.clone();
            async move {
                cache
                    .snapshots(scope, &[(1, 1)], |_| {
                        let both_inside = both_inside.clone();
                        async move {
                            both_inside.wait().await;
                            let structure = empty_structure(1);
                            Ok(HashMap::from([(1, empty_snapshot(&structure, scope))]))
                        }
                    })
                    .await
            }
        };
        let (first, second) = tokio::time::timeout(
            PATIENCE,
            futures_util::future::join(
                load(ReportScope::GoalHistory(10)),
                load(ReportScope::GoalHistory(11)),
            ),
        )
        .await
        .expect("both histories load at the same time");
        assert_eq!(first.unwrap()[&1].scope(), ReportScope::GoalHistory(10));
        assert_eq!(second.unwrap()[&1].scope(), ReportScope::GoalHistory(11));
        assert_eq!(cache.entries().await, 0, "histories are not kept");
        assert!(
            cache
                .snapshot(1, ReportScope::GoalHistory(10), 1)
                .await
                .is_none()
        );
    }

    /// A load that fails releases its keys: the request that waited for it
    /// loads the snapshot itself instead of waiting for ever or failing.
    #[tokio::test]
    async fn a_failed_load_is_taken_over_by_the_request_that_waited() {
        let cache = Arc::new(SnapshotCache::new(1 << 20));
        let entered = Arc::new(Notify::new());
        let release = Arc::new(Notify::new());
        let first = tokio::spawn({
            let (cache, entered, release) = (cache.clone(), entered.clone(), release.clone());
            async move {
                cache
                    .structures(&[(1, 2)], |_| {
                        let (entered, release) = (entered.clone(), release.clone());
                        async move {
                            entered.notify_one();
                            release.notified().await;
                            Err(AppError::internal("the database went away"))
                        }
                    })
                    .await
            }
        });
        tokio::time::timeout(PATIENCE, entered.notified())
            .await
            .expect("the first load starts");
        let calls = AtomicUsize::new(0);
        let mut second = Box::pin(cache.structures(&[(1, 2)], |ids| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                assert_eq!(ids, vec![1]);
                Ok(HashMap::from([(1, empty_structure(1))]))
            }
        }));
        assert!((&mut second).now_or_never().is_none());
        assert_eq!(cache.waited(), 1);
        release.notify_one();
        assert!(first.await.unwrap().is_err());
        let second = tokio::time::timeout(PATIENCE, second)
            .await
            .expect("the second request takes the load over")
            .unwrap();
        assert_eq!(second[&1].plan.id, 1);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(cache.structure(1, 2).await.is_some());
    }

    /// A request dropped in the middle of its load (its client went away)
    /// releases its keys too.
    #[tokio::test]
    async fn a_dropped_load_is_taken_over_by_the_request_that_waited() {
        let cache = SnapshotCache::new(1 << 20);
        let mut first = Box::pin(cache.structures(&[(1, 2)], |_| async {
            std::future::pending::<()>().await;
            Ok(HashMap::new())
        }));
        assert!((&mut first).now_or_never().is_none(), "inside its load");
        let mut second = Box::pin(cache.structures(&[(1, 2)], |_| async {
            Ok(HashMap::from([(1, empty_structure(1))]))
        }));
        assert!((&mut second).now_or_never().is_none(), "waiting for it");
        drop(first);
        let second = tokio::time::timeout(PATIENCE, second)
            .await
            .expect("the second request takes the load over")
            .unwrap();
        assert_eq!(second[&1].plan.id, 1);
    }

    /// A plan the load does not bring (archived since its version was
    /// read) is simply missing from the answer, for whoever waited too.
    #[tokio::test]
    async fn a_plan_the_load_does_not_bring_is_missing() {
        let cache = SnapshotCache::new(1 << 20);
        let found = cache
            .structures(&[(1, 2), (2, 2)], |ids| async move {
                assert_eq!(ids.len(), 2);
                Ok(HashMap::from([(1, empty_structure(1))]))
            })
            .await
            .unwrap();
        assert_eq!(found.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert!(cache.lock_free_of_loads());
    }

    /// A snapshot larger than a quarter of the budget is handed to the
    /// request (and to whoever waited for it) but not kept.
    #[tokio::test]
    async fn a_snapshot_over_a_quarter_of_the_budget_is_not_kept() {
        let structure = empty_structure(1);
        let scope = ReportScope::StandingOn(date(31));
        let bytes = empty_snapshot(&structure, scope).approx_bytes();
        let cache = SnapshotCache::new(bytes * 4 - 1);
        let found = cache
            .snapshots(scope, &[(1, 1)], |_| {
                let structure = structure.clone();
                async move { Ok(HashMap::from([(1, empty_snapshot(&structure, scope))])) }
            })
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(cache.entries().await, 0);
        assert_eq!(cache.bytes().await, 0);
    }

    impl SnapshotCache {
        fn lock_free_of_loads(&self) -> bool {
            lock(&self.under_way).is_empty()
        }
    }
}
