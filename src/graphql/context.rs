use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio::sync::Mutex;

use async_graphql::Context;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{plan, unit};
use sea_orm::DatabaseConnection;

use super::budget::RequestBudget;
use crate::config::SessionConfig;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::plan_data::{self, PlanStructure, ReportScope};
use crate::service::reports::Filer;
use crate::service::sessions::SignedIn;
use crate::service::snapshot_cache::SnapshotCache;
use crate::service::{self, PlanData, tokens};
use domain::access::{Actor, Role};
use domain::dates;
use domain::{Evaluation, Lang};

/// What every resolver of one request shares. Built per request, so its
/// caches never serve one request's data to another (servers are stateless).
/// The refusal of a request that came with neither a token nor a session.
pub fn no_caller() -> AppError {
    AppError::refused(
        ErrorCode::Unauthenticated,
        "需要令牌：请在 Authorization 请求头中填写 Bearer <令牌>",
        "a bearer token is required",
    )
}

use async_graphql::dataloader::DataLoader;

use super::attachments::ReportFiles;

pub struct RequestContext {
    pub db: DatabaseConnection,
    /// Snapshots kept between requests; used only at the version this
    /// request reads.
    shared: Arc<SnapshotCache>,
    /// Where reports are filed (together with other requests' reports).
    pub filer: Filer,
    /// Plan structures and snapshots of this request. One lock per
    /// request, held across a load, so a resolver asking for a plan that
    /// another resolver of the same request is loading waits for it instead
    /// of loading it again: the statement count of a request alone on the
    /// server is deterministic (alongside others it can be lower, as their
    /// loads serve it). Across requests nothing is held: the shared cache
    /// loads each missing key once and different keys at the same time.
    plans: Mutex<Snapshots>,
    /// Every unit, loaded in one statement the first time a resolver needs
    /// a unit the plan snapshots do not carry (a `parent`, say); behind a
    /// lock for the same reason as the snapshots.
    units: Mutex<Option<Arc<HashMap<i64, unit::Model>>>>,
    /// The instant the request is served at; "today" derives from it.
    pub now: DateTime<Utc>,
    /// Who is asking; `None` without a bearer token or a session.
    actor: Option<Actor>,
    /// The account and session behind `actor`, when it came with the
    /// session cookie.
    signed_in: Option<SignedIn>,
    /// How sessions and failed passwords are counted (`changePassword`).
    pub sessions: SessionConfig,
    /// What the request may cost (dates, rows held, values answered),
    /// shared by the operations of a batch.
    budget: Arc<RequestBudget>,
    /// The language the caller reads (Accept-Language), for text a field
    /// answers; errors are put in it by `errors::finish`.
    lang: Lang,
    /// The attachments of the reports the request shows, batched.
    pub report_files: DataLoader<ReportFiles>,
}

/// What a request has loaded: each plan's structure once (`None` for a plan
/// that does not exist or is archived), and its snapshots by report scope.
#[derive(Default)]
struct Snapshots {
    /// Each plan's data_version as this request first read it (`None` for
    /// a plan that does not exist or is archived).
    versions: HashMap<i64, Option<i64>>,
    structures: HashMap<i64, Option<Arc<PlanStructure>>>,
    by_scope: HashMap<(i64, ReportScope), Arc<PlanData>>,
}

impl RequestContext {
    pub fn new(
        db: DatabaseConnection,
        shared: Arc<SnapshotCache>,
        filer: Filer,
        now: DateTime<Utc>,
        actor: Option<Actor>,
    ) -> Self {
        RequestContext {
            shared,
            filer,
            actor,
            signed_in: None,
            sessions: SessionConfig::default(),
            plans: Mutex::new(Snapshots::default()),
            units: Mutex::new(None),
            report_files: DataLoader::new(ReportFiles(db.clone()), tokio::spawn),
            db,
            now,
            budget: Arc::new(RequestBudget::new(&crate::config::LimitsConfig::default())),
            lang: Lang::default(),
        }
    }

    /// The account and session the caller signed in with (`None` for a
    /// bearer token), and the server's session settings.
    pub fn with_session(mut self, signed_in: Option<SignedIn>, sessions: SessionConfig) -> Self {
        self.signed_in = signed_in;
        self.sessions = sessions;
        self
    }

