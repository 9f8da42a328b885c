//! 督查督办: supervision items handed to a lead unit, what the unit and the
//! target office do to them, extension requests, and the automatic items a
//! red or overdue goal opens. Every step is one transaction, audited; what
//! may happen in each state, the lights and the figures are
//! `domain::supervision`'s.
use super::notify;
use domain::notify::EventKind;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums;
use entity::{
    attachment, goal, supervision_event, supervision_extension, supervision_item,
    supervision_item_goal, supervision_item_unit, unit,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use super::attachments::{self, Evidence, Owner};
use super::plans;
use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::supervision::{
    Extension, ItemAction, ItemFacts, ItemLevel, ItemSource, ItemState, item_after,
};
use domain::text::{self, Field};

impl Audited for supervision_item::Model {
    const OBJECT: &'static str = "supervision item";
    fn object_id(&self) -> i64 {
        self.id
    }
    /// Items are not part of a plan's figures: no snapshot goes stale.
    fn touches(&self) -> Touches {
        Touches::Nothing
    }
}

impl Audited for supervision_extension::Model {
    const OBJECT: &'static str = "extension request";
    fn object_id(&self) -> i64 {
        self.id
    }
    fn touches(&self) -> Touches {
        Touches::Nothing
    }
}

/// A new item, as the target office hands it over.
pub struct NewItem {
    pub plan_id: i64,
    pub title: String,
    pub content: Option<String>,
    pub source: ItemSource,
    pub level: ItemLevel,
    pub lead_unit_id: i64,
    pub supporting_unit_ids: Vec<i64>,
    pub responsible_leader: Option<String>,
    pub deadline: NaiveDate,
    pub goal_ids: Vec<i64>,
}

/// A step on an item, with what it carries.
#[derive(Clone, Debug)]
pub enum Step {
    Accept,
    Feedback(String),
    RequestClosure(String),
    Close,
    /// 办结 of an automatic item whose goal has recovered; the caller says
    /// whether it has (the judgement is the domain's, on a snapshot).
    CloseRecovered {
        recovered: bool,
    },
    Return(String),
    Urge,
    Reopen(String),
}

impl Step {
    fn action(&self) -> ItemAction {
        match self {
            Step::Accept => ItemAction::Accept,
            Step::Feedback(_) => ItemAction::Feedback,
            Step::RequestClosure(_) => ItemAction::RequestClosure,
            Step::Close => ItemAction::Close,
            Step::CloseRecovered { .. } => ItemAction::CloseRecovered,
            Step::Return(_) => ItemAction::Return,
            Step::Urge => ItemAction::Urge,
            Step::Reopen(_) => ItemAction::Reopen,
        }
    }

    /// The event row's kind and its text, cleaned.
    fn event(&self) -> AppResult<(&'static str, Option<String>)> {
        Ok(match self {
            Step::Accept => ("ACCEPT", None),
            Step::Feedback(t) => ("FEEDBACK", Some(text::required(Field::Feedback, t)?)),
            Step::RequestClosure(t) => (
                "CLOSURE_REQUEST",
                Some(text::required(Field::ClosureSummary, t)?),
            ),
            Step::Close | Step::CloseRecovered { .. } => ("CLOSE", None),
            Step::Return(t) => ("RETURN", Some(text::required(Field::Reason, t)?)),
            Step::Urge => ("URGE", None),
            Step::Reopen(t) => ("REOPEN", Some(text::required(Field::ReopenReason, t)?)),
        })
    }
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<supervision_item::Model> {
    supervision_item::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("supervision item", id))
}

/// The day `now` is in the item's plan.
async fn today_of<C: ConnectionTrait>(
    db: &C,
    plan_id: i64,
    now: DateTime<Utc>,
) -> AppResult<NaiveDate> {
    let plan = plans::find(db, plan_id).await?;
    Ok(domain::dates::today_in_named(&plan.time_zone, now))
}

/// Live units among `ids`, all of them, or NOT_FOUND naming the first missing.
async fn live_units<C: ConnectionTrait>(db: &C, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashSet<i64> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(ids.iter().copied()))
        .filter(unit::Column::ArchivedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect();
    match ids.iter().find(|id| !found.contains(id)) {
        Some(missing) => Err(AppError::not_found("unit", *missing)),
        None => Ok(()),
    }
}

/// Hands an item to its lead unit (ASSIGNED), dated today in the plan.
pub async fn create(
    db: &DatabaseConnection,
    author: &Audit,
    input: NewItem,
    now: DateTime<Utc>,
) -> AppResult<supervision_item::Model> {
    if input.source == ItemSource::RedLight {
        // The light is the targets' judgement, not a choice: such items
        // come from `supervise`, which links them to their goal.
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "红灯预警事项由系统按目标完成情况自动生成，交办时请选择其他来源（领导批示、会议议定、督查检查或其他）",
            "RED_LIGHT items are opened by `supervise` from the goals' lights; choose another source",
        ));
    }
    let txn = begin_write(db).await?;
    let result = create_in(&txn, author, input, None, now).await;
    finish(txn, author, result).await
}

