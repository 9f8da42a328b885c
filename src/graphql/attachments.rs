//! 佐证材料 in the API: `uploadAttachment` keeps a file as the caller's,
//! unlinked; a step's `attachmentIds` then cite it (feedback, closure
//! request, rectification, report). Files are downloaded at
//! `GET /attachments/{id}`, never through GraphQL.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, Object, Result, Upload};
use entity::attachment;
use sea_orm::DatabaseConnection;

use super::audit::author;
use super::context::RequestContext;
use super::ids::id_of;
use super::inputs::{parse_id, parse_ids};
use crate::error::{AppError, ErrorCode};
use crate::service::attachments::{self, AttachmentLimits, Evidence};
use domain::access::Role;

/// An uploaded file.
#[derive(Clone)]
pub struct Attachment(pub attachment::Model);

#[Object]
impl Attachment {
    async fn id(&self) -> ID {
        id_of(self.0.id)
    }
    /// The name it is kept under (cleaned; the extension fits the content).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Bytes.
    async fn size(&self) -> i64 {
        self.0.size
    }
    /// Read from the bytes, not from what the uploader sent.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    /// Hex SHA-256 of the bytes.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    async fn uploaded_by(&self) -> &str {
        &self.0.uploaded_by
    }
    async fn uploaded_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.uploaded_at
    }
    /// Where to download it (with the same token or session).
    async fn url(&self) -> String {
        format!("/attachments/{}", self.0.id)
    }
}

/// The files a step cites, parsed, with the server's limits.
pub(super) fn evidence(ctx: &Context<'_>, ids: &[ID]) -> Result<Evidence> {
    let limits = *ctx.data::<AttachmentLimits>()?;
    let caller = RequestContext::of(ctx)?.caller_key();
    Ok(Evidence::new(parse_ids("attachment", ids)?, caller, limits))
}

/// The attachments of reports, loaded together for every report a request
/// shows (one statement per batch, not one per report).
pub struct ReportFiles(pub DatabaseConnection);

impl Loader<i64> for ReportFiles {
    type Value = Vec<Attachment>;
    type Error = Arc<String>;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let files = attachments::of_owners(&self.0, "REPORT", keys)
            .await
            .map_err(|e| Arc::new(e.to_string()))?;
        let mut out: HashMap<i64, Vec<Attachment>> = HashMap::new();
        for file in files {
            if let Some(owner) = file.owner_id {
                out.entry(owner).or_default().push(Attachment(file));
            }
        }
        Ok(out)
    }
}

#[derive(Default)]
pub struct AttachmentMutation;

#[Object]
impl AttachmentMutation {
    /// 上传佐证材料: keeps a file (PDF/OFD, an image, a Word/Excel/PowerPoint
    /// or WPS document; 20 MB at most by default) as the caller's own. It
    /// proves nothing until a feedback, closure request, rectification or
    /// report cites it by ID; until then only the uploader can see it. Sent
    /// as a multipart request (the GraphQL multipart request spec).
    async fn upload_attachment(&self, ctx: &Context<'_>, file: Upload) -> Result<Attachment> {
        let rc = RequestContext::of(ctx)?;
        if rc.actor()?.role == Role::Viewer {
            return Err(AppError::refused(
                ErrorCode::Forbidden,
                "只读账号不能上传附件",
                "a VIEWER cannot upload attachments",
            )
            .into());
        }
        let limits = *ctx.data::<AttachmentLimits>()?;
        let (name, bytes) = super::import::read_upload(ctx, &file, limits.per_file_bytes)?;
        let kept = attachments::upload(
            &rc.db,
            &author(ctx)?,
            &rc.caller_key(),
            &name,
            bytes,
            limits,
            rc.now,
        )
        .await?;
        Ok(Attachment(kept))
    }

    /// 删除 one of the caller's own uploads that nothing cites yet (a form
    /// whose step was refused). Returns its ID.
    async fn discard_attachment(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let rc = RequestContext::of(ctx)?;
        rc.actor()?;
        attachments::discard(&rc.db, &rc.caller_key(), parse_id("attachment", &id)?).await?;
        Ok(id)
    }
}
