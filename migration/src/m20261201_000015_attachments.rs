use sea_orm_migration::sea_query::{Check, Expr};
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000010_integrity::check_name;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attachment {
    Table,
    Id,
    Name,
    Size,
    ContentType,
    Sha256,
    UploadedBy,
    UploaderKey,
    UploadedAt,
    OwnerKind,
    OwnerId,
    EventId,
}

#[derive(DeriveIden)]
enum AttachmentContent {
    Table,
    AttachmentId,
    Bytes,
}

const OWNERS: [&str; 3] = ["SUPERVISION_ITEM", "PROBLEM", "REPORT"];

/// 佐证材料. The files live in the database, beside what they prove: every
/// server of a cluster sees them, one backup holds the records and their
/// evidence together, and a transaction links a file to its feedback or
/// report or does neither. The bytes are in a table of their own so that
/// lists of attachments never read them. A file belongs to nobody until
/// the step that cites it (feedback, closure request, rectification,
/// report) links it to that item, problem or report, once.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attachment::Table)
                    .col(big_pk_auto(Attachment::Id))
                    .col(string_len(Attachment::Name, 200))
                    .col(big_integer(Attachment::Size))
                    .col(string_len(Attachment::ContentType, 100))
                    .col(string_len(Attachment::Sha256, 64))
                    .col(string_len(Attachment::UploadedBy, 200))
                    // Who may cite it while unlinked: the token or account
                    // ("token:7", "user:3"), never a display name others
                    // may share.
                    .col(string_len(Attachment::UploaderKey, 100))
                    .col(timestamp_with_time_zone(Attachment::UploadedAt))
                    .col(string_len_null(Attachment::OwnerKind, 32))
                    .col(big_integer_null(Attachment::OwnerId))
                    .col(big_integer_null(Attachment::EventId))
                    .check(Check::named(
                        check_name("attachment", "owner_kind"),
                        Expr::col(Attachment::OwnerKind)
                            .is_in(OWNERS)
                            .or(Expr::col(Attachment::OwnerKind).is_null()),
                    ))
                    // Linked to an owner, or to nothing yet: never half.
                    .check(Check::named(
                        "attachment_owner_whole",
                        Expr::col(Attachment::OwnerKind)
                            .is_null()
                            .and(Expr::col(Attachment::OwnerId).is_null())
                            .or(Expr::col(Attachment::OwnerKind)
                                .is_not_null()
                                .and(Expr::col(Attachment::OwnerId).is_not_null())),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("attachment_owner")
                    .table(Attachment::Table)
                    .col(Attachment::OwnerKind)
                    .col(Attachment::OwnerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AttachmentContent::Table)
                    .col(big_integer(AttachmentContent::AttachmentId).primary_key())
                    .col(blob(AttachmentContent::Bytes))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_attachment_content_attachment")
                            .from(AttachmentContent::Table, AttachmentContent::AttachmentId)
                            .to(Attachment::Table, Attachment::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AttachmentContent::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Attachment::Table).to_owned())
            .await
    }
}