    /// Answers text in `lang` (Chinese unless told).
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = lang;
        self
    }

    /// The language the caller reads.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Assignments `budget` with the other operations of the request.
    pub fn with_budget(mut self, budget: Arc<RequestBudget>) -> Self {
        self.budget = budget;
        self
    }

    pub fn budget(&self) -> &RequestBudget {
        &self.budget
    }

    pub fn of<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a RequestContext> {
        ctx.data::<RequestContext>()
            .map_err(|_| AppError::internal("request context missing").into())
    }

    /// A plan's structure (goals, assignments, milestones, units; no reports).
    pub async fn plan_data(&self, plan_id: i64) -> async_graphql::Result<Arc<PlanData>> {
        self.plan_in(plan_id, ReportScope::Structure).await
    }

    /// A plan with its whole report history: for report lists, trends and
    /// the reporting calendar.
    pub async fn plan_history(&self, plan_id: i64) -> async_graphql::Result<Arc<PlanData>> {
        self.plan_in(plan_id, ReportScope::History).await
    }

    /// What a goal's trend reads: the plan's history if this request loads
    /// it anyway (a goal list asking every goal's trend prefetches it), else
    /// the history of the goal's own assignments.
    pub async fn goal_history(
        &self,
        plan_id: i64,
        goal_id: i64,
    ) -> async_graphql::Result<Arc<PlanData>> {
        if let Some(history) = self
            .plans
            .lock()
            .await
            .by_scope
            .get(&(plan_id, ReportScope::History))
        {
            return Ok(history.clone());
        }
        self.plan_in(plan_id, ReportScope::GoalHistory(goal_id))
            .await
    }

    /// The judgement of a plan as of `date`, from the reports standing on it.
    pub async fn evaluation(
        &self,
        plan_id: i64,
        date: NaiveDate,
    ) -> async_graphql::Result<Arc<Evaluation>> {
        Ok(self
            .plan_in(plan_id, ReportScope::StandingOn(date))
            .await?
            .evaluation(date)?)
    }

    /// A plan with the reports standing on `date` (what its figures read).
    pub async fn plan_standing_on(
        &self,
        plan_id: i64,
        date: NaiveDate,
    ) -> async_graphql::Result<Arc<PlanData>> {
        self.plan_in(plan_id, ReportScope::StandingOn(date)).await
    }

    async fn plan_in(
        &self,
        plan_id: i64,
        scope: ReportScope,
    ) -> async_graphql::Result<Arc<PlanData>> {
        self.plans_in(&[plan_id], scope)
            .await?
            .pop()
            .ok_or_else(|| AppError::not_found("plan", plan_id).into())
    }

    /// Several plans' structures in the order asked (missing or archived
    /// plans are left out).
    pub async fn plans_data(&self, plan_ids: &[i64]) -> async_graphql::Result<Vec<Arc<PlanData>>> {
        Ok(self.plans_in(plan_ids, ReportScope::Structure).await?)
    }

    /// Several plans' snapshots in `scope`, in the order asked (missing or
    /// archived plans are left out). Those this request has not seen yet
    /// come from the shared cache at this request's versions, or from
    /// another request's load of the same ones under way, or load
    /// together: their structures once per request (six queries for all of
    /// them), their reports once per scope (one query).
    pub async fn plans_in(
        &self,
        plan_ids: &[i64],
        scope: ReportScope,
    ) -> AppResult<Vec<Arc<PlanData>>> {
        if let ReportScope::StandingOn(date) = scope {
            self.budget.ask_date(date)?;
        }
        let mut cache = self.plans.lock().await;
        // The versions this request works at: one statement for the plans
        // it has not seen yet.
        let unversioned: Vec<i64> = plan_ids
            .iter()
            .copied()
            .filter(|id| !cache.versions.contains_key(id))
            .collect();
        if !unversioned.is_empty() {
            let found = plan_data::versions(&self.db, &unversioned).await?;
            for id in unversioned {
                cache.versions.insert(id, found.get(&id).copied());
            }
        }
        let version = |cache: &Snapshots, id: i64| cache.versions.get(&id).copied().flatten();

        // Structures: each plan's once per request, from the shared cache
        // at this request's version: kept, loading for another request
        // (waited for), or loaded together with the other missing ones.
        let mut seen = HashSet::new();
        let mut wanted = Vec::new();
        for &id in plan_ids {
            if cache.structures.contains_key(&id) || !seen.insert(id) {
                continue;
            }
            match version(&cache, id) {
                None => {
                    cache.structures.insert(id, None);
                }
                Some(v) => wanted.push((id, v)),
            }
        }
        if !wanted.is_empty() {
            let db = &self.db;
            let mut found = self
                .shared
                .structures(&wanted, |ids| async move {
                    plan_data::load_structures(db, &ids).await
                })
                .await?;
            for (id, _) in wanted {
                cache.structures.insert(id, found.remove(&id));
            }
        }

        // Snapshots in the scope, the same way: one report query for all
        // the plans this request loads.
        let mut seen = HashSet::new();
        let mut wanted = Vec::new();
        let mut structures = HashMap::new();
        for &id in plan_ids {
            if cache.by_scope.contains_key(&(id, scope)) || !seen.insert(id) {
                continue;
            }
            if let (Some(structure), Some(v)) = (
                cache.structures.get(&id).cloned().flatten(),
                version(&cache, id),
            ) {
                wanted.push((id, v));
                structures.insert(id, structure);
            }
        }
        if !wanted.is_empty() {
            let db = &self.db;
            let structures = &structures;
            let found = self
                .shared
                .snapshots(scope, &wanted, |ids| {
                    let these = ids
                        .iter()
                        .filter_map(|id| structures.get(id).cloned())
                        .collect();
                    async move { plan_data::snapshots(db, these, scope).await }
                })
                .await?;
            for (id, _) in wanted {
                if let Some(data) = found.get(&id) {
                    self.charge(data)?;
                    cache.by_scope.insert((id, scope), data.clone());
                }
            }
        }
        Ok(plan_ids
            .iter()
            .filter_map(|id| cache.by_scope.get(&(*id, scope)).cloned())
            .collect())
    }

    /// Charges the request for a snapshot it now holds: its rows, and the
    /// plan's rows once more for each evaluation it will be asked for (one
    /// at its date; one per month end for a history's trends).
    fn charge(&self, data: &PlanData) -> AppResult<()> {
        let rows = data.structure().row_count();
        let evaluations = match data.scope() {
            ReportScope::Structure => 0,
            ReportScope::StandingOn(_) => 1,
            ReportScope::History | ReportScope::GoalHistory(_) => {
                domain::schedule::months_through(data.plan.start_date, data.plan.end_date) as usize
            }
        };
        self.budget
            .hold_rows(rows + data.report_count() + rows * evaluations)
    }

    /// Reloads a plan after a write in this request, so later fields of the
    /// same request see the change.
    pub async fn reload_plan(&self, plan_id: i64) -> async_graphql::Result<Arc<PlanData>> {
        self.forget_plans().await;
        self.plan_data(plan_id).await
    }

    /// Every unit, loaded in one statement the first time this request needs one.
    /// Every unit, archived ones too, loaded once per request.
    pub async fn all_units(&self) -> AppResult<Arc<HashMap<i64, unit::Model>>> {
        let mut cache = self.units.lock().await;
        if let Some(units) = cache.as_ref() {
            return Ok(units.clone());
        }
        let units = Arc::new(service::units::all(&self.db).await?);
        *cache = Some(units.clone());
        Ok(units)
    }

    pub async fn unit(&self, unit_id: i64) -> async_graphql::Result<Option<unit::Model>> {
        Ok(self.all_units().await?.get(&unit_id).cloned())
    }

    /// Forgets cached plan snapshots after a write in this request; a later
    /// field that needs one loads it afresh.
    pub async fn forget_plans(&self) {
        *self.plans.lock().await = Snapshots::default();
    }

    /// Forgets cached units after a unit write in this request.
    pub async fn forget_units(&self) {
        *self.units.lock().await = None;
    }

    /// The caller; every query and mutation needs one. A signed-in account
    /// that must change its password gets PASSWORD_CHANGE_REQUIRED here, so
    /// every field but `me` and `changePassword` (which ask `caller`)
    /// refuses it.
    pub fn actor(&self) -> AppResult<&Actor> {
        let actor = self.actor.as_ref().ok_or_else(no_caller)?;
        if self
            .signed_in
            .as_ref()
            .is_some_and(|s| s.account.must_change_password)
        {
            return Err(AppError::refused(
                ErrorCode::PasswordChangeRequired,
                "请先修改密码：管理员设置的初始密码须改为您自己的密码后才能继续使用",
                "change your password first: the password an administrator set must be replaced by one of your own",
            ));
        }
        Ok(actor)
    }

    /// The caller, if any, whether or not it must change its password
    /// first: for `me` and `changePassword` only.
    pub fn caller(&self) -> Option<&Actor> {
        self.actor.as_ref()
    }

    /// The account and session the caller signed in with, if it did.
    pub fn signed_in(&self) -> Option<&SignedIn> {
        self.signed_in.as_ref()
    }

    /// Who the caller is for idempotency keys: its account, its token, or
    /// the operator.
    pub fn caller_key(&self) -> String {
        if let Some(signed_in) = &self.signed_in {
            return format!("user:{}", signed_in.account.id);
        }
        match self.actor.as_ref().and_then(|a| a.token_id) {
            Some(id) => format!("token:{id}"),
            None => "operator".into(),
        }
    }

    /// The caller, who must be an ADMIN (the target office).
    pub fn admin(&self) -> AppResult<&Actor> {
        let actor = self.actor()?;
        if actor.is_admin() {
            Ok(actor)
        } else {
            Err(forbidden(
                actor,
                "只有目标办（管理员令牌）可以进行此操作",
                "only the target office (ADMIN) may do this",
            ))
        }
    }

    /// Each unit's parent, for "this unit or below" checks.
    pub async fn unit_parents(&self) -> AppResult<HashMap<i64, Option<i64>>> {
        Ok(self
            .all_units()
            .await?
            .values()
            .map(|u| (u.id, u.parent_id))
            .collect())
    }

    /// An ADMIN, or a REPORTER of one of these units or a unit above it.
    pub async fn require_reporter_for_any(&self, unit_ids: &[i64]) -> AppResult<&Actor> {
        let actor = self.actor()?;
        let parents = self.unit_parents().await?;
        if unit_ids.iter().any(|u| actor.reports_for(*u, &parents)) {
            Ok(actor)
        } else {
            Err(forbidden(
                actor,
                "此令牌不能为该单位填报，请使用该单位（或其上级单位）的填报令牌",
                "this token does not report for that unit",
            ))
        }
    }

    /// `require_reporter_for_any` for an object of a plan: a caller who
    /// may not even read the plan is told the object does not exist
    /// (NOT_FOUND, as for a wrong ID), one who reads it but does not report
    /// for the unit is FORBIDDEN.
    pub async fn require_reporter_in_plan(
        &self,
        plan_id: i64,
        unit_ids: &[i64],
        entity: &'static str,
        id: i64,
    ) -> AppResult<&Actor> {
        match self.require_reporter_for_any(unit_ids).await {
            Err(err) if err.code() == ErrorCode::Forbidden => {
                if self.visible_plan(plan_id).await?.is_none() {
                    Err(AppError::not_found(entity, id))
                } else {
                    Err(err)
                }
            }
            answer => answer,
        }
    }

    /// Whether the caller may read this plan: ADMIN and VIEWER read every
    /// plan; a REPORTER the plans its unit (or a unit below) carries an assignment of.
    pub async fn may_read(&self, data: &PlanData) -> AppResult<bool> {
        let actor = self.actor()?;
        if actor.role != Role::Reporter {
            return Ok(true);
        }
        let parents = self.unit_parents().await?;
        Ok(data
            .assignments()
            .iter()
            .any(|a| actor.reports_for(a.unit_id, &parents)))
    }

    /// A plan the caller may read, or `None` when it does not exist, is
    /// archived, or the caller takes no part in it: a reader learns
    /// nothing, not even whether it exists, about what it may not see.
    pub async fn visible_plan(&self, plan_id: i64) -> AppResult<Option<Arc<PlanData>>> {
        let Some(data) = self
            .plans_in(&[plan_id], ReportScope::Structure)
            .await?
            .pop()
        else {
            return Ok(None);
        };
        Ok(self.may_read(&data).await?.then_some(data))
    }

    /// A plan the caller must be allowed to read: NOT_FOUND otherwise,
    /// the same as for a plan that does not exist.
    pub async fn readable_plan(&self, plan_id: i64) -> AppResult<Arc<PlanData>> {
        self.visible_plan(plan_id)
            .await?
            .ok_or_else(|| AppError::not_found("plan", plan_id))
    }

    /// A readable plan with its whole report history (the exports).
    pub async fn readable_history(&self, plan_id: i64) -> AppResult<Arc<PlanData>> {
        self.readable_plan(plan_id).await?;
        self.plans_in(&[plan_id], ReportScope::History)
            .await?
            .pop()
            .ok_or_else(|| AppError::not_found("plan", plan_id))
    }

    /// The default asOf: today in the plan's time zone.
    pub fn today_for(&self, plan: &plan::Model) -> NaiveDate {
        dates::today_in_named(&plan.time_zone, self.now)
    }
}

/// A refusal naming the caller: `zh` and `en` say why.
fn forbidden(actor: &Actor, zh: &str, en: &str) -> AppError {
    AppError::refused(
        ErrorCode::Forbidden,
        format!(
            "{}（{}）：{zh}",
            actor.name,
            tokens::role_label(actor.role, Lang::Zh)
        ),
        format!("{} ({}): {en}", actor.name, actor.role),
    )
}
