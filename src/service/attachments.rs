//! 佐证材料: files uploaded as evidence, then cited by the step they prove
//! (a feedback, a closure request, a rectification, a monthly report), in
//! that step's transaction. What a file is, what its name becomes and how
//! much one item may hold are `domain::evidence`'s rules; here they are
//! stored (bytes apart from the row, see the migration) and linked.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{assignment, attachment, attachment_content, report, supervision_item_unit};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::db::audit::{Audit, Audited, Touches};
use crate::db::{begin_write, finish};
use crate::error::{AppError, AppResult, ErrorCode};
use domain::access::{Actor, may_read_for_units};
use domain::evidence;

impl Audited for attachment::Model {
    const OBJECT: &'static str = "attachment";
    fn object_id(&self) -> i64 {
        self.id
    }
    fn touches(&self) -> Touches {
        Touches::Nothing
    }
}

/// How large files may be, one by one and together on one owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttachmentLimits {
    pub per_file_bytes: u64,
    pub per_owner_count: usize,
    pub per_owner_bytes: u64,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        AttachmentLimits {
            per_file_bytes: 20 << 20,
            per_owner_count: 20,
            per_owner_bytes: 100 << 20,
        }
    }
}

/// What an attachment proves, once linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    SupervisionItem(i64),
    Problem(i64),
    Report(i64),
}

impl Owner {
    pub fn kind(self) -> &'static str {
        match self {
            Owner::SupervisionItem(_) => "SUPERVISION_ITEM",
            Owner::Problem(_) => "PROBLEM",
            Owner::Report(_) => "REPORT",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Owner::SupervisionItem(id) | Owner::Problem(id) | Owner::Report(id) => id,
        }
    }

    fn of(model: &attachment::Model) -> Option<Owner> {
        let id = model.owner_id?;
        match model.owner_kind.as_deref()? {
            "SUPERVISION_ITEM" => Some(Owner::SupervisionItem(id)),
            "PROBLEM" => Some(Owner::Problem(id)),
            "REPORT" => Some(Owner::Report(id)),
            _ => None,
        }
    }
}

/// Files a step cites, who cites them, and the limits they are held to.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub ids: Vec<i64>,
    /// The citing caller's token or account ("token:7", "user:3"): a file
    /// is citable only by the token or account that uploaded it.
    pub uploader_key: String,
    pub limits: AttachmentLimits,
}

impl Evidence {
    pub fn new(ids: Vec<i64>, uploader_key: String, limits: AttachmentLimits) -> Self {
        Evidence {
            ids,
            uploader_key,
            limits,
        }
    }
}