/// `create` inside the caller's transaction (an escalated problem opens
/// its item in its own).
pub(crate) async fn create_in<C: ConnectionTrait>(
    txn: &C,
    author: &Audit,
    input: NewItem,
    auto_goal_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<supervision_item::Model> {
    let title = text::required(Field::ItemTitle, &input.title)?;
    let content = text::optional(Field::ItemContent, input.content)?;
    let leader = text::optional(Field::ResponsibleLeader, input.responsible_leader)?;
    let plan = plans::find_open(txn, input.plan_id).await?;
    let today = domain::dates::today_in_named(&plan.time_zone, now);
    if input.deadline < today {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            format!("办理时限 {} 早于交办日期 {today}，请核对", input.deadline),
            format!(
                "deadline {} is before the day it is handed over ({today})",
                input.deadline
            ),
        ));
    }
    let mut supporting = input.supporting_unit_ids;
    supporting.sort_unstable();
    supporting.dedup();
    supporting.retain(|u| *u != input.lead_unit_id);
    let mut units = supporting.clone();
    units.push(input.lead_unit_id);
    live_units(txn, &units).await?;
    let mut goal_ids = input.goal_ids;
    goal_ids.sort_unstable();
    goal_ids.dedup();
    if !goal_ids.is_empty() {
        let found: HashSet<i64> = goal::Entity::find()
            .filter(goal::Column::Id.is_in(goal_ids.iter().copied()))
            .filter(goal::Column::PlanId.eq(plan.id))
            .filter(goal::Column::ArchivedAt.is_null())
            .all(txn)
            .await?
            .into_iter()
            .map(|g| g.id)
            .collect();
        if let Some(missing) = goal_ids.iter().find(|g| !found.contains(g)) {
            return Err(AppError::not_found("goal", *missing));
        }
    }
    let item = supervision_item::ActiveModel {
        plan_id: Set(plan.id),
        title: Set(title),
        content: Set(content),
        source: Set(input.source.into()),
        level: Set(input.level.into()),
        lead_unit_id: Set(input.lead_unit_id),
        responsible_leader: Set(leader),
        assigned_on: Set(today),
        deadline: Set(input.deadline),
        state: Set(ItemState::Assigned.into()),
        closed_on: Set(None),
        auto_goal_id: Set(auto_goal_id),
        urge_count: Set(0),
        created_at: Set(now),
        created_by: Set(author.actor_name.clone()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    if !supporting.is_empty() {
        supervision_item_unit::Entity::insert_many(supporting.iter().map(|u| {
            supervision_item_unit::ActiveModel {
                item_id: Set(item.id),
                unit_id: Set(*u),
            }
        }))
        .exec(txn)
        .await?;
    }
    if !goal_ids.is_empty() {
        supervision_item_goal::Entity::insert_many(goal_ids.iter().map(|g| {
            supervision_item_goal::ActiveModel {
                item_id: Set(item.id),
                goal_id: Set(*g),
            }
        }))
        .exec(txn)
        .await?;
    }
    let event = record_event(txn, &item, "ASSIGN", None, today, now, &author.actor_name).await?;
    notify::changes::supervision_step(
        txn,
        EventKind::SupervisionAssigned,
        &item,
        event,
        None,
        today,
        now,
    )
    .await?;
    Ok(item)
}

async fn record_event<C: ConnectionTrait>(
    txn: &C,
    item: &supervision_item::Model,
    kind: &str,
    content: Option<String>,
    on_date: NaiveDate,
    at: DateTime<Utc>,
    actor: &str,
) -> AppResult<i64> {
    let event = supervision_event::ActiveModel {
        item_id: Set(item.id),
        kind: Set(kind.to_string()),
        content: Set(content),
        on_date: Set(on_date),
        at: Set(at),
        actor: Set(actor.to_string()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(event.id)
}

/// One step on an item (签收, 反馈, 申请办结, 办结, 退回, 催办, 重新打开):
/// refused with INVALID_TRANSITION, changing nothing, when the step does
/// not start from the item's state. A feedback or a closure request links
/// the files it cites (`evidence`) to the item, in the same transaction.
pub async fn step(
    db: &DatabaseConnection,
    author: &Audit,
    id: i64,
    step: Step,
    evidence: &Evidence,
    now: DateTime<Utc>,
) -> AppResult<supervision_item::Model> {
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let item = find(&txn, id).await?;
        let recovered =
            matches!(step, Step::CloseRecovered { recovered: true }) && item.auto_goal_id.is_some();
        let state = ItemState::from(item.state);
        let next = item_after(state, step.action(), recovered)?;
        let (kind, content) = step.event()?;
        let today = today_of(&txn, item.plan_id, now).await?;
        if matches!(step, Step::Urge) && urged_on(&txn, item.id, today).await? {
            // A double click is not a second 催办: the count is a record.
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                format!("今天（{today}）已催办过这项督办，同一天只计一次"),
                format!("this item was already urged today ({today}); one urge a day counts"),
            ));
        }
        let urges = item.urge_count + i32::from(matches!(step, Step::Urge));
        let mut active: supervision_item::ActiveModel = item.into();
        active.state = Set(next.into());
        active.closed_on = Set((next == ItemState::Closed).then_some(today));
        active.urge_count = Set(urges);
        let item = active.update(&txn).await?;
        let returned = matches!(step, Step::Return(_))
            .then(|| content.clone())
            .flatten();
        let event =
            record_event(&txn, &item, kind, content, today, now, &author.actor_name).await?;
        if let Some(reason) = returned {
            notify::changes::supervision_step(
                &txn,
                EventKind::SupervisionReturned,
                &item,
                event,
                Some(&reason),
                today,
                now,
            )
            .await?;
        }
        attachments::link(&txn, evidence, Owner::SupervisionItem(item.id), Some(event)).await?;
        if next == ItemState::Closed {
            // Closed, nothing waits on it: a request for more time is
            // answered (no), not left to be approved after a reopening.
            reject_waiting(&txn, &item, today, now, &author.actor_name).await?;
        }
        Ok(item)
    }
    .await;
    finish(txn, author, result).await
}

