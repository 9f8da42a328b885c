use sea_orm_migration::sea_query::{Check, Expr};
use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261127_000010_integrity::check_name;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Username,
    UsernameKey,
    DisplayName,
    Role,
    UnitId,
    PasswordHash,
    MustChangePassword,
    DisabledAt,
    CreatedAt,
    PasswordChangedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum AccountSession {
    Table,
    Id,
    TokenHash,
    AccountId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum LoginThrottle {
    Table,
    UsernameKey,
    Failures,
    LastFailureAt,
    LockedUntil,
}

#[derive(DeriveIden)]
enum Unit {
    Table,
    Id,
}

const ROLES: [&str; 3] = ["ADMIN", "REPORTER", "VIEWER"];

/// People who sign in with a password (accounts), their sessions, and the
/// failed sign-ins per username that lock it for a while. Accounts have
/// the roles tokens have, so a session becomes the same `Actor` and every
/// permission check applies unchanged.
///
/// Everything a server needs to accept a session is in these tables (the
/// hash of the cookie's token, its expiry and last use, the account), so
/// any server behind a load balancer accepts a session another made.
/// Failed sign-ins are counted per username key whether or not an account
/// has that name, so a lock says nothing about which names exist.
///
/// The checks are declared with the tables (both databases take a named
/// CHECK in CREATE TABLE; migration 10 needed triggers on SQLite only
/// because SQLite cannot add one to an existing table), named as migration
/// 10 names them.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let role = Expr::col(Account::Role);
        let reporter = role.clone().eq("REPORTER");
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(big_pk_auto(Account::Id))
                    .col(string_len(Account::Username, 64))
                    // `domain::text::key(username)`: how names are
                    // compared (case and width folded), kept by the
                    // entity's `before_save`. Longer than the username:
                    // compatibility decomposition can lengthen a name.
                    .col(string_len_uniq(Account::UsernameKey, 256))
                    .col(string_len(Account::DisplayName, 100))
                    .col(string_len(Account::Role, 16))
                    .col(big_integer_null(Account::UnitId))
                    // A PHC string: algorithm, parameters, salt and hash.
                    .col(text(Account::PasswordHash))
                    .col(boolean(Account::MustChangePassword))
                    .col(timestamp_with_time_zone_null(Account::DisabledAt))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .col(timestamp_with_time_zone(Account::PasswordChangedAt))
                    .col(timestamp_with_time_zone_null(Account::LastLoginAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_unit")
                            .from(Account::Table, Account::UnitId)
                            .to(Unit::Table, Unit::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .check(Check::named(
                        check_name("account", "role"),
                        role.clone().is_in(ROLES),
                    ))
                    // A REPORTER reports for a unit; the others have none.
                    .check(Check::named(
                        "account_unit_of_reporter",
                        reporter
                            .clone()
                            .and(Expr::col(Account::UnitId).is_not_null())
                            .or(role
                                .ne("REPORTER")
                                .and(Expr::col(Account::UnitId).is_null())),
                    ))
                    .check(Check::named(
                        "account_username_not_blank",
                        Expr::col(Account::UsernameKey).ne(""),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountSession::Table)
                    .col(big_pk_auto(AccountSession::Id))
                    // SHA-256 of the cookie's token, hex; the token itself
                    // is never stored.
                    .col(string_len_uniq(AccountSession::TokenHash, 64))
                    .col(big_integer(AccountSession::AccountId))
                    .col(timestamp_with_time_zone(AccountSession::CreatedAt))
                    .col(timestamp_with_time_zone(AccountSession::LastSeenAt))
                    .col(timestamp_with_time_zone(AccountSession::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_session_account")
                            .from(AccountSession::Table, AccountSession::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .take(),
            )
            .await?;
        // An account's sessions (sign out everywhere, disable); the
        // expired ones (deleted as people sign in).
        for (name, column) in [
            ("idx_account_session_account", AccountSession::AccountId),
            ("idx_account_session_expires", AccountSession::ExpiresAt),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AccountSession::Table)
                        .col(column)
                        .take(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(LoginThrottle::Table)
                    // Any name typed at sign-in, as `text::key` makes it.
                    .col(string_len(LoginThrottle::UsernameKey, 256).primary_key())
                    .col(integer(LoginThrottle::Failures))
                    .col(timestamp_with_time_zone(LoginThrottle::LastFailureAt))
                    .col(timestamp_with_time_zone_null(LoginThrottle::LockedUntil))
                    .check(Check::named(
                        "login_throttle_failures_not_negative",
                        Expr::col(LoginThrottle::Failures).gte(0),
                    ))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginThrottle::Table).take())
            .await?;
        manager
            .drop_table(Table::drop().table(AccountSession::Table).take())
            .await?;
        manager
            .drop_table(Table::drop().table(Account::Table).take())
            .await?;
        Ok(())
    }
}
