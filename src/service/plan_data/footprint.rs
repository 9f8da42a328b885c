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

/// What an entry costs beyond its rows: the cache's map slot and order
/// entry, the Arc, the mutex and map of evaluations, allocator rounding.
pub const ENTRY_OVERHEAD: usize = 512;

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
    size_of::<plan::Model>() + text(&p.name) + text(&p.time_zone)
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
    /// Bytes held by the structure: its plan, goals, shares, milestones,
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
    use std::collections::HashMap;
    use std::sync::Arc;

    use chrono::{NaiveDate, TimeZone, Utc};

    use super::super::{PlanStructure, ReportScope, assemble};
    use super::*;
    use crate::service::snapshot_cache::SnapshotCache;

    fn empty_plan() -> Arc<PlanStructure> {
        let at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        Arc::new(PlanStructure {
            plan: plan::Model {
                id: 1,
                owner_unit_id: 1,
                name: "空白草稿计划".into(),
                year: 2025,
                start_date: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                end_date: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
                time_zone: "Asia/Shanghai".into(),
                score_cap: 1.0,
                time_progress_mode: entity::enums::TimeProgressMode::Monthly,
                yellow_gap: 10.0,
                red_gap: 30.0,
                rate_yellow_floor: 80.0,
                reporting_cycle: entity::enums::ReportingCycle::Monthly,
                report_due_day: 5,
                state: entity::enums::PlanState::Draft,
                require_approval: false,
                data_version: 0,
                archived_at: None,
                created_at: at,
                updated_at: at,
            },
            goals: Vec::new(),
            assignments: Vec::new(),
            milestones: Vec::new(),
            supporting: Vec::new(),
            units: HashMap::new(),
        })
    }

    /// Finding 3 of issue 12: a plan with no rows asked at ever more dates
    /// grew the cache without bound, because it was bounded by rows.
    #[test]
    fn an_empty_plan_at_many_dates_stays_within_the_budget() {
        let budget = 1 << 20;
        let cache = SnapshotCache::new(budget);
        let structure = empty_plan();
        let first = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        for day in 0..20_000u64 {
            let date = first + chrono::Days::new(day);
            let data =
                assemble(structure.clone(), ReportScope::StandingOn(date), Vec::new()).unwrap();
            assert!(data.approx_bytes() >= ENTRY_OVERHEAD);
            cache.put_snapshot(0, Arc::new(data));
            assert!(
                cache.bytes() <= budget,
                "{} bytes after {day} dates",
                cache.bytes()
            );
        }
        assert!(
            cache.len() <= budget / ENTRY_OVERHEAD,
            "{} entries",
            cache.len()
        );
        assert!(cache.len() > 100, "the budget holds many small entries");
        // The newest date is kept, the oldest gone.
        let last = first + chrono::Days::new(19_999);
        assert!(
            cache
                .snapshot(1, ReportScope::StandingOn(last), 0)
                .is_some()
        );
        assert!(
            cache
                .snapshot(1, ReportScope::StandingOn(first), 0)
                .is_none()
        );
    }

    /// A newer version of a plan makes its older entries unreachable: they
    /// go at once instead of waiting to be evicted (holding their
    /// structure alive meanwhile).
    #[test]
    fn a_newer_version_replaces_the_older_entries_of_its_plan() {
        let cache = SnapshotCache::new(1 << 20);
        let structure = empty_plan();
        let day = |d: u32| NaiveDate::from_ymd_opt(2025, 10, d).unwrap();
        for d in 1..=5 {
            let data = assemble(
                structure.clone(),
                ReportScope::StandingOn(day(d)),
                Vec::new(),
            )
            .unwrap();
            cache.put_snapshot(3, Arc::new(data));
        }
        cache.put_structure(3, structure.clone());
        assert_eq!(cache.len(), 6);
        let data = assemble(
            structure.clone(),
            ReportScope::StandingOn(day(9)),
            Vec::new(),
        )
        .unwrap();
        cache.put_snapshot(4, Arc::new(data));
        assert_eq!(cache.len(), 1, "only version 4 is left");
        assert!(
            cache
                .snapshot(1, ReportScope::StandingOn(day(9)), 4)
                .is_some()
        );
        // A load that read the older version arrives late: not kept.
        let late = assemble(
            structure.clone(),
            ReportScope::StandingOn(day(2)),
            Vec::new(),
        )
        .unwrap();
        cache.put_snapshot(3, Arc::new(late));
        assert_eq!(cache.len(), 1);
        let bytes = cache.bytes();
        assert!(
            (ENTRY_OVERHEAD..8 * ENTRY_OVERHEAD).contains(&bytes),
            "{bytes}"
        );
    }
}