/// Whether the item was urged on `day`.
async fn urged_on<C: ConnectionTrait>(txn: &C, item_id: i64, day: NaiveDate) -> AppResult<bool> {
    Ok(supervision_event::Entity::find()
        .filter(supervision_event::Column::ItemId.eq(item_id))
        .filter(supervision_event::Column::Kind.eq("URGE"))
        .filter(supervision_event::Column::OnDate.eq(day))
        .one(txn)
        .await?
        .is_some())
}

/// Rejects the item's waiting extension request, if any, because it closed.
async fn reject_waiting<C: ConnectionTrait>(
    txn: &C,
    item: &supervision_item::Model,
    today: NaiveDate,
    now: DateTime<Utc>,
    actor: &str,
) -> AppResult<()> {
    for waiting in extensions_of(txn, &[item.id])
        .await?
        .into_iter()
        .filter(|e| e.decision.is_none())
    {
        let mut active: supervision_extension::ActiveModel = waiting.into();
        active.decision = Set(Some("REJECTED".into()));
        active.decision_reason = Set(Some("督办事项已办结".into()));
        active.decided_on = Set(Some(today));
        active.decided_at = Set(Some(now));
        active.decided_by = Set(Some(actor.to_string()));
        active.update(txn).await?;
    }
    Ok(())
}

