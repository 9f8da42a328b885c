use async_graphql::{Context, ID, MergedObject, Object, Result};
use entity::{goal, milestone};
use sea_orm::EntityTrait;

use super::context::RequestContext;
use super::inputs::parse_id;
use super::objects::{Assignment, Goal, Milestone, Plan, Unit};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::{assignments, plans, units};

/// A missing object is `null` in a query; any other failure is an error.
fn found<T>(result: AppResult<T>) -> Result<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The core queries: plans, goals, units and what hangs from them.
#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
    /// Every open plan, newest year first.
    async fn plans(&self, ctx: &Context<'_>) -> Result<Vec<Plan>> {
        let rc = RequestContext::of(ctx)?;
        let list = plans::list(&rc.db).await?;
        // When the selection reads the plans' goals or figures, load every
        // snapshot now in one batch rather than plan by plan.
        let look = ctx.look_ahead();
        if Plan::SNAPSHOT_FIELDS.iter().any(|f| look.field(f).exists()) {
            let ids: Vec<i64> = list.iter().map(|p| p.id).collect();
            rc.plans_data(&ids).await?;
        }
        Ok(list.into_iter().map(Plan).collect())
    }

    async fn plan(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Plan>> {
        let rc = RequestContext::of(ctx)?;
        let Ok(id) = parse_id("plan", &id) else {
            return Ok(None);
        };
        Ok(found(plans::find(&rc.db, id).await)?.map(Plan))
    }

    /// A goal that is part of an open plan (archived goals are gone).
    async fn goal(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Goal>> {
        let rc = RequestContext::of(ctx)?;
        let Ok(id) = parse_id("goal", &id) else {
            return Ok(None);
        };
        let Some(row) = goal::Entity::find_by_id(id)
            .one(&rc.db)
            .await
            .map_err(AppError::from)?
        else {
            return Ok(None);
        };
        let Some(data) = found(plans::find(&rc.db, row.plan_id).await)? else {
            return Ok(None);
        };
        let data = rc.plan_data(data.id).await?;
        Ok(data.goal(id).map(|g| Goal::new(&data, g)))
    }

    async fn assignment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Assignment>> {
        let rc = RequestContext::of(ctx)?;
        let Ok(id) = parse_id("assignment", &id) else {
            return Ok(None);
        };
        let Some(row) = found(assignments::find(&rc.db, id).await)? else {
            return Ok(None);
        };
        let Some(plan) = found(plans::find(&rc.db, row.plan_id).await)? else {
            return Ok(None);
        };
        let data = rc.plan_data(plan.id).await?;
        Ok(data.assignment(id).map(|a| Assignment::new(&data, a.id)))
    }

    async fn milestone(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Milestone>> {
        let rc = RequestContext::of(ctx)?;
        let Ok(id) = parse_id("milestone", &id) else {
            return Ok(None);
        };
        let row = milestone::Entity::find_by_id(id)
            .one(&rc.db)
            .await
            .map_err(AppError::from)?;
        Ok(row.filter(|m| m.archived_at.is_none()).map(Milestone))
    }

    /// Every unit that is not archived, in creation order.
    async fn units(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let rc = RequestContext::of(ctx)?;
        Ok(units::list(&rc.db).await?.into_iter().map(Unit).collect())
    }

    async fn unit(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Unit>> {
        let rc = RequestContext::of(ctx)?;
        let Ok(id) = parse_id("unit", &id) else {
            return Ok(None);
        };
        Ok(found(units::find(&rc.db, id).await)?.map(Unit))
    }
}

/// The query root: the core queries and the watch lists.
#[derive(MergedObject, Default)]
pub struct QueryRoot(CoreQuery, super::watch::WatchQuery);
