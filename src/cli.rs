//! The operator's subcommands: print plainly to stdout, notes and problems
//! to stderr, in the language the office reads (`--lang`, Chinese unless
//! English is asked for); `main` prints a refusal in the same language.
use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::config::{ImportArgs, TokenCommand};
use crate::db::audit::Audit;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::import::{ImportRequest, PlanTarget};
use crate::service::{tokens, units};
use domain::Lang;
use domain::access::Role;

/// The line for the reader: `zh`, or `en` when English was asked for.
fn pick(lang: Lang, zh: String, en: String) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

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
        ids => Err(AppError::refused(
            ErrorCode::Duplicate,
            format!(
                "名为“{unit}”的单位有 {} 个（编号 {}），请改填单位编号",
                ids.len(),
                ids.iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!("{unit} names units {ids:?}; pass the ID instead"),
        )),
    }
}

pub async fn token(db: &DatabaseConnection, command: TokenCommand, lang: Lang) -> AppResult<()> {
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
    run_token(db, &author, command, now, lang).await
}

async fn run_token(
    db: &DatabaseConnection,
    author: &Audit,
    command: TokenCommand,
    now: chrono::DateTime<Utc>,
    lang: Lang,
) -> AppResult<()> {
    match command {
        TokenCommand::Create {
            name,
            role,
            unit,
            expires_in_days,
        } => {
            let role: Role = role.to_uppercase().parse().map_err(|e: String| {
                AppError::refused(
                    ErrorCode::InvalidValue,
                    format!("角色只能是 admin、reporter 或 viewer，不能是“{role}”"),
                    e,
                )
            })?;
            let unit_id = match unit {
                Some(u) => Some(resolve_unit(db, &u).await?),
                None => None,
            };
            // By default the holder is named as the office reads it.
            let role_name = tokens::role_label(role, lang);
            let name = match (name, unit_id) {
                (Some(name), _) => name,
                (None, Some(id)) => format!("{} {role_name}", units::find(db, id).await?.name),
                (None, None) => role_name.to_string(),
            };
            let input = tokens::NewToken {
                name,
                role,
                unit_id,
                expires_at: expires_in_days.map(|d| now + Duration::days(i64::from(d))),
            };
            let (token, row) = tokens::create(db, author, input, now).await?;
            println!("{token}");
            let role = tokens::role_label(row.role.into(), lang);
            eprintln!(
                "{}",
                pick(
                    lang,
                    format!(
                        "已签发令牌 {}，持有人：{}（{role}）；令牌只显示这一次，请立即妥善保存",
                        row.id, row.name
                    ),
                    format!(
                        "token {} issued to {} ({role}); it is shown only this once",
                        row.id, row.name
                    ),
                )
            );
        }
        TokenCommand::List => {
            for t in tokens::list(db).await? {
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(at), _) => pick(
                        lang,
                        format!("已于 {} 吊销", at.to_rfc3339()),
                        format!("revoked {}", at.to_rfc3339()),
                    ),
                    (None, Some(at)) if at <= now => pick(
                        lang,
                        format!("已于 {} 过期", at.to_rfc3339()),
                        format!("expired {}", at.to_rfc3339()),
                    ),
                    _ => pick(lang, "有效".into(), "active".into()),
                };
                let unit = t
                    .unit_id
                    .map(|u| pick(lang, format!(" 单位 {u}"), format!(" unit {u}")))
                    .unwrap_or_default();
                let role = tokens::role_label(t.role.into(), lang);
                println!("{}\t{}\t{role}{unit}\t{state}", t.id, t.name);
            }
        }
        TokenCommand::Revoke { id } => {
            let row = tokens::revoke(db, author, id, now).await?;
            println!(
                "{}",
                pick(
                    lang,
                    format!("令牌 {}（{}）已吊销", row.id, row.name),
                    format!("token {} ({}) revoked", row.id, row.name),
                )
            );
        }
    }
    Ok(())
}

