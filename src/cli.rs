//! The operator's subcommands: print plainly to stdout, errors to the log.
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

use crate::config::TokenCommand;
use crate::domain::access::Role;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::audit::{self, Audit};
use crate::service::{tokens, units};

/// A unit named by ID or by name; a name shared by several units (every
/// park has a 招商合作局) must be given as an ID.
async fn resolve_unit(db: &DatabaseConnection, unit: &str) -> AppResult<i64> {
    if let Ok(id) = unit.parse::<i64>() {
        return Ok(units::find(db, id).await?.id);
    }
    let matches: Vec<i64> = units::list(db)
        .await?
        .into_iter()
        .filter(|u| u.name == unit)
        .map(|u| u.id)
        .collect();
    match matches.as_slice() {
        [id] => Ok(*id),
        [] => Err(AppError::not_found("unit", unit)),
        ids => Err(AppError::rejected(
            ErrorCode::Duplicate,
            format!("{unit} names units {ids:?}; pass the ID instead"),
        )),
    }
}

pub async fn token(db: &DatabaseConnection, command: TokenCommand) -> AppResult<()> {
    let now = Utc::now();
    let (operation, input) = match &command {
        TokenCommand::Create {
            name,
            role,
            unit,
            expires_in_days,
        } => (
            "token create",
            serde_json::json!({ "name": name, "role": role, "unit": unit, "expiresInDays": expires_in_days }),
        ),
        TokenCommand::List => ("token list", serde_json::Value::Null),
        TokenCommand::Revoke { id } => ("token revoke", serde_json::json!({ "id": id })),
    };
    // The operator at the console is the author of what the CLI changes.
    let author = Audit {
        actor_name: "cli".into(),
        actor_role: "ADMIN".into(),
        operation: operation.into(),
        input,
        at: now,
    };
    audit::scoped(author, run_token(db, command, now)).await
}

async fn run_token(
    db: &DatabaseConnection,
    command: TokenCommand,
    now: chrono::DateTime<Utc>,
) -> AppResult<()> {
    match command {
        TokenCommand::Create {
            name,
            role,
            unit,
            expires_in_days,
        } => {
            let role: Role = role
                .to_uppercase()
                .parse()
                .map_err(|e: String| AppError::rejected(ErrorCode::InvalidValue, e))?;
            let unit_id = match unit {
                Some(u) => Some(resolve_unit(db, &u).await?),
                None => None,
            };
            let name = match (name, unit_id) {
                (Some(name), _) => name,
                (None, Some(id)) => format!("{} {}", units::find(db, id).await?.name, role),
                (None, None) => role.to_string(),
            };
            let input = tokens::NewToken {
                name,
                role,
                unit_id,
                expires_at: expires_in_days.map(|d| now + Duration::days(i64::from(d))),
            };
            let (token, row) = tokens::create(db, input, now).await?;
            println!("{token}");
            eprintln!(
                "token {} issued to {} ({}); it is shown only this once",
                row.id, row.name, row.role
            );
        }
        TokenCommand::List => {
            for t in tokens::list(db).await? {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(at), _) => format!("revoked {}", at.to_rfc3339()),
                    (None, Some(at)) if at <= now => format!("expired {}", at.to_rfc3339()),
                    _ => "active".to_string(),
                };
                let unit = t.unit_id.map(|u| format!(" unit {u}")).unwrap_or_default();
                println!("{}\t{}\t{}{}\t{}", t.id, t.name, t.role, unit, state);
            }
        }
        TokenCommand::Revoke { id } => {
            let row = tokens::revoke(db, id, now).await?;
            println!("token {} ({}) revoked", row.id, row.name);
        }
    }
    Ok(())
}

/// Writes a plan's 完成情况表 to `out` (.csv, or .xlsx otherwise).
pub async fn export(
    db: &DatabaseConnection,
    plan_id: i64,
    as_of: Option<chrono::NaiveDate>,
    out: &std::path::Path,
) -> AppResult<()> {
    let loaded = crate::service::load_plans(db, &[plan_id]).await?;
    let data = loaded
        .get(&plan_id)
        .ok_or_else(|| AppError::not_found("plan", plan_id))?;
    let zone = crate::domain::dates::parse_time_zone(&data.plan.time_zone)
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let today = crate::domain::dates::today_in(zone, Utc::now());
    let eval = data.evaluation(as_of.unwrap_or(today));
    let bytes = if out.extension().is_some_and(|e| e == "csv") {
        crate::service::export::csv(data, &eval).into_bytes()
    } else {
        crate::service::export::xlsx(data, &eval, today)?
    };
    std::fs::write(out, bytes).map_err(AppError::internal)?;
    eprintln!(
        "{} as of {} written to {}",
        data.plan.name,
        eval.as_of,
        out.display()
    );
    Ok(())
}
