//! A report, and a report waiting for review.
use super::*;

pub struct Report(pub report::Model);

#[Object]
impl Report {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }
    /// The cumulative value (or current level) as of `asOf`.
    async fn value(&self) -> f64 {
        domain::completion::unsigned_zero(self.0.value)
    }
    /// 进展: progress notes.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// 问题: problems met.
    async fn problems(&self) -> Option<&str> {
        self.0.problems.as_deref()
    }
    /// 下一步: next steps.
    async fn next_steps(&self) -> Option<&str> {
        self.0.next_steps.as_deref()
    }
    /// When the report was submitted (RFC 3339, UTC).
    async fn submitted_at(&self) -> String {
        self.0.submitted_at.to_rfc3339()
    }
    /// The token name that submitted it.
    async fn submitted_by(&self) -> Option<&str> {
        self.0.submitted_by.as_deref()
    }
    /// SUBMITTED, APPROVED or RETURNED.
    async fn status(&self) -> ReviewState {
        domain::ReviewState::from(self.0.status).into()
    }
    async fn reviewed_by(&self) -> Option<&str> {
        self.0.reviewed_by.as_deref()
    }
    async fn reviewed_at(&self) -> Option<String> {
        self.0.reviewed_at.map(|t| t.to_rfc3339())
    }
    /// Why it was returned (退回原因).
    async fn review_reason(&self) -> Option<&str> {
        self.0.review_reason.as_deref()
    }
    /// 佐证材料 filed with the report: for ADMINs and VIEWERs, and for
    /// REPORTERs of the share's unit or one above it (empty for others,
    /// who could not download them either).
    async fn attachments(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::attachments::Attachment>> {
        let rc = RequestContext::of(ctx)?;
        let actor = rc.actor()?;
        if actor.role == domain::access::Role::Reporter {
            let data = rc.plan_data(self.0.plan_id).await?;
            let Some(share) = data.assignment(self.0.assignment_id) else {
                return Ok(Vec::new());
            };
            let parents = rc.unit_parents().await?;
            let own = std::iter::once(share.unit_id);
            if !domain::access::may_read_for_units(actor.role, actor.unit_id, own, &parents) {
                return Ok(Vec::new());
            }
        }
        Ok(rc
            .report_files
            .load_one(self.0.id)
            .await
            .map_err(|e| crate::error::AppError::internal(e.to_string()))?
            .unwrap_or_default())
    }
}

/// A report waiting for review, with what it is about.
#[derive(SimpleObject)]
pub struct ReviewItem {
    pub report: Report,
    pub assignment: Assignment,
    /// The later report of the same share and date that corrects this one
    /// (it cannot be approved then, only returned); null if none.
    pub superseded_by: Option<Report>,
}