/// Writes a plan's 完成情况表 to `out` (.csv, or .xlsx otherwise), or with
/// `breakdown` its 目标任务分解表.
pub async fn export(
    db: &DatabaseConnection,
    plan_id: i64,
    as_of: Option<chrono::NaiveDate>,
    breakdown: bool,
    out: &std::path::Path,
    lang: Lang,
) -> AppResult<()> {
    let loaded = crate::service::load_plans(db, &[plan_id]).await?;
    let data = loaded
        .get(&plan_id)
        .ok_or_else(|| AppError::not_found("plan", plan_id))?;
    let zone =
        domain::dates::parse_time_zone(&data.plan.time_zone).unwrap_or(chrono_tz::Asia::Shanghai);
    let today = domain::dates::today_in(zone, Utc::now());
    let eval = data.evaluation(as_of.unwrap_or(today))?;
    let bytes = if breakdown {
        crate::service::export::breakdown_xlsx(data)?
    } else if out.extension().is_some_and(|e| e == "csv") {
        crate::service::export::csv(data, &eval)?.into_bytes()
    } else {
        crate::service::export::xlsx(data, &eval, today)?
    };
    std::fs::write(out, bytes).map_err(AppError::internal)?;
    let zh = if breakdown {
        format!(
            "“{}”的目标任务分解表已写入 {}",
            data.plan.name,
            out.display()
        )
    } else {
        format!(
            "“{}”截至 {} 的完成情况表已写入 {}",
            data.plan.name,
            eval.as_of,
            out.display()
        )
    };
    let en = format!(
        "{} as of {} written to {}",
        data.plan.name,
        eval.as_of,
        out.display()
    );
    eprintln!("{}", pick(lang, zh, en));
    Ok(())
}

/// `--plan 12`, `--plan 2026`, `--plan 2026年`, `--plan id:2025`.
fn plan_target(
    text: &str,
    name: Option<String>,
    owner_unit_id: Option<i64>,
) -> AppResult<PlanTarget> {
    let text = text.trim();
    let bad = || {
        AppError::refused(
            ErrorCode::InvalidValue,
            format!("无法识别 --plan “{text}”：请填计划编号、年度（如 2026）或 id:编号"),
            format!("--plan {text:?}: give a plan ID, a year (2026), or id:N"),
        )
    };
    if let Some(id) = text.strip_prefix("id:") {
        return id.trim().parse().map(PlanTarget::Id).map_err(|_| bad());
    }
    let (digits, year_mark) = match text.strip_suffix('年') {
        Some(d) => (d, true),
        None => (text, false),
    };
    let n: i64 = digits.parse().map_err(|_| bad())?;
    if year_mark || (1900..=2999).contains(&n) {
        Ok(PlanTarget::Year {
            year: i32::try_from(n).map_err(|_| bad())?,
            name,
            owner_unit_id,
        })
    } else {
        Ok(PlanTarget::Id(n))
    }
}

