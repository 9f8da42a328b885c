//! How much memory a kept structure or snapshot holds, estimated from what
//! it contains: the size of each row and of the text it carries, the facts
//! and the evaluations derived from it, and a fixed cost per entry. The
//! snapshot cache bounds itself by these bytes, so an entry with no rows
//! (an empty plan asked at another date) still counts, and a plan with
//! long texts counts for them. `benches/snapshot_cache.rs` measures the
//! resident memory of a full cache against this estimate.
use std::mem::size_of;

use entity::{assignment, goal, milestone, plan, report, unit};

use super::{PlanData, PlanStructure};
use domain::PlanFacts;

/// What an entry costs beyond its rows: the cache's entry (moka's
/// key, value and weight, its hash-table slot and access-order and
/// write-order nodes), the Arc, the mutex and map of evaluations,
/// allocator rounding. Measured by `benches/snapshot_cache.rs` on the
/// smallest entries there are (an empty plan at 270,000 dates): 512 bytes
/// left moka's cache 0.6 % over its budget in live heap (128.8 MiB for
/// 128 MiB); 544 keeps it under (124.9 MiB).
pub const ENTRY_OVERHEAD: usize = 544;

fn text(s: &String) -> usize {
    s.capacity()
}

fn opt(s: &Option<String>) -> usize {
    s.as_ref().map_or(0, text)
}

/// A vector's slots, used or not: it grew by doubling while rows streamed in.
fn slots<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// A JSON array of numbers (a monthly plan curve): a value per element.
fn json(value: &Option<serde_json::Value>) -> usize {
    match value {
        Some(serde_json::Value::Array(items)) => items.len() * size_of::<serde_json::Value>(),
        Some(_) => size_of::<serde_json::Value>(),
        None => 0,
    }
}

fn plan_bytes(p: &plan::Model) -> usize {
    size_of::<plan::Model>() + text(&p.name) + text(&p.time_zone) + opt(&p.remarks)
}

/// The heap a goal row holds beyond its slot.
fn goal_bytes(g: &goal::Model) -> usize {
    opt(&g.code)
        + text(&g.title)
        + opt(&g.category)
        + opt(&g.measure_unit)
        + json(&g.monthly_plan)
        + opt(&g.responsible_leader)
        + opt(&g.responsible_person)
        + opt(&g.original_text)
        + opt(&g.remarks)
        + opt(&g.supporting_text)
}

fn assignment_bytes(a: &assignment::Model) -> usize {
    opt(&a.responsible_person)
}

fn milestone_bytes(m: &milestone::Model) -> usize {
    text(&m.title)
}

fn report_bytes(r: &report::Model) -> usize {
    opt(&r.note)
        + opt(&r.problems)
        + opt(&r.next_steps)
        + opt(&r.submitted_by)
        + opt(&r.reviewed_by)
        + opt(&r.review_reason)
}

fn facts_bytes(facts: &PlanFacts) -> usize {
    size_of::<PlanFacts>()
        + slots(&facts.goals)
        + facts
            .goals
            .iter()
            .map(|g| {
                opt(&g.category)
                    + g.monthly_plan.as_ref().map_or(0, slots)
                    + slots(&g.milestones)
                    + slots(&g.assignments)
                    + g.assignments
                        .iter()
                        .map(|a| slots(&a.reports))
                        .sum::<usize>()
            })
            .sum::<usize>()
}

impl PlanStructure {
    /// Bytes held by the structure: its plan, goals, assignments, milestones,
    /// supporting units and units.
    pub fn approx_bytes(&self) -> usize {
        ENTRY_OVERHEAD
            + plan_bytes(&self.plan)
            + slots(&self.goals)
            + self.goals.iter().map(goal_bytes).sum::<usize>()
            + slots(&self.assignments)
            + self.assignments.iter().map(assignment_bytes).sum::<usize>()
            + slots(&self.milestones)
            + self.milestones.iter().map(milestone_bytes).sum::<usize>()
            + slots(&self.supporting)
            + self.units.capacity() * (size_of::<(i64, unit::Model)>() + 1) * 8 / 7
            + self.units.values().map(|u| text(&u.name)).sum::<usize>()
    }
}

