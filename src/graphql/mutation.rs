use async_graphql::{Context, ID, Object, Result};

use super::audit::author;
use super::context::RequestContext;
use super::inputs::*;
use super::objects::{ApiToken, Assignment, Goal, IssuedToken, Milestone, Plan, Report, Unit};
use crate::error::AppError;
use crate::service::{assignments, copy, goals, milestones, plans, reports, tokens, units};
use domain::PlanState;

/// Every mutation but the spreadsheet import.
#[derive(Default)]
pub struct CoreMutation;

/// The goal as it stands after a write, read from a fresh plan snapshot.
async fn fresh_goal(rc: &RequestContext, plan_id: i64, goal_id: i64) -> Result<Goal> {
    let data = rc.reload_plan(plan_id).await?;
    let goal = data
        .goal(goal_id)
        .ok_or_else(|| AppError::not_found("goal", goal_id))?;
    Ok(Goal::new(&data, goal))
}

async fn fresh_assignment(
    rc: &RequestContext,
    plan_id: i64,
    assignment_id: i64,
) -> Result<Assignment> {
    let data = rc.reload_plan(plan_id).await?;
    Ok(Assignment::new(&data, assignment_id))
}

/// One step of the plan lifecycle, for an ADMIN.
async fn plan_step(ctx: &Context<'_>, id: ID, from: PlanState, to: PlanState) -> Result<Plan> {
    let rc = RequestContext::of(ctx)?;
    rc.admin()?;
    let plan = plans::transition(
        &rc.db,
        &author(ctx)?,
        parse_id("plan", &id)?,
        from,
        to,
        rc.now,
    )
    .await?;
    rc.forget_plans().await;
    Ok(Plan(plan))
}