/// Imports a 目标任务分解表; prints what was (or would be) created, or every
/// problem with its cell.
pub async fn import(db: &DatabaseConnection, args: ImportArgs, lang: Lang) -> AppResult<()> {
    let now = Utc::now();
    let owner = match &args.owner {
        Some(o) => Some(resolve_unit(db, o).await?),
        None => None,
    };
    let target = plan_target(&args.plan, args.name.clone(), owner)?;
    let file = std::fs::read(&args.file).map_err(|e| {
        AppError::refused(
            ErrorCode::UnreadableFile,
            format!("无法读取文件 {}：{e}", args.file.display()),
            format!("{} cannot be read: {e}", args.file.display()),
        )
    })?;
    let author = Audit {
        actor_name: "cli".into(),
        actor_role: "ADMIN".into(),
        operation: "import".into(),
        input: serde_json::json!({
            "plan": args.plan,
            "file": args.file.display().to_string(),
            "sheet": args.sheet,
            "createUnits": args.create_units,
        }),
        at: now,
    };
    let request = ImportRequest {
        target,
        file,
        sheet: args.sheet,
        dry_run: args.dry_run,
        create_unknown_units: args.create_units,
        now,
        timing: Default::default(),
        author,
        via: crate::service::import::Interface::Cli,
    };
    let outcome = match crate::service::import::import(db, request).await {
        Ok(outcome) => outcome,
        Err(AppError::Sheet { problems, more }) => {
            for p in &problems {
                eprintln!("{}  [{}]", p.describe(lang), p.code);
            }
            if more > 0 {
                eprintln!(
                    "{}",
                    pick(
                        lang,
                        format!("……另有 {more} 处问题未列出"),
                        format!("… and {more} more problems"),
                    )
                );
            }
            return Err(AppError::Sheet { problems, more });
        }
        Err(other) => return Err(other),
    };
    for g in &outcome.goals {
        let assignments: Vec<String> = g
            .assignments
            .iter()
            .map(|s| match s.target_value {
                Some(v) => format!("{}:{v}", s.unit),
                None => s.unit.clone(),
            })
            .collect();
        let target = g
            .target_value
            .map(|t| format!("{t}{}", g.measure_unit.as_deref().unwrap_or("")))
            .unwrap_or_default();
        let (row, kind, milestones) = match lang {
            Lang::Zh => (
                format!("第 {:>3} 行", g.row),
                g.kind.zh_name().to_string(),
                format!("  {} 个节点", g.milestones.len()),
            ),
            Lang::En => (
                format!("row {:>3}", g.row),
                g.kind.to_string(),
                format!("  {} milestones", g.milestones.len()),
            ),
        };
        println!(
            "{row}  {:<6} {}  {kind}  {target}  {}{}",
            g.code.as_deref().unwrap_or("-"),
            g.title,
            assignments.join("、"),
            if g.milestones.is_empty() {
                ""
            } else {
                milestones.as_str()
            }
        );
    }
    for column in &outcome.ignored_columns {
        eprintln!(
            "{}",
            pick(
                lang,
                format!("未读取的列：{column}"),
                format!("column {column} was not read"),
            )
        );
    }
    for unit in &outcome.created_units {
        eprintln!(
            "{}",
            pick(
                lang,
                format!("已新建单位：{unit}"),
                format!("unit {unit} created"),
            )
        );
    }
    let name = &outcome.plan_name;
    let (goals, shares, milestones) = (
        outcome.goals.len(),
        outcome.assignment_count(),
        outcome.milestone_count(),
    );
    let sheet = &outcome.sheet_name;
    let zh = {
        let plan = match (outcome.plan_id, outcome.plan_created) {
            (Some(id), true) => format!("新建的计划 {id}“{name}”"),
            (Some(id), false) => format!("计划 {id}“{name}”"),
            (None, _) => format!("一个新计划“{name}”"),
        };
        let what = format!(
            "工作表“{sheet}”中的 {goals} 项目标任务、{shares} 项分解任务、{milestones} 个节点"
        );
        if outcome.dry_run {
            format!("试导入，未写入任何内容：{what}将导入{plan}")
        } else {
            format!("已将{what}导入{plan}")
        }
    };
    let en = {
        let plan = match (outcome.plan_id, outcome.plan_created) {
            (Some(id), true) => format!("new plan {id} {name}"),
            (Some(id), false) => format!("plan {id} {name}"),
            (None, _) => format!("a new plan {name}"),
        };
        format!(
            "{} {plan}: {goals} goals, {shares} shares, {milestones} milestones from sheet {sheet}",
            if outcome.dry_run {
                "dry run, nothing written; would import into"
            } else {
                "imported into"
            },
        )
    };
    eprintln!("{}", pick(lang, zh, en));
    Ok(())
}

/// Generates a synthetic province and prints what it wrote.
pub async fn generate(
    db: &DatabaseConnection,
    parks: usize,
    spec: crate::synthetic::Spec,
    lang: Lang,
) -> AppResult<()> {
    let started = std::time::Instant::now();
    let plans = crate::synthetic::generate_province(db, parks, spec, |i, id| {
        if (i + 1) % 10 == 0 || i + 1 == parks {
            let done = i + 1;
            eprintln!(
                "{}",
                pick(
                    lang,
                    format!("已生成 {done} / {parks} 个园区（计划 {id}）"),
                    format!("{done} of {parks} parks (plan {id})"),
                )
            );
        }
    })
    .await?;
    let reports = entity::report::Entity::find().count(db).await?;
    let assignments = entity::assignment::Entity::find().count(db).await?;
    let (plans, seconds) = (plans.len(), started.elapsed().as_secs_f64());
    println!(
        "{}",
        pick(
            lang,
            format!(
                "共 {plans} 个计划、{assignments} 项分解任务、{reports} 条填报记录，用时 {seconds:.1} 秒"
            ),
            format!(
                "{plans} plans, {assignments} assignments, {reports} reports in {seconds:.1} s"
            ),
        )
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_an_id_or_a_year() {
        let year = |t: &str| match plan_target(t, None, None) {
            Ok(PlanTarget::Year { year, .. }) => Some(year),
            _ => None,
        };
        let id = |t: &str| match plan_target(t, None, None) {
            Ok(PlanTarget::Id(id)) => Some(id),
            _ => None,
        };
        assert_eq!(year("2026"), Some(2026));
        assert_eq!(year("2026年"), Some(2026));
        assert_eq!(id("12"), Some(12));
        assert_eq!(id("id:2025"), Some(2025));
        assert!(plan_target("明年", None, None).is_err());
    }
}