/// 申请延期: one pending request at a time, for a new deadline after the
/// one in force; the state stays.
pub async fn request_extension(
    db: &DatabaseConnection,
    author: &Audit,
    item_id: i64,
    new_deadline: NaiveDate,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<supervision_extension::Model> {
    let reason = text::required(Field::ExtensionReason, reason)?;
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let item = find(&txn, item_id).await?;
        item_after(
            ItemState::from(item.state),
            ItemAction::RequestExtension,
            false,
        )?;
        let today = today_of(&txn, item.plan_id, now).await?;
        let extensions = extensions_of(&txn, &[item.id]).await?;
        if extensions.iter().any(|e| e.decision.is_none()) {
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                "这项督办已有一份延期申请等待决定，请等决定后再申请",
                "an extension request for this item is waiting for a decision",
            ));
        }
        if new_deadline < today {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!("延期后的时限 {new_deadline} 已经过去（今天是 {today}），请填写今后的日期"),
                format!("the new deadline {new_deadline} has passed (today is {today})"),
            ));
        }
        let facts = item_facts(&item, &[], &extensions);
        let in_force = facts.deadline_on(today);
        if new_deadline <= in_force {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!("延期后的时限 {new_deadline} 须晚于现在的时限 {in_force}"),
                format!(
                    "the new deadline {new_deadline} must be after the one in force ({in_force})"
                ),
            ));
        }
        let request = supervision_extension::ActiveModel {
            item_id: Set(item.id),
            new_deadline: Set(new_deadline),
            reason: Set(reason.clone()),
            requested_at: Set(now),
            requested_by: Set(author.actor_name.clone()),
            decision: Set(None),
            decision_reason: Set(None),
            decided_on: Set(None),
            decided_at: Set(None),
            decided_by: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        record_event(
            &txn,
            &item,
            "EXTENSION_REQUEST",
            Some(reason),
            today,
            now,
            &author.actor_name,
        )
        .await?;
        Ok(request)
    }
    .await;
    finish(txn, author, result).await
}

/// 批准/不批准 a pending extension request; an approved one is in force
/// from today. The item must still be open.
pub async fn decide_extension(
    db: &DatabaseConnection,
    author: &Audit,
    request_id: i64,
    approve: bool,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<supervision_extension::Model> {
    let reason = text::optional(Field::ExtensionReason, reason)?;
    if !approve && reason.is_none() {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "不批准延期时须写明理由，责任单位会看到它",
            "a rejected extension needs a reason (the unit reads it)",
        ));
    }
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        let request = supervision_extension::Entity::find_by_id(request_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("extension request", request_id))?;
        if request.decision.is_some() {
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                "这份延期申请已经决定过，不能再决定",
                "this extension request has been decided already",
            ));
        }
        let item = find(&txn, request.item_id).await?;
        // Closing answers a waiting request (`reject_waiting`); this holds
        // for requests made before that rule.
        if ItemState::from(item.state) == ItemState::Closed {
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                "督办事项已办结，延期申请不能再决定",
                "the item is closed; its extension request cannot be decided",
            ));
        }
        let today = today_of(&txn, item.plan_id, now).await?;
        if approve && request.new_deadline < today {
            return Err(AppError::refused(
                ErrorCode::InvalidValue,
                format!(
                    "申请的新时限 {} 已经过去（今天是 {today}），批准也不能按期办结；请不批准，并让责任单位按实际重新申请",
                    request.new_deadline
                ),
                format!(
                    "the deadline asked for ({}) has passed (today is {today}); reject it and let the unit ask again",
                    request.new_deadline
                ),
            ));
        }
        let decision = if approve { "APPROVED" } else { "REJECTED" };
        let mut active: supervision_extension::ActiveModel = request.into();
        active.decision = Set(Some(decision.to_string()));
        active.decision_reason = Set(reason.clone());
        active.decided_on = Set(Some(today));
        active.decided_at = Set(Some(now));
        active.decided_by = Set(Some(author.actor_name.clone()));
        let request = active.update(&txn).await?;
        // The history reads as the office writes it.
        let verdict = if approve { "批准" } else { "不批准" };
        let words = match &reason {
            Some(r) => format!("{verdict}：{r}"),
            None => verdict.to_string(),
        };
        record_event(
            &txn,
            &item,
            "EXTENSION_DECISION",
            Some(words),
            today,
            now,
            &author.actor_name,
        )
        .await?;
        Ok(request)
    }
    .await;
    finish(txn, author, result).await
}

