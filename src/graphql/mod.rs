//! The GraphQL API: schema, objects, inputs and loaders. Resolvers stay thin:
//! they parse IDs, call `service`, and read figures from the plan snapshot.

/// Accounts: `me`, `users` and the mutations that manage them.
pub mod accounts;
/// 佐证材料: uploads, and the files a step cites.
pub mod attachments;
/// The author of each mutation, for the audit log.
pub mod audit;
/// What one request may cost: dates, rows held, values answered.
pub mod budget;
/// Per-request loaders and helpers reached through the resolver context.
pub mod context;
pub mod enums;
/// AppError → GraphQL error with `extensions.code`.
pub mod errors;
pub mod ids;
/// The spreadsheet import mutation and what it answers.
pub mod import;
/// Input types of the mutations.
pub mod inputs;
/// The depth and complexity limits, refused with typed errors.
pub mod limits;
/// The mutation root.
pub mod mutation;
/// Notifications, webhooks, the calendar's overrides and the subscriptions.
pub mod notify;
/// Output types: Plan, Goal, Assignment, Milestone, Report, Unit, Progress.
pub mod objects;
/// 问题台账: problems, rectification, recheck, escalation, figures.
pub mod problems;
/// The query root.
pub mod query;
/// The `Date` scalar ("YYYY-MM-DD").
pub mod scalars;
/// 督查督办: supervision items, their steps, extensions and figures.
pub mod supervision;
/// Watch lists and the reporting calendar.
pub mod watch;

use async_graphql::{MergedObject, Schema};

use crate::config::LimitsConfig;

pub use context::RequestContext;
pub use query::QueryRoot;

/// Every mutation: the core ones, the spreadsheet import and accounts.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::CoreMutation,
    import::ImportMutation,
    accounts::AccountMutation,
    supervision::SupervisionMutation,
    problems::ProblemMutation,
    attachments::AttachmentMutation,
    notify::NotifyMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, notify::SubscriptionRoot>;

/// The schema's SDL, as `schema.graphql` holds it and `mubiao schema`
/// prints it.
pub fn schema_sdl() -> String {
    build_schema(&LimitsConfig::default()).sdl()
}

/// The schema with the request limits; per-request data (`RequestContext`)
/// is attached by the HTTP handler so that caches never outlive a request.
pub fn build_schema(limits: &LimitsConfig) -> AppSchema {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        notify::SubscriptionRoot,
    )
    .extension(limits::QueryLimits {
        max_depth: limits.max_depth,
        max_complexity: limits.max_complexity,
    })
    .extension(budget::CountValues)
    .data(limits.import_timing())
    .data(limits.attachment_limits());
    if limits.production {
        // No "Did you mean …?" either: a misspelt field would list its
        // neighbours, which is the schema introspection hides.
        builder
            .disable_introspection()
            .disable_suggestions()
            .finish()
    } else {
        builder.finish()
    }
}