/// Keeps an uploaded file, unlinked, as its uploader's. The kind is read
/// from the bytes; a file that is no evidence is refused and nothing kept.
pub async fn upload(
    db: &DatabaseConnection,
    author: &Audit,
    uploader_key: &str,
    raw_name: &str,
    bytes: Vec<u8>,
    limits: AttachmentLimits,
    now: DateTime<Utc>,
) -> AppResult<attachment::Model> {
    let accepted = evidence::accept(raw_name, &bytes, limits.per_file_bytes)?;
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    // The audit row names the file, not the multipart placeholder.
    let mut author = author.clone();
    author.input = serde_json::json!({
        "name": accepted.name,
        "size": bytes.len(),
        "contentType": accepted.content_type,
        "sha256": sha256,
    });
    let txn = begin_write(db).await?;
    let result: AppResult<_> = async {
        // Files not cited yet are the uploader's to hold, within what one
        // item may hold: uploads alone cannot fill the disk.
        let waiting = attachment::Entity::find()
            .filter(attachment::Column::UploaderKey.eq(uploader_key))
            .filter(attachment::Column::OwnerKind.is_null())
            .all(&txn)
            .await?;
        evidence::check_unlinked_room(
            waiting.len(),
            waiting.iter().map(|a| a.size.max(0) as u64).sum(),
            bytes.len() as u64,
            limits.per_owner_count,
            limits.per_owner_bytes,
        )?;
        let model = attachment::ActiveModel {
            name: Set(accepted.name),
            size: Set(bytes.len() as i64),
            content_type: Set(accepted.content_type.to_string()),
            sha256: Set(sha256),
            uploaded_by: Set(author.actor_name.clone()),
            uploader_key: Set(uploader_key.to_string()),
            uploaded_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        attachment_content::ActiveModel {
            attachment_id: Set(model.id),
            bytes: Set(bytes),
        }
        .insert(&txn)
        .await?;
        Ok(model)
    }
    .await;
    finish(txn, &author, result).await
}

/// Discards one of the caller's own uploads that nothing cites yet (a
/// form whose step was refused after its files went up). Anyone else's,
/// or a cited one, is NOT_FOUND.
pub async fn discard(db: &DatabaseConnection, uploader_key: &str, id: i64) -> AppResult<()> {
    let txn = begin_write(db).await?;
    let result: AppResult<()> = async {
        let file = attachment::Entity::find_by_id(id)
            .filter(attachment::Column::UploaderKey.eq(uploader_key))
            .filter(attachment::Column::OwnerKind.is_null())
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::not_found("attachment", id))?;
        attachment_content::Entity::delete_by_id(file.id)
            .exec(&txn)
            .await?;
        attachment::Entity::delete_by_id(file.id).exec(&txn).await?;
        Ok(())
    }
    .await;
    crate::db::settle(txn, result).await
}

/// Deletes the files no step cited within `days` of their upload (a form
/// abandoned after choosing its files); run by the daily job. Returns how
/// many went.
pub async fn purge_unlinked(
    db: &DatabaseConnection,
    days: i64,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let before = now - chrono::Duration::days(days);
    let stale: Vec<i64> = attachment::Entity::find()
        .filter(attachment::Column::OwnerKind.is_null())
        .filter(attachment::Column::UploadedAt.lt(before))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let mut gone = 0;
    for chunk in stale.chunks(500) {
        let txn = begin_write(db).await?;
        let result: AppResult<u64> = async {
            attachment_content::Entity::delete_many()
                .filter(attachment_content::Column::AttachmentId.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?;
            Ok(attachment::Entity::delete_many()
                .filter(attachment::Column::Id.is_in(chunk.iter().copied()))
                .filter(attachment::Column::OwnerKind.is_null())
                .exec(&txn)
                .await?
                .rows_affected)
        }
        .await;
        gone += crate::db::settle(txn, result).await?;
    }
    Ok(gone)
}

/// Links the files a step cites to its owner (and the event that cites
/// them), inside the step's transaction: each must exist, be the caller's
/// own upload and not yet cited elsewhere, and the owner must have room.
pub async fn link<C: ConnectionTrait>(
    txn: &C,
    evidence: &Evidence,
    owner: Owner,
    event_id: Option<i64>,
) -> AppResult<()> {
    let mut seen = HashSet::new();
    let ids: Vec<i64> = evidence
        .ids
        .iter()
        .copied()
        .filter(|id| seen.insert(*id))
        .collect();
    if ids.is_empty() {
        return Ok(());
    }
    let found: HashMap<i64, attachment::Model> = attachment::Entity::find()
        .filter(attachment::Column::Id.is_in(ids.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let mut adding_bytes = 0u64;
    for id in &ids {
        let Some(file) = found.get(id) else {
            return Err(AppError::not_found("attachment", id));
        };
        // Someone else's file is as missing as one that does not exist:
        // a refusal naming it would tell its name to whoever guessed its ID.
        if file.uploader_key != evidence.uploader_key {
            return Err(AppError::not_found("attachment", id));
        }
        if file.owner_kind.is_some() {
            return Err(already_cited(file));
        }
        adding_bytes += file.size.max(0) as u64;
    }
    let held = attachment::Entity::find()
        .filter(attachment::Column::OwnerKind.eq(owner.kind()))
        .filter(attachment::Column::OwnerId.eq(owner.id()))
        .all(txn)
        .await?;
    let held_bytes = held.iter().map(|a| a.size.max(0) as u64).sum();
    evidence::check_owner_room(
        held.len(),
        held_bytes,
        ids.len(),
        adding_bytes,
        evidence.limits.per_owner_count,
        evidence.limits.per_owner_bytes,
    )?;
    // Only rows still unlinked: a second step citing the same file at the
    // same moment links nothing and is refused.
    let linked = attachment::Entity::update_many()
        .col_expr(attachment::Column::OwnerKind, Expr::value(owner.kind()))
        .col_expr(attachment::Column::OwnerId, Expr::value(owner.id()))
        .col_expr(attachment::Column::EventId, Expr::value(event_id))
        .filter(attachment::Column::Id.is_in(ids.clone()))
        .filter(attachment::Column::OwnerKind.is_null())
        .exec(txn)
        .await?;
    if linked.rows_affected != ids.len() as u64 {
        let file = &found[&ids[0]];
        return Err(already_cited(file));
    }
    Ok(())
}

fn already_cited(file: &attachment::Model) -> AppError {
    AppError::refused(
        ErrorCode::InvalidValue,
        format!(
            "附件“{}”已作为其他材料的佐证，不能再次引用；如需再用，请重新上传",
            file.name
        ),
        format!(
            "attachment {:?} already proves something else; upload it again to cite it here",
            file.name
        ),
    )
}

/// The attachments of some owners of one kind, oldest first: one statement.
pub async fn of_owners<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    owner_ids: &[i64],
) -> AppResult<Vec<attachment::Model>> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(attachment::Entity::find()
        .filter(attachment::Column::OwnerKind.eq(kind))
        .filter(attachment::Column::OwnerId.is_in(owner_ids.to_vec()))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?)
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> AppResult<attachment::Model> {
    attachment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("attachment", id))
}

/// The file and its bytes, for a caller who may read what it proves; to
/// anyone else it is as missing as one that does not exist.
pub async fn download(
    db: &DatabaseConnection,
    actor: &Actor,
    caller_key: &str,
    parents: &HashMap<i64, Option<i64>>,
    id: i64,
) -> AppResult<(attachment::Model, Vec<u8>)> {
    let file = find(db, id).await?;
    if !may_read(db, actor, caller_key, parents, &file).await? {
        return Err(AppError::not_found("attachment", id));
    }
    let bytes = attachment_content::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal(format!("attachment {id} has no bytes")))?
        .bytes;
    Ok((file, bytes))
}