/// What the lists and figures read of a set of items: their events,
/// extension requests, supporting units and goals (four statements).
#[derive(Default)]
pub struct ItemDetails {
    pub events: HashMap<i64, Vec<supervision_event::Model>>,
    pub extensions: HashMap<i64, Vec<supervision_extension::Model>>,
    pub supporting: HashMap<i64, Vec<i64>>,
    pub goals: HashMap<i64, Vec<i64>>,
    /// 佐证材料 by item, oldest first.
    pub files: HashMap<i64, Vec<attachment::Model>>,
}

impl ItemDetails {
    /// The files one event cited.
    pub fn files_of_event(&self, item_id: i64, event_id: i64) -> Vec<attachment::Model> {
        self.files
            .get(&item_id)
            .into_iter()
            .flatten()
            .filter(|f| f.event_id == Some(event_id))
            .cloned()
            .collect()
    }

    /// What the domain judges of `item`.
    pub fn facts(&self, item: &supervision_item::Model) -> ItemFacts {
        let none_e = Vec::new();
        let none_x = Vec::new();
        item_facts(
            item,
            self.events.get(&item.id).unwrap_or(&none_e),
            self.extensions.get(&item.id).unwrap_or(&none_x),
        )
    }
}

fn item_facts(
    item: &supervision_item::Model,
    events: &[supervision_event::Model],
    extensions: &[supervision_extension::Model],
) -> ItemFacts {
    ItemFacts {
        state: item.state.into(),
        assigned_on: item.assigned_on,
        deadline: item.deadline,
        extensions: extensions
            .iter()
            .filter(|e| e.decision.as_deref() == Some("APPROVED"))
            .filter_map(|e| {
                Some(Extension {
                    decided_on: e.decided_on?,
                    new_deadline: e.new_deadline,
                })
            })
            .collect(),
        feedback_on: events
            .iter()
            .filter(|e| matches!(e.kind.as_str(), "FEEDBACK" | "CLOSURE_REQUEST"))
            .map(|e| e.on_date)
            .collect(),
        closed_on: item.closed_on,
    }
}

async fn extensions_of<C: ConnectionTrait>(
    db: &C,
    item_ids: &[i64],
) -> AppResult<Vec<supervision_extension::Model>> {
    Ok(supervision_extension::Entity::find()
        .filter(supervision_extension::Column::ItemId.is_in(item_ids.iter().copied()))
        .order_by_asc(supervision_extension::Column::Id)
        .all(db)
        .await?)
}

/// The details of `items`, in four statements however many there are
/// (ID lists chunked by the thousand, as the review queue's are).
pub async fn details<C: ConnectionTrait>(
    db: &C,
    items: &[supervision_item::Model],
) -> AppResult<ItemDetails> {
    let mut out = ItemDetails::default();
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    for chunk in ids.chunks(1000) {
        for e in supervision_event::Entity::find()
            .filter(supervision_event::Column::ItemId.is_in(chunk.iter().copied()))
            .order_by_asc(supervision_event::Column::Id)
            .all(db)
            .await?
        {
            out.events.entry(e.item_id).or_default().push(e);
        }
        for x in extensions_of(db, chunk).await? {
            out.extensions.entry(x.item_id).or_default().push(x);
        }
        for s in supervision_item_unit::Entity::find()
            .filter(supervision_item_unit::Column::ItemId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.supporting.entry(s.item_id).or_default().push(s.unit_id);
        }
        for g in supervision_item_goal::Entity::find()
            .filter(supervision_item_goal::Column::ItemId.is_in(chunk.iter().copied()))
            .all(db)
            .await?
        {
            out.goals.entry(g.item_id).or_default().push(g.goal_id);
        }
        for f in attachments::of_owners(db, "SUPERVISION_ITEM", chunk).await? {
            if let Some(item) = f.owner_id {
                out.files.entry(item).or_default().push(f);
            }
        }
    }
    Ok(out)
}