#[Object]
impl CoreMutation {
    /// Issues a bearer token (ADMIN only). The token is in the answer once
    /// and never again: only its hash is stored.
    async fn create_token(
        &self,
        ctx: &Context<'_>,
        input: CreateTokenInput,
    ) -> Result<IssuedToken> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let (token, row) = tokens::create(
            &rc.db,
            &author(ctx)?,
            tokens::NewToken {
                name: input.name,
                role: input.role.into(),
                unit_id: parse_opt_id("unit", &input.unit_id)?,
                expires_at: input.expires_at,
            },
            rc.now,
        )
        .await?;
        Ok(IssuedToken {
            token,
            api_token: ApiToken(row),
        })
    }

    /// Revokes a token at once (ADMIN only).
    async fn revoke_token(&self, ctx: &Context<'_>, id: ID) -> Result<ApiToken> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        Ok(ApiToken(
            tokens::revoke(&rc.db, &author(ctx)?, parse_id("token", &id)?, rc.now).await?,
        ))
    }

    async fn create_unit(&self, ctx: &Context<'_>, input: CreateUnitInput) -> Result<Unit> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let unit = units::create(
            &rc.db,
            &author(ctx)?,
            units::NewUnit {
                name: input.name,
                parent_id: parse_opt_id("unit", &input.parent_id)?,
            },
        )
        .await?;
        rc.forget_units().await;
        Ok(Unit(unit))
    }

    async fn update_unit(&self, ctx: &Context<'_>, input: UpdateUnitInput) -> Result<Unit> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let unit = units::update(
            &rc.db,
            &author(ctx)?,
            parse_id("unit", &input.id)?,
            units::UnitChanges {
                name: input.name,
                parent_id: change_id("unit", input.parent_id)?,
            },
        )
        .await?;
        rc.forget_units().await;
        Ok(Unit(unit))
    }

    /// Archives a unit created by mistake; refused while it is in use.
    async fn archive_unit(&self, ctx: &Context<'_>, id: ID) -> Result<Unit> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let unit = units::archive(&rc.db, &author(ctx)?, parse_id("unit", &id)?).await?;
        rc.forget_units().await;
        Ok(Unit(unit))
    }

    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> Result<Plan> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let plan = plans::create_with(
            &rc.db,
            &author(ctx)?,
            plans::NewPlan {
                name: input.name,
                year: input.year,
                owner_unit_id: parse_id("unit", &input.owner_unit_id)?,
                start_date: input.start_date.map(|d| d.0),
                end_date: input.end_date.map(|d| d.0),
                time_zone: input.time_zone,
                score_cap: input.score_cap,
                settings: input.settings.into(),
            },
            input.remarks,
        )
        .await?;
        Ok(Plan(plan))
    }

    /// Next year's plan from this one, as a DRAFT: the same goal tree,
    /// units, assignments and milestones, deadlines and due dates moved to
    /// the new year, last year's actual of each goal as its
    /// `previousYearValue`. Reports and completions stay behind.
    async fn copy_plan(&self, ctx: &Context<'_>, input: CopyPlanInput) -> Result<Plan> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let copied = copy::copy_plan(
            &rc.db,
            &author(ctx)?,
            copy::CopyPlan {
                plan_id: parse_id("plan", &input.plan_id)?,
                year: input.year,
                name: input.name,
                now: rc.now,
            },
        )
        .await?;
        Ok(Plan(copied.plan))
    }

    async fn update_plan(&self, ctx: &Context<'_>, input: UpdatePlanInput) -> Result<Plan> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let plan = plans::update(
            &rc.db,
            &author(ctx)?,
            parse_id("plan", &input.id)?,
            plans::PlanChanges {
                name: input.name,
                start_date: input.start_date.map(|d| d.0),
                end_date: input.end_date.map(|d| d.0),
                time_zone: input.time_zone,
                score_cap: input.score_cap,
                settings: input.settings.into(),
                remarks: change(input.remarks),
            },
        )
        .await?;
        rc.forget_plans().await;
        Ok(Plan(plan))
    }

    /// DRAFT → ACTIVE: the targets are set; units may report.
    async fn activate_plan(&self, ctx: &Context<'_>, id: ID) -> Result<Plan> {
        plan_step(ctx, id, PlanState::Draft, PlanState::Active).await
    }

    /// ACTIVE → CLOSED: the year is settled; everything becomes read-only.
    async fn close_plan(&self, ctx: &Context<'_>, id: ID) -> Result<Plan> {
        plan_step(ctx, id, PlanState::Active, PlanState::Closed).await
    }

    /// CLOSED → ACTIVE: reopens a settled year (an ADMIN action).
    async fn reopen_plan(&self, ctx: &Context<'_>, id: ID) -> Result<Plan> {
        plan_step(ctx, id, PlanState::Closed, PlanState::Active).await
    }

    /// Approves a submitted report (审核通过); it counts from now on.
    async fn approve_report(&self, ctx: &Context<'_>, id: ID) -> Result<Report> {
        let rc = RequestContext::of(ctx)?;
        let reviewer = rc.admin()?.name.clone();
        let report = reports::review(
            &rc.db,
            &author(ctx)?,
            parse_id("report", &id)?,
            reports::Decision::Approve,
            &reviewer,
            rc.now,
        )
        .await?;
        rc.forget_plans().await;
        Ok(Report(report))
    }

    /// Returns a submitted report to its unit with a reason (退回); it never
    /// counts, and the unit submits a corrected one.
    async fn return_report(&self, ctx: &Context<'_>, input: ReturnReportInput) -> Result<Report> {
        let rc = RequestContext::of(ctx)?;
        let reviewer = rc.admin()?.name.clone();
        let decision = reports::Decision::Return(input.reason);
        let report = reports::review(
            &rc.db,
            &author(ctx)?,
            parse_id("report", &input.report_id)?,
            decision,
            &reviewer,
            rc.now,
        )
        .await?;
        rc.forget_plans().await;
        Ok(Report(report))
    }

    async fn archive_plan(&self, ctx: &Context<'_>, id: ID) -> Result<Plan> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        Ok(Plan(
            plans::archive(&rc.db, &author(ctx)?, parse_id("plan", &id)?).await?,
        ))
    }

    async fn create_goal(&self, ctx: &Context<'_>, input: CreateGoalInput) -> Result<Goal> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let goal = goals::create_with(
            &rc.db,
            &author(ctx)?,
            goals::NewGoal {
                plan_id: parse_id("plan", &input.plan_id)?,
                parent_id: parse_opt_id("goal", &input.parent_id)?,
                code: input.code,
                title: input.title,
                category: input.category,
                kind: input.kind.into(),
                measure_unit: input.measure_unit,
                target_value: input.target_value,
                baseline_value: input.baseline_value,
                direction: input.direction.map(Into::into),
                weight: input.weight,
                deadline: input.deadline.map(|d| d.0),
                monthly_plan: input.monthly_plan,
                lead_unit_id: parse_opt_id("unit", &input.lead_unit_id)?,
                supporting_unit_ids: parse_ids("unit", &input.supporting_unit_ids)?,
                responsible_leader: input.responsible_leader,
                responsible_person: input.responsible_person,
                original_text: input.original_text,
            },
            goals::GoalDetails {
                subset: input.subset.unwrap_or(false),
                previous_year_value: input.previous_year_value,
                remarks: input.remarks,
                supporting_text: input.supporting_text,
                ongoing: input.ongoing.unwrap_or(false),
            },
        )
        .await?;
        fresh_goal(rc, goal.plan_id, goal.id).await
    }

    async fn update_goal(&self, ctx: &Context<'_>, input: UpdateGoalInput) -> Result<Goal> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let goal = goals::update(
            &rc.db,
            &author(ctx)?,
            parse_id("goal", &input.id)?,
            goals::GoalChanges {
                parent_id: change_id("goal", input.parent_id)?,
                code: change(input.code),
                title: input.title,
                category: change(input.category),
                measure_unit: change(input.measure_unit),
                target_value: change(input.target_value),
                baseline_value: change(input.baseline_value),
                direction: input.direction.map(Into::into),
                weight: input.weight,
                deadline: change(input.deadline).map(|d| d.map(|d| d.0)),
                monthly_plan: change(input.monthly_plan),
                lead_unit_id: change_id("unit", input.lead_unit_id)?,
                supporting_unit_ids: input
                    .supporting_unit_ids
                    .map(|ids| parse_ids("unit", &ids))
                    .transpose()?,
                responsible_leader: change(input.responsible_leader),
                responsible_person: change(input.responsible_person),
                original_text: change(input.original_text),
                subset: input.subset,
                previous_year_value: change(input.previous_year_value),
                remarks: change(input.remarks),
                supporting_text: change(input.supporting_text),
                ongoing: input.ongoing,
            },
        )
        .await?;
        fresh_goal(rc, goal.plan_id, goal.id).await
    }

    /// Archives a goal created by mistake, with its sub-goals; it drops out
    /// of every roll-up. Returns the goal's ID.
    async fn archive_goal(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        goals::archive(&rc.db, &author(ctx)?, parse_id("goal", &id)?).await?;
        rc.forget_plans().await;
        Ok(id)
    }

    async fn assign_goal(&self, ctx: &Context<'_>, input: AssignGoalInput) -> Result<Assignment> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let assignment = assignments::create(
            &rc.db,
            &author(ctx)?,
            assignments::NewAssignment {
                goal_id: parse_id("goal", &input.goal_id)?,
                unit_id: parse_id("unit", &input.unit_id)?,
                target_value: input.target_value,
                deadline: input.deadline.map(|d| d.0),
                responsible_person: input.responsible_person,
                created_at: rc.now,
            },
        )
        .await?;
        fresh_assignment(rc, assignment.plan_id, assignment.id).await
    }

    async fn update_assignment(
        &self,
        ctx: &Context<'_>,
        input: UpdateAssignmentInput,
    ) -> Result<Assignment> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let assignment = assignments::update(
            &rc.db,
            &author(ctx)?,
            parse_id("assignment", &input.id)?,
            assignments::AssignmentChanges {
                target_value: change(input.target_value),
                deadline: change(input.deadline).map(|d| d.map(|d| d.0)),
                responsible_person: change(input.responsible_person),
            },
        )
        .await?;
        fresh_assignment(rc, assignment.plan_id, assignment.id).await
    }

    /// Archives an assignment made by mistake. Returns its ID.
    async fn archive_assignment(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        assignments::archive(&rc.db, &author(ctx)?, parse_id("assignment", &id)?).await?;
        rc.forget_plans().await;
        Ok(id)
    }

    async fn add_milestone(
        &self,
        ctx: &Context<'_>,
        input: AddMilestoneInput,
    ) -> Result<Milestone> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let milestone = milestones::create(
            &rc.db,
            &author(ctx)?,
            milestones::NewMilestone {
                goal_id: parse_id("goal", &input.goal_id)?,
                title: input.title,
                due_date: input.due_date.0,
                weight: input.weight,
            },
        )
        .await?;
        rc.forget_plans().await;
        Ok(Milestone(milestone))
    }

    async fn update_milestone(
        &self,
        ctx: &Context<'_>,
        input: UpdateMilestoneInput,
    ) -> Result<Milestone> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        let milestone = milestones::update(
            &rc.db,
            &author(ctx)?,
            parse_id("milestone", &input.id)?,
            milestones::MilestoneChanges {
                title: input.title,
                due_date: input.due_date.map(|d| d.0),
                weight: input.weight,
                completed_on: change(input.completed_on).map(|d| d.map(|d| d.0)),
            },
        )
        .await?;
        rc.forget_plans().await;
        Ok(Milestone(milestone))
    }

    /// An ADMIN, or a REPORTER of a unit that carries the milestone's goal.
    async fn complete_milestone(
        &self,
        ctx: &Context<'_>,
        input: CompleteMilestoneInput,
    ) -> Result<Milestone> {
        let rc = RequestContext::of(ctx)?;
        let milestone_id = parse_id("milestone", &input.milestone_id)?;
        if !rc.actor()?.is_admin() {
            let milestone = milestones::find(&rc.db, milestone_id).await?;
            let units = assignments::units_of_goal(&rc.db, milestone.goal_id).await?;
            rc.require_reporter_in_plan(milestone.plan_id, &units, "milestone", milestone_id)
                .await?;
        }
        let milestone =
            milestones::complete(&rc.db, &author(ctx)?, milestone_id, input.completed_on.0).await?;
        rc.forget_plans().await;
        Ok(Milestone(milestone))
    }

    /// Archives a milestone entered by mistake. Returns its ID.
    async fn archive_milestone(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let rc = RequestContext::of(ctx)?;
        rc.admin()?;
        milestones::archive(&rc.db, &author(ctx)?, parse_id("milestone", &id)?).await?;
        rc.forget_plans().await;
        Ok(id)
    }

    /// Records a cumulative figure as of a date; a correction is a new
    /// report. An ADMIN, or a REPORTER of the assignment's unit or one above.
    async fn submit_report(&self, ctx: &Context<'_>, input: SubmitReportInput) -> Result<Report> {
        let rc = RequestContext::of(ctx)?;
        let assignment_id = parse_id("assignment", &input.assignment_id)?;
        let assignment = reports::find_assignment_context(&rc.db, assignment_id).await?;
        if !rc.actor()?.is_admin() {
            rc.require_reporter_in_plan(
                assignment.plan_id(),
                &[assignment.unit_id()],
                "assignment",
                assignment_id,
            )
            .await?;
        }
        let report = rc
            .filer
            .submit(
                &assignment,
                reports::NewReport {
                    assignment_id,
                    as_of: input.as_of.0,
                    value: input.value,
                    note: input.note,
                    problems: input.problems,
                    next_steps: input.next_steps,
                    submitted_at: rc.now,
                    submitted_by: Some(rc.actor()?.name.clone()),
                    author: author(ctx)?,
                    idempotency: input.idempotency_key.map(|key| reports::IdempotencyKey {
                        caller: rc.caller_key(),
                        key,
                    }),
                    evidence: super::attachments::evidence(ctx, &input.attachment_ids)?,
                },
            )
            .await?;
        rc.forget_plans().await;
        Ok(Report(report))
    }
}
