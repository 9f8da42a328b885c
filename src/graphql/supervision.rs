//! 督查督办 in the API: supervision items, their steps, extension requests,
//! the lists and the per-unit figures. REPORTERs act on the items their
//! unit (or a unit below it) leads and read those it leads or supports;
//! VIEWERs read; ADMINs hand items over, close, return, urge, reopen and
//! decide extensions. Lights and figures are `domain::supervision`'s.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;
use entity::{supervision_event, supervision_extension, supervision_item};

use super::attachments::{Attachment, evidence};
use super::audit::author;
use super::context::RequestContext;
use super::enums::Light;
use super::ids::id_of;
use super::inputs::{parse_id, parse_ids, parse_opt_id};
use super::objects::{Goal, Unit};
use super::scalars::Date;
use crate::error::AppError;
use crate::service::attachments::Evidence;
use crate::service::supervision::{self, ItemDetails, NewItem, Step};
use domain::access::{Role, is_within};
use domain::supervision::{ItemLightRules, item_light, item_stats};

/// Where a supervision item stands.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "SupervisionState", remote = "domain::supervision::ItemState")]
pub enum SupervisionState {
    /// 已交办.
    Assigned,
    /// 已签收.
    Accepted,
    /// 办理中.
    InProgress,
    /// 申请办结.
    ClosureRequested,
    /// 已办结/销号.
    Closed,
}

/// Where an item comes from.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "SupervisionSource", remote = "domain::supervision::ItemSource")]
pub enum SupervisionSource {
    /// 领导批示.
    LeaderInstruction,
    /// 会议议定.
    Meeting,
    /// Opened by `supervise` for a red or overdue goal.
    RedLight,
    /// 督查检查.
    Inspection,
    Other,
}

/// 一般 / 重点 / 挂牌.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "SupervisionLevel", remote = "domain::supervision::ItemLevel")]
pub enum SupervisionLevel {
    Normal,
    Key,
    Listed,
}

/// A supervision item with what its lists and figures read.
pub struct SupervisionItem {
    model: supervision_item::Model,
    details: Arc<ItemDetails>,
}

impl SupervisionItem {
    fn facts(&self) -> domain::supervision::ItemFacts {
        self.details.facts(&self.model)
    }
}

/// The date asked, else today in the item's plan.
async fn date_for(ctx: &Context<'_>, plan_id: i64, as_of: Option<Date>) -> Result<NaiveDate> {
    let rc = RequestContext::of(ctx)?;
    Ok(match as_of {
        Some(Date(d)) => d,
        None => rc.today_for(&rc.plan_data(plan_id).await?.plan),
    })
}