/// Items of a plan (or of every plan), oldest first; narrowed to those a
/// unit leads when `lead_units` is given.
pub async fn list(
    db: &DatabaseConnection,
    plan_id: Option<i64>,
    lead_units: Option<&[i64]>,
) -> AppResult<Vec<supervision_item::Model>> {
    let mut query = supervision_item::Entity::find().order_by_asc(supervision_item::Column::Id);
    if let Some(plan) = plan_id {
        query = query.filter(supervision_item::Column::PlanId.eq(plan));
    }
    if let Some(units) = lead_units {
        query = query.filter(supervision_item::Column::LeadUnitId.is_in(units.iter().copied()));
    }
    Ok(query.all(db).await?)
}

/// Opens a RED_LIGHT item for each goal in `needing` (goals that are red
/// or overdue, judged by the caller on a snapshot) that has no open
/// automatic item: due in 15 days, for the goal's lead unit. Returns the
/// items opened. Running it twice opens nothing new; two servers at once
/// cannot both open one (a partial unique index on the open automatic
/// items' goal; the loser's insert is refused and it opens nothing).
pub async fn open_automatic(
    db: &DatabaseConnection,
    author: &Audit,
    plan_id: i64,
    needing: Vec<goal::Model>,
    judged_on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<supervision_item::Model>> {
    let open_items: Vec<supervision_item::Model> = supervision_item::Entity::find()
        .filter(supervision_item::Column::PlanId.eq(plan_id))
        .filter(supervision_item::Column::State.ne(enums::ItemState::Closed))
        .all(db)
        .await?;
    // A goal already under supervision, by an automatic item or by one the
    // office handed over about it, gets no second item.
    let mut open: HashSet<i64> = open_items.iter().filter_map(|i| i.auto_goal_id).collect();
    let open_ids: Vec<i64> = open_items.iter().map(|i| i.id).collect();
    for chunk in open_ids.chunks(1000) {
        open.extend(
            supervision_item_goal::Entity::find()
                .filter(supervision_item_goal::Column::ItemId.is_in(chunk.iter().copied()))
                .all(db)
                .await?
                .into_iter()
                .map(|g| g.goal_id),
        );
    }
    // One plan, one day: read once, not per goal.
    let plan = plans::find(db, plan_id).await?;
    let today = domain::dates::today_in_named(&plan.time_zone, now);
    let mut opened = Vec::new();
    for g in needing.into_iter().filter(|g| !open.contains(&g.id)) {
        let Some(lead) = g.lead_unit_id else { continue };
        let input = NewItem {
            plan_id,
            title: format!("红灯预警：{}", g.title),
            content: Some(format!(
                "目标任务“{}”截至 {judged_on} 为红灯或逾期，请牵头单位说明原因并提出整改措施。",
                g.title
            )),
            source: ItemSource::RedLight,
            level: ItemLevel::Key,
            lead_unit_id: lead,
            supporting_unit_ids: vec![],
            responsible_leader: g.responsible_leader.clone(),
            // From the day it is handed over, whatever date the goal was
            // judged at (a run for a past date must still give time).
            deadline: today + chrono::Days::new(AUTO_DAYS),
            goal_ids: vec![g.id],
        };
        let txn = begin_write(db).await?;
        let result = create_in(&txn, author, input, Some(g.id), now).await;
        match finish(txn, author, result).await {
            Ok(item) => opened.push(item),
            // Another server opened it first: nothing to do.
            Err(AppError::Rejected {
                code: ErrorCode::Duplicate,
                ..
            }) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(opened)
}

/// How long an automatic item gives its lead unit to answer.
const AUTO_DAYS: u64 = 15;

/// The automatic items one run opened in a plan.
pub struct Supervised {
    pub plan: entity::plan::Model,
    pub opened: Vec<supervision_item::Model>,
}

/// `mubiao supervise`: in every ACTIVE plan, judged as of `as_of` (default
/// today in each plan), opens a RED_LIGHT item for each goal with a lead
/// unit that is red or overdue and has no open automatic item. Running it
/// twice opens nothing new.
pub async fn supervise(
    db: &DatabaseConnection,
    author: &Audit,
    as_of: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Supervised>> {
    let active: Vec<i64> = plans::list(db)
        .await?
        .into_iter()
        .filter(|p| domain::PlanState::from(p.state) == domain::PlanState::Active)
        .map(|p| p.id)
        .collect();
    let loaded = super::load_plans(db, &active).await?;
    let mut out = Vec::new();
    for plan_id in active {
        let Some(data) = loaded.get(&plan_id) else {
            continue;
        };
        let date =
            as_of.unwrap_or_else(|| domain::dates::today_in_named(&data.plan.time_zone, now));
        let eval = data.evaluation(date)?;
        let needing: Vec<goal::Model> = data
            .goals()
            .iter()
            .filter(|g| g.lead_unit_id.is_some())
            .filter(|g| domain::GoalKind::from(g.kind) != domain::GoalKind::Group)
            .filter(|g| {
                eval.goal(g.id).is_some_and(|p| {
                    domain::supervision::goal_needs_supervision(
                        p.light,
                        p.status == domain::Status::Overdue,
                    )
                })
            })
            .cloned()
            .collect();
        let opened = open_automatic(db, author, plan_id, needing, date, now).await?;
        out.push(Supervised {
            plan: data.plan.clone(),
            opened,
        });
    }
    Ok(out)
}

/// The daily 督办 check inside `serve`: at 02:00 Beijing time, every day,
/// `supervise` as of that day. Errors are logged and the next day tried.
pub async fn daily(db: DatabaseConnection) {
    loop {
        let now = Utc::now();
        tokio::time::sleep(until_next_run(now)).await;
        let author = Audit {
            actor_name: "daily supervision".into(),
            actor_role: "ADMIN".into(),
            operation: "supervise".into(),
            input: serde_json::Value::Null,
            at: Utc::now(),
        };
        match supervise(&db, &author, None, Utc::now()).await {
            Ok(runs) => tracing::info!(
                opened = runs.iter().map(|r| r.opened.len()).sum::<usize>(),
                plans = runs.len(),
                "daily supervision check"
            ),
            Err(err) => tracing::error!(error = %err, "daily supervision check failed"),
        }
        // Uploads no step cited within a day: a form left after choosing
        // its files. Every server runs this; a file deleted twice is gone.
        match attachments::purge_unlinked(&db, UNCITED_DAYS, Utc::now()).await {
            Ok(gone) => tracing::info!(gone, "uncited attachments removed"),
            Err(err) => tracing::error!(error = %err, "removing uncited attachments failed"),
        }
    }
}

/// Days an upload may wait to be cited before the daily job removes it.
pub const UNCITED_DAYS: i64 = 1;

/// How long from `now` to the next 02:00 in Asia/Shanghai.
fn until_next_run(now: DateTime<Utc>) -> std::time::Duration {
    use chrono::TimeZone;
    let zone = chrono_tz::Asia::Shanghai;
    let local = now.with_timezone(&zone);
    let today_run = local.date_naive().and_hms_opt(2, 0, 0).unwrap_or_default();
    let next = if local.naive_local() < today_run {
        today_run
    } else {
        today_run + chrono::Days::new(1)
    };
    let next = zone
        .from_local_datetime(&next)
        .earliest()
        .map_or(now + chrono::Duration::days(1), |t| t.with_timezone(&Utc));
    (next - now)
        .to_std()
        .unwrap_or(std::time::Duration::from_secs(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_daily_check_runs_at_two_in_beijing() {
        // 2025-11-01 01:00 Beijing = 2025-10-31 17:00 UTC: in an hour.
        let at = Utc.with_ymd_and_hms(2025, 10, 31, 17, 0, 0).unwrap();
        assert_eq!(until_next_run(at).as_secs(), 3_600);
        // 02:00 itself: the next day's.
        let at = Utc.with_ymd_and_hms(2025, 10, 31, 18, 0, 0).unwrap();
        assert_eq!(until_next_run(at).as_secs(), 86_400);
        // 10:00 Beijing: 16 hours on.
        let at = Utc.with_ymd_and_hms(2025, 11, 1, 2, 0, 0).unwrap();
        assert_eq!(until_next_run(at).as_secs(), 16 * 3_600);
    }
}
