//! A plan (年度目标任务): its goals, figures, scorecard and lists.
use super::*;

pub struct Plan(pub plan::Model);

impl Plan {
    /// Fields that read the plan snapshot (everything but the plan's own row).
    pub const SNAPSHOT_FIELDS: [&'static str; 11] = [
        "ownerUnit",
        "goals",
        "allGoals",
        "progress",
        "unitProgress",
        "categoryProgress",
        "vetoed",
        "scorecard",
        "goalLights",
        "trend",
        "unitTrend",
    ];
}

#[Object]
impl Plan {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// DRAFT (targets being set), ACTIVE (reports accepted) or CLOSED (settled, read-only).
    async fn state(&self) -> PlanState {
        domain::PlanState::from(self.0.state).into()
    }
    async fn start_date(&self) -> Date {
        Date(self.0.start_date)
    }
    async fn end_date(&self) -> Date {
        Date(self.0.end_date)
    }
    /// IANA zone deciding "today" for figures asked without asOf.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// Cap on each goal's completion where it feeds a roll-up (1.0 = 100 %).
    async fn score_cap(&self) -> f64 {
        self.0.score_cap
    }
    async fn time_progress_mode(&self) -> TimeProgressMode {
        domain::TimeProgressMode::from(self.0.time_progress_mode).into()
    }
    /// Points below time progress where BLUE turns YELLOW (inclusive).
    async fn yellow_gap(&self) -> f64 {
        self.0.yellow_gap
    }
    /// Points below time progress beyond which YELLOW turns RED.
    async fn red_gap(&self) -> f64 {
        self.0.red_gap
    }
    /// RATE goals at or above this completion are YELLOW, below RED.
    async fn rate_yellow_floor(&self) -> f64 {
        self.0.rate_yellow_floor
    }
    async fn reporting_cycle(&self) -> ReportingCycle {
        domain::ReportingCycle::from(self.0.reporting_cycle).into()
    }
    /// The day of the following month by which a report is due.
    async fn report_due_day(&self) -> i32 {
        self.0.report_due_day
    }
    /// The day in `month` ("YYYY-MM") by which the previous month's report
    /// is due: `reportDueDay`, or the first working day after it when that
    /// is a weekend or a 法定节假日 (遇节假日顺延; "2025-10" → 2025-10-09,
    /// after 国庆). The reporting calendar's 迟报/未报 use the same day.
    async fn report_due_date(&self, ctx: &Context<'_>, month: String) -> Result<Date> {
        let first = crate::graphql::watch::parse_month(&month).ok_or_else(|| {
            crate::error::AppError::refused(
                crate::error::ErrorCode::InvalidDate,
                format!("月份“{month}”的格式不对，请按 YYYY-MM 填写（如 2025-10）"),
                format!("{month:?} is not a month in YYYY-MM form"),
            )
        })?;
        if !(2000..=2100).contains(&chrono::Datelike::year(&first)) {
            return Err(crate::error::AppError::refused(
                crate::error::ErrorCode::InvalidDate,
                format!("月份“{month}”超出可计算的范围（2000—2100 年）"),
                format!("{month:?} is outside the years a due day is computed for (2000–2100)"),
            )
            .into());
        }
        let rc = ctx.data::<crate::graphql::RequestContext>()?;
        let workdays = crate::service::notify::workdays::in_force(&rc.db).await?;
        let reported = first.pred_opt().unwrap_or(first);
        Ok(Date(domain::calendar::due_date(
            reported,
            self.0.report_due_day,
            self.0.report_due_postponed,
            &workdays,
        )))
    }
    /// 遇节假日顺延: whether a due day on a weekend or holiday moves to the
    /// next working day (on by default).
    async fn report_due_postponed(&self) -> bool {
        self.0.report_due_postponed
    }
    /// Whether reports count only once approved.
    async fn require_approval(&self) -> bool {
        self.0.require_approval
    }
    /// The 注 rows under the plan's 分解表 (how it is scored, who checks).
    async fn remarks(&self) -> Option<&str> {
        self.0.remarks.as_deref()
    }
    /// Whether a failed VETO goal voids the plan's score as of the date.
    async fn vetoed(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<bool> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        Ok(evaluation(ctx, &data, as_of).await?.vetoed())
    }
    /// Today in the plan's time zone: the date its figures stand on when a
    /// query gives no `asOf`.
    async fn today(&self, ctx: &Context<'_>) -> Result<Date> {
        Ok(Date(RequestContext::of(ctx)?.today_for(&self.0)))
    }
    /// How many shares' (assignments') figures standing on the date come
    /// from a report the target office has not reviewed yet (待审核). They count, since the
    /// plan does not require approval, so the plan's figures rest on them;
    /// 0 when the plan requires approval (unreviewed reports then do not
    /// count).
    async fn unreviewed_figures(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<i32> {
        let rc = RequestContext::of(ctx)?;
        let date = match as_of {
            Some(Date(d)) => d,
            None => rc.today_for(&self.0),
        };
        let data = rc.plan_standing_on(self.0.id, date).await?;
        Ok(i32::try_from(data.unreviewed_standing(date)?).unwrap_or(i32::MAX))
    }
    /// How many goals show each light as of the date: the goals the watch
    /// lists follow (`warnings`, `overdue`), i.e. every goal with something
    /// to reach (a target, or dated 节点): sub-goals included, GROUPs not.
    async fn goal_lights(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<LightCounts> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of).await?;
        Ok(crate::service::watch::goal_lights(&data, &eval).into())
    }
    /// The year-end view: the score, each top-level goal's part, the cap and the veto.
    async fn scorecard(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Scorecard> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of).await?;
        let card = domain::scorecard::scorecard(data.facts(), &eval);
        let goal = |id: i64| data.goal(id).map(|g| Goal::new(&data, g));
        // Sums of nothing are −0 in Rust (`Iterator::sum` of f64 starts
        // there): a plan without top-level goals scored "-0" of "-0".
        let shown = domain::completion::shown;
        Ok(Scorecard {
            as_of: Date(eval.as_of),
            score: shown(card.score),
            score_before_veto: shown(card.score_before_veto),
            max_score: shown(card.max_score),
            score_cap: data.plan.score_cap,
            vetoed: card.vetoed,
            vetoed_by: card.vetoed_by.iter().filter_map(|id| goal(*id)).collect(),
            goals: card
                .lines
                .iter()
                .map(|l| {
                    Ok(GoalScore {
                        goal: goal(l.goal_id).ok_or_else(|| not_judged("goal", l.goal_id))?,
                        weight: shown(l.weight),
                        completion_percent: shown(l.completion_percent),
                        counted_percent: shown(l.counted_percent),
                        score: shown(l.score),
                    })
                })
                .collect::<Result<_>>()?,
        })
    }
    /// The plan's completion and time progress at each month end up to `upTo`.
    async fn trend(&self, ctx: &Context<'_>, up_to: Option<Date>) -> Result<Vec<TrendPoint>> {
        let data = RequestContext::of(ctx)?.plan_history(self.0.id).await?;
        trend(ctx, &data, up_to, |e| Some(e.plan())).await
    }
    /// A unit's completion and time progress within this plan at each month end.
    async fn unit_trend(
        &self,
        ctx: &Context<'_>,
        unit_id: ID,
        up_to: Option<Date>,
    ) -> Result<Vec<TrendPoint>> {
        let unit_id = crate::graphql::ids::parse_id("unit", &unit_id)?;
        let data = RequestContext::of(ctx)?.plan_history(self.0.id).await?;
        // A unit's line starts once something of it counts.
        trend(ctx, &data, up_to, |e| {
            let u = e.unit(unit_id)?.progress;
            Some(domain::Progress {
                target: None,
                actual: None,
                completion_percent: u.completion_percent?,
                expected_percent: u.expected_percent,
                gap: u.gap,
                light: u.light?,
                status: u.status,
                score: u.score,
            })
        })
        .await
    }
    async fn owner_unit(&self, ctx: &Context<'_>) -> Result<Option<Unit>> {
        Ok(RequestContext::of(ctx)?
            .unit(self.0.owner_unit_id)
            .await?
            .map(Unit))
    }
    /// Top-level goals in 分解表 order.
    async fn goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        prefetch_history_for_trends(ctx, self.0.id).await?;
        Ok(data
            .top_level_goals()
            .map(|g| Goal::new(&data, g))
            .collect())
    }
    /// Every goal of the plan, sub-goals included, parents before children.
    async fn all_goals(&self, ctx: &Context<'_>) -> Result<Vec<Goal>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        prefetch_history_for_trends(ctx, self.0.id).await?;
        Ok(data
            .goals_in_order()
            .into_iter()
            .map(|g| Goal::new(&data, g))
            .collect())
    }
    async fn progress(&self, ctx: &Context<'_>, as_of: Option<Date>) -> Result<Progress> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        Ok(evaluation(ctx, &data, as_of).await?.plan().into())
    }
    /// Units with assignments in this plan, highest completion first, with
    /// the lights of their assignments.
    async fn unit_progress(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<UnitProgress>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of).await?;
        Ok(UnitProgress::ranked(&data, eval.units()))
    }
    /// Categories of the top-level goals, in the order they first appear.
    async fn category_progress(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
    ) -> Result<Vec<CategoryProgress>> {
        let data = RequestContext::of(ctx)?.plan_data(self.0.id).await?;
        let eval = evaluation(ctx, &data, as_of).await?;
        Ok(eval
            .categories()
            .iter()
            .map(|(category, progress)| CategoryProgress {
                category: category.clone(),
                progress: (*progress).into(),
            })
            .collect())
    }
}
