use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{plan, unit};
use sea_orm::DatabaseConnection;

use crate::domain::dates;
use crate::error::AppError;
use crate::service::{self, PlanData};

/// Loads plan snapshots; concurrent requests for several plans in one
/// GraphQL request become one `load_plans` call (seven queries).
pub struct PlanLoader(DatabaseConnection);

impl Loader<i64> for PlanLoader {
    type Value = Arc<PlanData>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::load_plans(&self.0, keys).await.map_err(Arc::new)
    }
}

pub struct UnitLoader(DatabaseConnection);

impl Loader<i64> for UnitLoader {
    type Value = unit::Model;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        service::units::by_ids(&self.0, keys)
            .await
            .map_err(Arc::new)
    }
}

/// What every resolver of one request shares. Built per request, so its
/// caches never serve one request's data to another (servers are stateless).
pub struct RequestContext {
    pub db: DatabaseConnection,
    plans: DataLoader<PlanLoader, HashMapCache>,
    units: DataLoader<UnitLoader, HashMapCache>,
    /// The instant the request is served at; "today" derives from it.
    pub now: DateTime<Utc>,
}

impl RequestContext {
    pub fn new(db: DatabaseConnection, now: DateTime<Utc>) -> Self {
        RequestContext {
            plans: DataLoader::with_cache(
                PlanLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            units: DataLoader::with_cache(
                UnitLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            db,
            now,
        }
    }

    pub fn of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a RequestContext> {
        ctx.data::<RequestContext>()
            .map_err(|_| AppError::internal("request context missing").into())
    }

    pub async fn plan_data(&self, plan_id: i64) -> async_graphql::Result<Arc<PlanData>> {
        self.plans
            .load_one(plan_id)
            .await
            .map_err(unshare)?
            .ok_or_else(|| AppError::not_found("plan", plan_id).into())
    }

    /// Several plans' snapshots, loaded in one batch, in the order asked.
    pub async fn plans_data(&self, plan_ids: &[i64]) -> async_graphql::Result<Vec<Arc<PlanData>>> {
        let mut found = self
            .plans
            .load_many(plan_ids.iter().copied())
            .await
            .map_err(unshare)?;
        Ok(plan_ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Reloads a plan after a write in this request, so later fields of the
    /// same request see the change.
    pub async fn reload_plan(&self, plan_id: i64) -> async_graphql::Result<Arc<PlanData>> {
        let fresh = service::load_plans(&self.db, &[plan_id]).await?;
        let data = fresh
            .get(&plan_id)
            .cloned()
            .ok_or_else(|| AppError::not_found("plan", plan_id))?;
        self.plans.feed_one(plan_id, data.clone()).await;
        Ok(data)
    }

    pub async fn unit(&self, unit_id: i64) -> async_graphql::Result<Option<unit::Model>> {
        self.units.load_one(unit_id).await.map_err(unshare)
    }

    /// Forgets cached plan snapshots after a write in this request; a later
    /// field that needs one loads it afresh.
    pub fn forget_plans(&self) {
        self.plans.clear::<i64>();
    }

    /// Forgets cached units after a unit write in this request.
    pub fn forget_units(&self) {
        self.units.clear::<i64>();
    }

    /// The default asOf: today in the plan's time zone.
    pub fn today_for(&self, plan: &plan::Model) -> NaiveDate {
        let zone = dates::parse_time_zone(&plan.time_zone)
            .or_else(|| dates::parse_time_zone(dates::DEFAULT_TIME_ZONE))
            .unwrap_or(chrono_tz::Asia::Shanghai);
        dates::today_in(zone, self.now)
    }
}

fn unshare(err: Arc<AppError>) -> async_graphql::Error {
    match Arc::try_unwrap(err) {
        Ok(e) => e.into(),
        Err(shared) => match &*shared {
            AppError::Rejected { code, message } => {
                AppError::rejected(*code, message.clone()).into()
            }
            AppError::NotFound { entity, id } => AppError::not_found(entity, id).into(),
            AppError::Internal(detail) => AppError::internal(detail.to_string()).into(),
        },
    }
}