/// Whether the caller may read a file: an unlinked one only its uploader;
/// a linked one whoever may read the item, problem or report it proves
/// (ADMIN and VIEWER all; a REPORTER those of its unit and below).
pub async fn may_read<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    caller_key: &str,
    parents: &HashMap<i64, Option<i64>>,
    file: &attachment::Model,
) -> AppResult<bool> {
    let Some(owner) = Owner::of(file) else {
        return Ok(file.uploader_key == caller_key);
    };
    let units: Vec<i64> = match owner {
        Owner::SupervisionItem(id) => {
            let item = super::supervision::find(db, id).await?;
            let supporting = supervision_item_unit::Entity::find()
                .filter(supervision_item_unit::Column::ItemId.eq(id))
                .all(db)
                .await?;
            std::iter::once(item.lead_unit_id)
                .chain(supporting.into_iter().map(|s| s.unit_id))
                .collect()
        }
        Owner::Problem(id) => vec![super::problems::find(db, id).await?.unit_id],
        Owner::Report(id) => {
            let Some(filed) = report::Entity::find_by_id(id).one(db).await? else {
                return Ok(false);
            };
            let Some(share) = assignment::Entity::find_by_id(filed.assignment_id)
                .one(db)
                .await?
            else {
                return Ok(false);
            };
            vec![share.unit_id]
        }
    };
    Ok(may_read_for_units(
        actor.role,
        actor.unit_id,
        units.into_iter(),
        parents,
    ))
}
