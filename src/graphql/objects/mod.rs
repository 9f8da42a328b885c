//! The API's object types, one file per object; the figures every
//! judged object shares (`figures`), and the helpers that load them.
use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;
use entity::{goal, milestone, plan, report, unit};

use super::context::RequestContext;
pub use super::enums::*;
pub use super::ids::id_of;
use super::scalars::Date;
use crate::service::PlanData;
use domain::{self, Evaluation};

mod assignments;
mod audit_entry;
mod figures;
mod goals;
mod milestones;
mod plans;
mod reports;
mod tokens;
mod units;
mod users;

pub use assignments::Assignment;
pub use audit_entry::AuditEntry;
pub use figures::*;
pub use goals::Goal;
pub use milestones::Milestone;
pub use plans::Plan;
pub use reports::{Report, ReviewItem};
pub use tokens::{ApiToken, IssuedToken};
pub use units::Unit;
pub use users::{Me, User};

/// A goal list whose goals ask their trends reads the plan's history once,
/// before the goals resolve, instead of one query per goal.
async fn prefetch_history_for_trends(ctx: &Context<'_>, plan_id: i64) -> Result<()> {
    fn asks_trend(field: async_graphql::SelectionField<'_>) -> bool {
        field
            .selection_set()
            .any(|f| f.name() == "trend" || asks_trend(f))
    }
    if asks_trend(ctx.field()) {
        RequestContext::of(ctx)?.plan_history(plan_id).await?;
    }
    Ok(())
}

/// The judgement at the date a figure is asked for (the argument, or today
/// in the plan's zone), from the reports standing on that date.
async fn evaluation(
    ctx: &Context<'_>,
    data: &PlanData,
    as_of: Option<Date>,
) -> Result<Arc<Evaluation>> {
    let rc = RequestContext::of(ctx)?;
    let date: NaiveDate = match as_of {
        Some(Date(d)) => d,
        None => rc.today_for(&data.plan),
    };
    rc.evaluation(data.plan.id, date).await
}

/// Objects reached through the snapshot are always judged; this is the
/// error should one not be.
fn not_judged(entity: &'static str, id: i64) -> async_graphql::Error {
    crate::error::AppError::not_found(entity, id).into()
}
