//! SeaORM entities: one module per table. The enum columns (kinds,
//! directions, states, roles) are typed by `enums`, stored as the short
//! strings the `domain` crate spells them with; `domain` owns their meaning.

/// People who sign in with a password (users), with a token's roles.
pub mod account;
/// Signed-in browsers: the hash of each session cookie's token.
pub mod account_session;
/// Bearer tokens, stored as hashes.
pub mod api_token;
/// A unit's share of a goal (分解).
pub mod assignment;
/// Uploaded files (佐证材料), without their bytes.
pub mod attachment;
/// The bytes of each attachment.
pub mod attachment_content;
/// The audit log: who changed what, when.
pub mod audit_log;
/// An ADMIN's overrides of the working-day calendar.
pub mod calendar_day;
/// Webhook deliveries: one event to one webhook, and how it went.
pub mod delivery;
/// The seven enum columns, typed, each converting to its `domain` enum.
pub mod enums;
/// Targets (目标任务), a tree inside a plan.
pub mod goal;
/// The light each goal was last seen with (LIGHT_CHANGED).
pub mod goal_light;
/// Supporting units (配合单位) of a goal.
pub mod goal_supporting_unit;
/// Idempotency keys of submitted reports (a retry files nothing new).
pub mod idempotency_key;
/// Failed sign-ins per username and the lock they set.
pub mod login_throttle;
/// Dated deliverables (节点目标) of a MILESTONE goal.
pub mod milestone;
/// In-app notifications, per unit or for the office.
pub mod notification;
/// Who has read each notification.
pub mod notification_read;
/// Events of the transactional outbox.
pub mod outbox_event;
/// A year's targets (年度目标) owned by a unit, usually a park's root unit.
pub mod plan;
/// Problems of the rectification ledger (问题台账).
pub mod problem;
/// What happened to a problem, one row per event.
pub mod problem_event;
/// Cumulative progress reports (月报); never updated, a correction is a new row.
pub mod report;
/// What happened to a supervision item, one row per event.
pub mod supervision_event;
/// Extension requests of supervision items and their decisions.
pub mod supervision_extension;
/// Supervision items (督办事项) handed to a lead unit.
pub mod supervision_item;
/// Goals a supervision item is about.
pub mod supervision_item_goal;
/// Supporting units of a supervision item.
pub mod supervision_item_unit;
/// Responsible units (责任单位), a tree: 管委会 → 招商合作局 → …
pub mod unit;
/// Where events are pushed (企业微信, 钉钉, 飞书 robots, signed JSON).
pub mod webhook;