impl PlanData {
    /// Bytes held by the snapshot beyond its structure (which is shared,
    /// and counted by its own entry): its plan row, reports, facts and the
    /// evaluations computed so far.
    pub fn approx_bytes(&self) -> usize {
        let evaluations: usize = self
            .evaluations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(|e| e.approx_bytes())
            .sum();
        ENTRY_OVERHEAD
            + plan_bytes(&self.plan)
            + slots(&self.reports)
            + self.reports.iter().map(report_bytes).sum::<usize>()
            + facts_bytes(&self.facts)
            + evaluations
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::super::ReportScope;
    use super::super::fixtures::{empty_snapshot, empty_structure};
    use super::*;
    use crate::service::snapshot_cache::SnapshotCache;

    /// Finding 3 of issue 12: a plan with no rows asked at ever more dates
    /// grew the cache without bound, because it was bounded by rows.
    #[tokio::test]
    async fn an_empty_plan_at_many_dates_stays_within_the_budget() {
        let budget = 1 << 20;
        let cache = SnapshotCache::new(budget);
        let structure = empty_structure(1);
        let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let mut weights = Vec::new();
        for day in 0..20_000u64 {
            let date = first + chrono::Days::new(day);
            let data = empty_snapshot(&structure, ReportScope::StandingOn(date));
            assert!(data.approx_bytes() >= ENTRY_OVERHEAD);
            cache.put_snapshot(0, data.clone()).await;
            // Counted with its evaluation, which the cache computed.
            weights.push(data.approx_bytes());
            let bytes = cache.bytes().await;
            assert!(bytes <= budget as u64, "{bytes} bytes after {day} dates");
        }
        let entries = cache.entries().await;
        assert!(
            entries as usize <= budget / ENTRY_OVERHEAD,
            "{entries} entries"
        );
        // Full: the entries kept are the newest dates, and their weights
        // (every snapshot of an empty plan weighs the same) fill the
        // budget but for less than one entry.
        let weight = weights[0] as u64;
        assert!(weights.iter().all(|w| *w as u64 == weight));
        assert_eq!(entries, budget as u64 / weight, "{weight} bytes each");
        assert_eq!(cache.bytes().await, entries * weight);
        assert!(entries > 100, "the budget holds many small entries");
        // Least recently used out: the newest dates are kept, in full,
        // the older gone.
        for day in (20_000 - entries)..20_000 {
            let date = first + chrono::Days::new(day);
            assert!(
                cache
                    .snapshot(1, ReportScope::StandingOn(date), 0)
                    .await
                    .is_some(),
                "day {day} kept"
            );
        }
        let dropped = first + chrono::Days::new(20_000 - entries - 1);
        assert!(
            cache
                .snapshot(1, ReportScope::StandingOn(dropped), 0)
                .await
                .is_none()
        );
        assert!(
            cache
                .snapshot(1, ReportScope::StandingOn(first), 0)
                .await
                .is_none()
        );
    }

    /// A newer version of a plan makes its older entries unreachable: they
    /// go at once instead of waiting to be evicted (holding their
    /// structure alive meanwhile).
    #[tokio::test]
    async fn a_newer_version_replaces_the_older_entries_of_its_plan() {
        let cache = SnapshotCache::new(1 << 20);
        let structure = empty_structure(1);
        let other = empty_structure(2);
        let day = |d: u32| NaiveDate::from_ymd_opt(2025, 10, d).unwrap();
        for d in 1..=5 {
            let scope = ReportScope::StandingOn(day(d));
            cache
                .put_snapshot(3, empty_snapshot(&structure, scope))
                .await;
        }
        cache.put_structure(3, structure.clone()).await;
        // Another plan's entry at an older version stays.
        cache.put_structure(1, other.clone()).await;
        assert_eq!(cache.entries().await, 7);
        let newer = empty_snapshot(&structure, ReportScope::StandingOn(day(9)));
        cache.put_snapshot(4, newer.clone()).await;
        assert_eq!(
            cache.entries().await,
            2,
            "only version 4 and the other plan"
        );
        assert!(
            cache
                .snapshot(1, ReportScope::StandingOn(day(9)), 4)
                .await
                .is_some()
        );
        assert!(cache.structure(1, 3).await.is_none());
        assert!(
            cache
                .snapshot(1, ReportScope::StandingOn(day(1)), 3)
                .await
                .is_none()
        );
        assert!(cache.structure(2, 1).await.is_some());
        // A load that read the older version arrives late: not kept.
        let late = empty_snapshot(&structure, ReportScope::StandingOn(day(2)));
        cache.put_snapshot(3, late).await;
        assert_eq!(cache.entries().await, 2);
        assert_eq!(
            cache.bytes().await,
            (newer.approx_bytes() + other.approx_bytes()) as u64
        );
    }
}