#[Object]
impl SupervisionItem {
    async fn id(&self) -> ID {
        id_of(self.model.id)
    }
    async fn plan_id(&self) -> ID {
        id_of(self.model.plan_id)
    }
    async fn title(&self) -> &str {
        &self.model.title
    }
    /// 交办内容.
    async fn content(&self) -> Option<&str> {
        self.model.content.as_deref()
    }
    async fn source(&self) -> SupervisionSource {
        domain::supervision::ItemSource::from(self.model.source).into()
    }
    async fn level(&self) -> SupervisionLevel {
        domain::supervision::ItemLevel::from(self.model.level).into()
    }
    async fn state(&self) -> SupervisionState {
        domain::supervision::ItemState::from(self.model.state).into()
    }
    async fn lead_unit(&self, ctx: &Context<'_>) -> Result<Unit> {
        let id = self.model.lead_unit_id;
        RequestContext::of(ctx)?
            .unit(id)
            .await?
            .map(Unit)
            .ok_or_else(|| AppError::not_found("unit", id).into())
    }
    async fn supporting_units(&self, ctx: &Context<'_>) -> Result<Vec<Unit>> {
        let rc = RequestContext::of(ctx)?;
        let mut units = Vec::new();
        for id in self
            .details
            .supporting
            .get(&self.model.id)
            .into_iter()
            .flatten()
        {
            if let Some(u) = rc.unit(*id).await? {
                units.push(Unit(u));
            }
        }
        Ok(units)
    }
    async fn responsible_leader(&self) -> Option<&str> {
        self.model.responsible_leader.as_deref()
    }
    /// The day it was handed over (交办).
    async fn assigned_on(&self) -> Date {
        Date(self.model.assigned_on)
    }
    /// The deadline it was given (extensions keep it).
    async fn deadline(&self) -> Date {
        Date(self.model.deadline)
    }
    /// The deadline in force on the date: the last extension approved by
    /// then, else the one it was given.
    async fn deadline_in_force(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Date> {
        let date = date_for(ctx, self.model.plan_id, as_of).await?;
        Ok(Date(self.facts().deadline_on(date)))
    }
    /// 三色督办 as of the date: RED overdue, YELLOW no feedback within the
    /// feedback cycle (15 days), BLUE due within 7 days, else GREEN; null
    /// once closed.
    async fn light(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Option<Light>> {
        let date = date_for(ctx, self.model.plan_id, as_of).await?;
        Ok(item_light(&self.facts(), date, ItemLightRules::default()).map(Light::from))
    }
    /// Open on the date and past the deadline in force.
    async fn overdue(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<bool> {
        let date = date_for(ctx, self.model.plan_id, as_of).await?;
        Ok(self.facts().overdue_on(date))
    }
    async fn closed_on(&self) -> Option<Date> {
        self.model.closed_on.map(Date)
    }
    /// Closed on or before the deadline in force that day; null while open.
    async fn closed_on_time(&self) -> Option<bool> {
        self.facts().closed_on_time()
    }
    /// 催办 so far.
    async fn urge_count(&self) -> i32 {
        self.model.urge_count
    }
    /// The goals it is about.
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        let data = RequestContext::of(ctx)?
            .plan_data(self.model.plan_id)
            .await?;
        Ok(self
            .details
            .goals
            .get(&self.model.id)
            .into_iter()
            .flatten()
            .filter_map(|id| data.goal(*id).map(|g| Goal::new(&data, g)))
            .collect())
    }
    /// For an automatic (RED_LIGHT) item: whether its goal is no longer red
    /// or overdue today, so the item can be closed in one step
    /// (`closeRecoveredSupervisionItem`); null for other items.
    async fn indicator_recovered(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let Some(goal_id) = self.model.auto_goal_id else {
            return Ok(None);
        };
        Ok(Some(recovered(ctx, self.model.plan_id, goal_id).await?))
    }
    /// What happened to it, oldest first.
    async fn events(&self) -> Vec<SupervisionEvent> {
        self.details
            .events
            .get(&self.model.id)
            .into_iter()
            .flatten()
            .cloned()
            .map(|event| SupervisionEvent {
                files: self.details.files_of_event(self.model.id, event.id),
                event,
            })
            .collect()
    }
    /// Every 佐证材料 its feedback and closure requests cited, oldest first.
    async fn attachments(&self) -> Vec<Attachment> {
        self.details
            .files
            .get(&self.model.id)
            .into_iter()
            .flatten()
            .cloned()
            .map(Attachment)
            .collect()
    }
    /// Its extension requests, oldest first.
    async fn extension_requests(&self) -> Vec<ExtensionRequest> {
        self.details
            .extensions
            .get(&self.model.id)
            .into_iter()
            .flatten()
            .cloned()
            .map(ExtensionRequest)
            .collect()
    }
}

/// Whether an automatic item's goal is neither red nor overdue today.
async fn recovered(ctx: &Context<'_>, plan_id: i64, goal_id: i64) -> Result<bool> {
    let rc = RequestContext::of(ctx)?;
    let today = rc.today_for(&rc.plan_data(plan_id).await?.plan);
    let eval = rc.evaluation(plan_id, today).await?;
    Ok(match eval.goal(goal_id) {
        Some(p) => !domain::supervision::goal_needs_supervision(
            p.light,
            p.status == domain::Status::Overdue,
        ),
        // A goal archived since is nothing to recover from.
        None => true,
    })
}

/// One thing that happened to an item.
pub struct SupervisionEvent {
    event: supervision_event::Model,
    files: Vec<entity::attachment::Model>,
}

#[Object]
impl SupervisionEvent {
    /// The files this feedback or closure request cited.
    async fn attachments(&self) -> Vec<Attachment> {
        self.files.iter().cloned().map(Attachment).collect()
    }
    /// ASSIGN, ACCEPT, FEEDBACK, CLOSURE_REQUEST, CLOSE, RETURN, URGE,
    /// EXTENSION_REQUEST, EXTENSION_DECISION or REOPEN.
    async fn kind(&self) -> &str {
        &self.event.kind
    }
    /// The feedback, the closure summary, a reason.
    async fn content(&self) -> Option<&str> {
        self.event.content.as_deref()
    }
    /// The day, in the plan's time zone.
    async fn on_date(&self) -> Date {
        Date(self.event.on_date)
    }
    async fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.event.at
    }
    async fn actor(&self) -> &str {
        &self.event.actor
    }
}

/// A request to move an item's deadline, and its decision.
pub struct ExtensionRequest(supervision_extension::Model);

#[Object]
impl ExtensionRequest {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn item_id(&self) -> ID {
        id_of(self.0.item_id)
    }
    async fn new_deadline(&self) -> Date {
        Date(self.0.new_deadline)
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn requested_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.requested_at
    }
    async fn requested_by(&self) -> &str {
        &self.0.requested_by
    }
    /// APPROVED or REJECTED; null while it waits.
    async fn decision(&self) -> Option<&str> {
        self.0.decision.as_deref()
    }
    async fn decision_reason(&self) -> Option<&str> {
        self.0.decision_reason.as_deref()
    }
    /// From this day an approved new deadline is in force.
    async fn decided_on(&self) -> Option<Date> {
        self.0.decided_on.map(Date)
    }
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }
}

/// A unit's supervision figures as of a date.
#[derive(SimpleObject)]
pub struct UnitSupervisionStats {
    pub unit: Unit,
    /// Items handed to it by the date.
    pub assigned: u32,
    /// Of those, closed by then.
    pub closed: u32,
    /// Closed on or before the deadline in force that day.
    pub closed_on_time: u32,
    /// Open and past the deadline in force.
    pub overdue: u32,
    /// 办结率: closed / assigned × 100; null with nothing assigned.
    pub closure_rate: Option<f64>,
    /// 按期办结率: closed on time / the items that should be finished by the
    /// date (closed, or past their deadline) × 100; null when none is due.
    pub on_time_rate: Option<f64>,
}

#[derive(InputObject)]
pub struct CreateSupervisionItemInput {
    pub plan_id: ID,
    pub title: String,
    /// 交办内容.
    pub content: Option<String>,
    pub source: SupervisionSource,
    pub lead_unit_id: ID,
    #[graphql(default)]
    pub supporting_unit_ids: Vec<ID>,
    pub responsible_leader: Option<String>,
    pub deadline: Date,
    #[graphql(default_with = "SupervisionLevel::Normal")]
    pub level: SupervisionLevel,
    /// The goals it is about (of the same plan).
    #[graphql(default)]
    pub goal_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct SupervisionFeedbackInput {
    pub item_id: ID,
    pub content: String,
    /// 佐证材料 (from `uploadAttachment`) this feedback cites.
    #[graphql(default)]
    pub attachment_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct SupervisionClosureInput {
    pub item_id: ID,
    /// 办结情况: what was done.
    pub summary: String,
    /// 佐证材料 (from `uploadAttachment`) proving it.
    #[graphql(default)]
    pub attachment_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct SupervisionReasonInput {
    pub item_id: ID,
    pub reason: String,
}

#[derive(InputObject)]
pub struct RequestExtensionInput {
    pub item_id: ID,
    pub new_deadline: Date,
    pub reason: String,
}

#[derive(InputObject)]
pub struct DecideExtensionInput {
    pub request_id: ID,
    pub approve: bool,
    pub reason: Option<String>,
}

/// A unit's supervision figures as of a date, as the unit ranking shows
/// them beside its completion.
#[derive(SimpleObject, Clone, Copy, Debug, Default, PartialEq)]
pub struct SupervisionFigures {
    pub assigned: u32,
    pub closed: u32,
    pub closed_on_time: u32,
    pub overdue: u32,
    /// 办结率 (%); null with nothing assigned.
    pub closure_rate: Option<f64>,
    /// 按期办结率 (%); null when nothing is due.
    pub on_time_rate: Option<f64>,
}

/// The figures of every unit leading items of a plan (those the caller may
/// read), in the order units first appear: one list, whatever the units.
pub(super) async fn figures_by_unit(
    ctx: &Context<'_>,
    plan_id: i64,
    date: NaiveDate,
) -> Result<Vec<(i64, SupervisionFigures)>> {
    let rc = RequestContext::of(ctx)?;
    let items = readable(ctx, supervision::list(&rc.db, Some(plan_id), None).await?).await?;
    let mut by_unit: Vec<(i64, Vec<domain::supervision::ItemFacts>)> = Vec::new();
    for item in &items {
        let facts = item.facts();
        match by_unit
            .iter_mut()
            .find(|(u, _)| *u == item.model.lead_unit_id)
        {
            Some((_, list)) => list.push(facts),
            None => by_unit.push((item.model.lead_unit_id, vec![facts])),
        }
    }
    Ok(by_unit
        .into_iter()
        .map(|(unit, facts)| {
            let s = item_stats(&facts, date);
            (
                unit,
                SupervisionFigures {
                    assigned: s.assigned,
                    closed: s.closed,
                    closed_on_time: s.closed_on_time,
                    overdue: s.overdue,
                    closure_rate: s.closure_rate(),
                    on_time_rate: s.on_time_rate(),
                },
            )
        })
        .collect())
}

/// Whether the caller may read an item: ADMIN and VIEWER every one, a
/// REPORTER those its unit (or one below it) leads or supports.
fn may_read(
    role: Role,
    own_unit: Option<i64>,
    item: &supervision_item::Model,
    details: &ItemDetails,
    parents: &HashMap<i64, Option<i64>>,
) -> bool {
    let units = std::iter::once(item.lead_unit_id).chain(
        details
            .supporting
            .get(&item.id)
            .into_iter()
            .flatten()
            .copied(),
    );
    domain::access::may_read_for_units(role, own_unit, units, parents)
}

/// Items with their details, those the caller may read.
async fn readable(
    ctx: &Context<'_>,
    items: Vec<supervision_item::Model>,
) -> Result<Vec<SupervisionItem>> {
    let rc = RequestContext::of(ctx)?;
    let actor = rc.actor()?;
    let details = Arc::new(supervision::details(&rc.db, &items).await?);
    let parents = rc.unit_parents().await?;
    Ok(items
        .into_iter()
        .filter(|i| may_read(actor.role, actor.unit_id, i, &details, &parents))
        .map(|model| SupervisionItem {
            model,
            details: details.clone(),
        })
        .collect())
}

/// One item the caller may read, or NOT_FOUND.
pub(super) async fn readable_item(ctx: &Context<'_>, id: i64) -> Result<SupervisionItem> {
    let rc = RequestContext::of(ctx)?;
    let item = supervision::find(&rc.db, id).await?;
    readable(ctx, vec![item])
        .await?
        .pop()
        .ok_or_else(|| AppError::not_found("supervision item", id).into())
}

#[derive(Default)]
pub struct SupervisionQuery;

#[Object]
impl SupervisionQuery {
    /// Supervision items the caller may read, oldest first, narrowed by
    /// plan, unit (leading it or below it), state, light or overdue as of
    /// the date (default today in each item's plan).
    #[allow(clippy::too_many_arguments)]
    async fn supervision_items(
        &self,
        ctx: &Context<'_>,
        plan_id: Option<ID>,
        unit_id: Option<ID>,
        state: Option<SupervisionState>,
        light: Option<Light>,
        overdue: Option<bool>,
        as_of: Option<Date>,
    ) -> Result<Vec<SupervisionItem>> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        let plan_id = parse_opt_id("plan", &plan_id)?;
        if let Some(plan) = plan_id {
            rc.readable_plan(plan).await?;
        }
        let unit_id = parse_opt_id("unit", &unit_id)?;
        let items = supervision::list(&rc.db, plan_id, None).await?;
        let parents = rc.unit_parents().await?;
        let mut out = Vec::new();
        for item in readable(ctx, items).await? {
            if let Some(unit) = unit_id
                && !is_within(item.model.lead_unit_id, unit, &parents)
            {
                continue;
            }
            if let Some(s) = state
                && domain::supervision::ItemState::from(item.model.state) != s.into()
            {
                continue;
            }
            let date = date_for(ctx, item.model.plan_id, as_of).await?;
            // As of a day before it was handed over, the item was not there.
            if as_of.is_some() && item.model.assigned_on > date {
                continue;
            }
            let facts = item.facts();
            if let Some(l) = light
                && item_light(&facts, date, ItemLightRules::default()) != Some(l.into())
            {
                continue;
            }
            if let Some(o) = overdue
                && facts.overdue_on(date) != o
            {
                continue;
            }
            out.push(item);
        }
        Ok(out)
    }

    async fn supervision_item(&self, ctx: &Context<'_>, id: ID) -> Result<SupervisionItem> {
        readable_item(ctx, parse_id("supervision item", &id)?).await
    }

    /// Per lead unit of the plan's items: assigned, closed, closed on time,
    /// overdue, 办结率 and 按期办结率 as of the date (default today).
    async fn supervision_stats(
        &self,
        ctx: &Context<'_>,
        plan_id: ID,
        as_of: Option<Date>,
    ) -> Result<Vec<UnitSupervisionStats>> {
        let rc = RequestContext::of(ctx)?;
        let plan_id = parse_id("plan", &plan_id)?;
        let data = rc.readable_plan(plan_id).await?;
        let date = as_of.map_or_else(|| rc.today_for(&data.plan), |d| d.0);
        let mut out = Vec::new();
        for (unit_id, figures) in figures_by_unit(ctx, plan_id, date).await? {
            let Some(unit) = rc.unit(unit_id).await? else {
                continue;
            };
            out.push(UnitSupervisionStats {
                unit: Unit(unit),
                assigned: figures.assigned,
                closed: figures.closed,
                closed_on_time: figures.closed_on_time,
                overdue: figures.overdue,
                closure_rate: figures.closure_rate,
                on_time_rate: figures.on_time_rate,
            });
        }
        Ok(out)
    }
}

#[derive(Default)]
pub struct SupervisionMutation;

/// A step by the lead unit (or an ADMIN): the caller must report for it.
async fn unit_step(
    ctx: &Context<'_>,
    id: &ID,
    step: Step,
    evidence: Evidence,
) -> Result<SupervisionItem> {
    let rc = RequestContext::of(ctx)?;
    let id = parse_id("supervision item", id)?;
    let item = readable_item(ctx, id).await?;
    rc.require_reporter_for_any(&[item.model.lead_unit_id])
        .await?;
    supervision::step(&rc.db, &author(ctx)?, id, step, &evidence, rc.now).await?;
    readable_item(ctx, id).await
}

/// A step by the target office (ADMIN).
async fn office_step(ctx: &Context<'_>, id: &ID, step: Step) -> Result<SupervisionItem> {
    let rc = RequestContext::of(ctx)?;
    rc.admin()?;
    let id = parse_id("supervision item", id)?;
    supervision::step(
        &rc.db,
        &author(ctx)?,
        id,
        step,
        &Evidence::default(),
        rc.now,
    )
    .await?;
    readable_item(ctx, id).await
}

#[Object]
impl SupervisionMutation {
    /// 交办: hands an item to its lead unit (ADMIN). ASSIGNED, dated today.
    async fn create_supervision_item(
        &self,
        ctx: &Context<'_>,
        input: CreateSupervisionItemInput,
    ) -> Result<SupervisionItem> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let item = supervision::create(
            &rc.db,
            &author(ctx)?,
            NewItem {
                plan_id: parse_id("plan", &input.plan_id)?,
                title: input.title,
                content: input.content,
                source: input.source.into(),
                level: input.level.into(),
                lead_unit_id: parse_id("unit", &input.lead_unit_id)?,
                supporting_unit_ids: parse_ids("unit", &input.supporting_unit_ids)?,
                responsible_leader: input.responsible_leader,
                deadline: input.deadline.0,
                goal_ids: parse_ids("goal", &input.goal_ids)?,
            },
            rc.now,
        )
        .await?;
        readable_item(ctx, item.id).await
    }

    /// 签收, by the lead unit.
    async fn accept_supervision_item(&self, ctx: &Context<'_>, id: ID) -> Result<SupervisionItem> {
        unit_step(ctx, &id, Step::Accept, Evidence::default()).await
    }

    /// 反馈 progress, by the lead unit; the first makes it IN_PROGRESS.
    async fn add_supervision_feedback(
        &self,
        ctx: &Context<'_>,
        input: SupervisionFeedbackInput,
    ) -> Result<SupervisionItem> {
        let evidence = evidence(ctx, &input.attachment_ids)?;
        unit_step(ctx, &input.item_id, Step::Feedback(input.content), evidence).await
    }

    /// 申请办结 with what was done, by the lead unit.
    async fn request_supervision_closure(
        &self,
        ctx: &Context<'_>,
        input: SupervisionClosureInput,
    ) -> Result<SupervisionItem> {
        let evidence = evidence(ctx, &input.attachment_ids)?;
        unit_step(
            ctx,
            &input.item_id,
            Step::RequestClosure(input.summary),
            evidence,
        )
        .await
    }

    /// 办结/销号 on a closure request (ADMIN).
    async fn close_supervision_item(&self, ctx: &Context<'_>, id: ID) -> Result<SupervisionItem> {
        office_step(ctx, &id, Step::Close).await
    }

    /// 办结 in one step an automatic item whose goal has recovered
    /// (`indicatorRecovered`), from any open state (ADMIN).
    async fn close_recovered_supervision_item(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<SupervisionItem> {
        RequestContext::of(ctx)?.admin()?;
        let item_id = parse_id("supervision item", &id)?;
        let item = readable_item(ctx, item_id).await?;
        let is_recovered = match item.model.auto_goal_id {
            Some(goal) => recovered(ctx, item.model.plan_id, goal).await?,
            None => {
                return Err(AppError::refused(
                    crate::error::ErrorCode::InvalidTransition,
                    "只有红灯预警自动开出的督办事项可以在指标恢复后一步办结；这项须由责任单位申请办结",
                    "only an automatic (RED_LIGHT) item closes in one step once its goal recovers; this one closes on the lead unit's request",
                )
                .into());
            }
        };
        office_step(
            ctx,
            &id,
            Step::CloseRecovered {
                recovered: is_recovered,
            },
        )
        .await
    }

    /// 退回 a closure request with a reason (ADMIN): back to IN_PROGRESS.
    async fn return_supervision_item(
        &self,
        ctx: &Context<'_>,
        input: SupervisionReasonInput,
    ) -> Result<SupervisionItem> {
        office_step(ctx, &input.item_id, Step::Return(input.reason)).await
    }

    /// 催办 (ADMIN): counted and audited; the state stays.
    async fn urge_supervision_item(&self, ctx: &Context<'_>, id: ID) -> Result<SupervisionItem> {
        office_step(ctx, &id, Step::Urge).await
    }

    /// 重新打开 a closed item with a reason (ADMIN): IN_PROGRESS again.
    async fn reopen_supervision_item(
        &self,
        ctx: &Context<'_>,
        input: SupervisionReasonInput,
    ) -> Result<SupervisionItem> {
        office_step(ctx, &input.item_id, Step::Reopen(input.reason)).await
    }

    /// 申请延期, by the lead unit: one waiting request at a time, for a
    /// deadline after the one in force.
    async fn request_extension(
        &self,
        ctx: &Context<'_>,
        input: RequestExtensionInput,
    ) -> Result<ExtensionRequest> {
        let rc = RequestContext::of(ctx)?;
        let id = parse_id("supervision item", &input.item_id)?;
        let item = readable_item(ctx, id).await?;
        rc.require_reporter_for_any(&[item.model.lead_unit_id])
            .await?;
        Ok(ExtensionRequest(
            supervision::request_extension(
                &rc.db,
                &author(ctx)?,
                id,
                input.new_deadline.0,
                &input.reason,
                rc.now,
            )
            .await?,
        ))
    }

    /// 批准 or not a waiting extension request (ADMIN); approved, the new
    /// deadline is in force from today.
    async fn decide_extension(
        &self,
        ctx: &Context<'_>,
        input: DecideExtensionInput,
    ) -> Result<ExtensionRequest> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        Ok(ExtensionRequest(
            supervision::decide_extension(
                &rc.db,
                &author(ctx)?,
                parse_id("extension request", &input.request_id)?,
                input.approve,
                input.reason,
                rc.now,
            )
            .await?,
        ))
    }
}
