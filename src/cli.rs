//! The operator's subcommands: print plainly to stdout, notes and problems
//! to stderr, in the language the office reads (`--lang`, Chinese unless
//! English is asked for); `main` prints a refusal in the same language.
use chrono::{Duration, Utc};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::config::{ImportArgs, PlanCommand, TokenCommand, UnitCommand, UserCommand};
use crate::db::audit::Audit;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::import::{ImportRequest, PlanTarget};
use crate::service::{accounts, copy, tokens, units};
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

/// The operator at the console, as the author of a change the CLI makes.
fn console(operation: &str, input: serde_json::Value) -> Audit {
    Audit {
        actor_name: "cli".into(),
        actor_role: "ADMIN".into(),
        operation: operation.into(),
        input,
        at: Utc::now(),
    }
}

/// `unit create`, `unit list`, `unit rename`: what they did, on stdout, in
/// the operator's language.
pub async fn unit(db: &DatabaseConnection, command: UnitCommand, lang: Lang) -> AppResult<()> {
    match command {
        UnitCommand::Create { name, parent } => {
            let author = console(
                "unit create",
                serde_json::json!({ "name": name, "parent": parent }),
            );
            let parent = match parent {
                Some(p) => Some(units::find(db, resolve_unit(db, &p).await?).await?),
                None => None,
            };
            let input = units::NewUnit {
                name,
                parent_id: parent.as_ref().map(|p| p.id),
            };
            let created = units::create(db, &author, input).await?;
            println!(
                "{}",
                match (lang, &parent) {
                    (Lang::Zh, Some(p)) => format!(
                        "已创建单位“{}”（ID {}），上级单位：{}",
                        created.name, created.id, p.name
                    ),
                    (Lang::Zh, None) => {
                        format!("已创建顶级单位“{}”（ID {}）", created.name, created.id)
                    }
                    (Lang::En, Some(p)) => format!(
                        "unit {} created (ID {}) under {}",
                        created.name, created.id, p.name
                    ),
                    (Lang::En, None) => format!(
                        "unit {} created (ID {}) at the top of the tree",
                        created.name, created.id
                    ),
                }
            );
        }
        UnitCommand::List => {
            let all = units::list(db).await?;
            for line in unit_tree(&all, lang) {
                println!("{line}");
            }
            eprintln!(
                "{}",
                match lang {
                    Lang::Zh if all.is_empty() => {
                        "还没有单位；用 mubiao unit create --name … 添加".to_string()
                    }
                    Lang::Zh => format!("共 {} 个单位", all.len()),
                    Lang::En if all.is_empty() => {
                        "no units yet; add one with mubiao unit create --name …".to_string()
                    }
                    Lang::En => format!("{} units", all.len()),
                }
            );
        }
        UnitCommand::Rename { unit, name } => {
            let author = console(
                "unit rename",
                serde_json::json!({ "unit": unit, "name": name }),
            );
            let before = units::find(db, resolve_unit(db, &unit).await?).await?;
            let changes = units::UnitChanges {
                name: Some(name),
                parent_id: None,
            };
            let after = units::update(db, &author, before.id, changes).await?;
            println!(
                "{}",
                match lang {
                    Lang::Zh => format!(
                        "单位 {} 已由“{}”改名为“{}”",
                        after.id, before.name, after.name
                    ),
                    Lang::En => format!(
                        "unit {} renamed from {} to {}",
                        after.id, before.name, after.name
                    ),
                }
            );
        }
    }
    Ok(())
}

/// A password from standard input: its first line, without the line end.
/// (On the command line it would sit in the shell's history and in `ps`.)
fn password_from_stdin() -> AppResult<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| {
        AppError::refused(
            ErrorCode::InvalidValue,
            format!("无法从标准输入读取密码：{e}"),
            format!("the password could not be read from standard input: {e}"),
        )
    })?;
    let line = line.strip_suffix('\n').unwrap_or(&line);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_string())
}

/// `user create`, `user list`, `user disable`, `user enable`, `user reset-password`: what
/// they did, on stdout, in the operator's language. Passwords come from
/// standard input and are never printed or audited.
pub async fn user(db: &DatabaseConnection, command: UserCommand, lang: Lang) -> AppResult<()> {
    let now = Utc::now();
    match command {
        UserCommand::Create {
            username,
            name,
            role,
            unit,
            password_stdin: _,
        } => {
            let author = console(
                "user create",
                serde_json::json!({ "username": username, "name": name, "role": role, "unit": unit }),
            );
            let role: Role = role.to_uppercase().parse().map_err(|e: String| {
                AppError::refused(
                    ErrorCode::InvalidValue,
                    format!("角色只能是 admin、reporter 或 viewer，不能是“{role}”"),
                    e,
                )
            })?;
            let unit = match unit {
                Some(u) => Some(units::find(db, resolve_unit(db, &u).await?).await?),
                None => None,
            };
            let password = password_from_stdin()?;
            let input = accounts::NewAccount {
                username,
                display_name: name,
                role,
                unit_id: unit.as_ref().map(|u| u.id),
                password,
                must_change_password: true,
            };
            let created = accounts::create(db, &author, input, now).await?;
            let role_name = tokens::role_label(role, lang);
            println!(
                "{}",
                match (lang, &unit) {
                    (Lang::Zh, Some(u)) => format!(
                        "已创建用户 {}（{}，{role_name}，单位：{}），首次登录时须修改密码",
                        created.username, created.display_name, u.name
                    ),
                    (Lang::Zh, None) => format!(
                        "已创建用户 {}（{}，{role_name}），首次登录时须修改密码",
                        created.username, created.display_name
                    ),
                    (Lang::En, Some(u)) => format!(
                        "user {} created ({}, {role_name} of {}); the password must be changed at first sign-in",
                        created.username, created.display_name, u.name
                    ),
                    (Lang::En, None) => format!(
                        "user {} created ({}, {role_name}); the password must be changed at first sign-in",
                        created.username, created.display_name
                    ),
                }
            );
        }
        UserCommand::List => {
            let all = accounts::list(db).await?;
            let unit_names = units::all(db).await?;
            for a in &all {
                let role = tokens::role_label(a.role.into(), lang);
                let unit = a
                    .unit_id
                    .map(|u| {
                        let name = unit_names.get(&u).map_or("?", |x| x.name.as_str());
                        pick(lang, format!(" 单位 {name}"), format!(" unit {name}"))
                    })
                    .unwrap_or_default();
                let state = match (a.disabled_at, a.must_change_password, lang) {
                    (Some(_), _, Lang::Zh) => "已停用",
                    (Some(_), _, Lang::En) => "disabled",
                    (None, true, Lang::Zh) => "须修改密码",
                    (None, true, Lang::En) => "must change password",
                    (None, false, Lang::Zh) => "有效",
                    (None, false, Lang::En) => "active",
                };
                println!(
                    "{}\t{}\t{}\t{role}{unit}\t{state}",
                    a.id, a.username, a.display_name
                );
            }
            eprintln!(
                "{}",
                match lang {
                    Lang::Zh if all.is_empty() => {
                        "还没有用户；用 mubiao user create --username … --password-stdin 添加"
                            .to_string()
                    }
                    Lang::Zh => format!("共 {} 个用户", all.len()),
                    Lang::En if all.is_empty() => {
                        "no users yet; add one with mubiao user create --username … --password-stdin"
                            .to_string()
                    }
                    Lang::En => format!("{} users", all.len()),
                }
            );
        }
        UserCommand::Disable { username } => {
            let author = console("user disable", serde_json::json!({ "username": username }));
            let account = accounts::find_by_username(db, &username).await?;
            let disabled = accounts::disable(db, &author, account.id, now).await?;
            println!(
                "{}",
                pick(
                    lang,
                    format!("用户 {} 已停用，其登录会话已全部结束", disabled.username),
                    format!(
                        "user {} disabled; its sessions have ended",
                        disabled.username
                    ),
                )
            );
        }
        UserCommand::Enable { username } => {
            let author = console("user enable", serde_json::json!({ "username": username }));
            let account = accounts::find_by_username(db, &username).await?;
            let enabled = accounts::enable(db, &author, account.id).await?;
            println!(
                "{}",
                pick(
                    lang,
                    format!("用户 {} 已重新启用，可用原密码登录", enabled.username),
                    format!(
                        "user {} enabled again; it signs in with its password",
                        enabled.username
                    ),
                )
            );
        }
        UserCommand::ResetPassword {
            username,
            password_stdin: _,
        } => {
            let author = console(
                "user reset-password",
                serde_json::json!({ "username": username }),
            );
            let account = accounts::find_by_username(db, &username).await?;
            let password = password_from_stdin()?;
            let reset = accounts::reset_password(db, &author, account.id, &password, now).await?;
            println!(
                "{}",
                pick(
                    lang,
                    format!(
                        "用户 {} 的密码已重置，下次登录时须修改密码；其登录会话已全部结束",
                        reset.username
                    ),
                    format!(
                        "password of user {} reset; it must be changed at the next sign-in, and its sessions have ended",
                        reset.username
                    ),
                )
            );
        }
    }
    Ok(())
}

/// The units as an indented tree, each with its ID: parents before their
/// sub-units, siblings by ID (the order they were added).
fn unit_tree(all: &[entity::unit::Model], lang: Lang) -> Vec<String> {
    let known: std::collections::HashSet<i64> = all.iter().map(|u| u.id).collect();
    let children = |parent: Option<i64>| {
        let mut kids: Vec<&entity::unit::Model> = all
            .iter()
            // A unit whose parent is not listed stands at the top.
            .filter(|u| u.parent_id.filter(|p| known.contains(p)) == parent)
            .collect();
        kids.sort_by_key(|u| u.id);
        kids
    };
    let mut lines = Vec::with_capacity(all.len());
    let mut stack: Vec<(usize, &entity::unit::Model)> =
        children(None).into_iter().rev().map(|u| (0, u)).collect();
    while let Some((depth, u)) = stack.pop() {
        let indent = "  ".repeat(depth);
        lines.push(match lang {
            Lang::Zh => format!("{indent}{}（ID {}）", u.name, u.id),
            Lang::En => format!("{indent}{} (ID {})", u.name, u.id),
        });
        stack.extend(
            children(Some(u.id))
                .into_iter()
                .rev()
                .map(|c| (depth + 1, c)),
        );
    }
    lines
}

/// `plan copy`: next year's plan from this one, as `copyPlan` makes it.
pub async fn plan(db: &DatabaseConnection, command: PlanCommand, lang: Lang) -> AppResult<()> {
    match command {
        PlanCommand::Copy { plan, year, name } => {
            let author = console(
                "plan copy",
                serde_json::json!({ "plan": plan, "year": year, "name": name }),
            );
            let old = crate::service::plans::find(db, plan).await?;
            let input = copy::CopyPlan {
                plan_id: plan,
                year,
                name,
                now: Utc::now(),
            };
            let copied = copy::copy_plan(db, &author, input).await?;
            let new = &copied.plan;
            println!(
                "{}",
                match lang {
                    Lang::Zh => format!(
                        "已将“{}”（ID {}）复制为 {} 年草稿计划“{}”（ID {}）：{} 项目标、{} 项分解、{} 个节点",
                        old.name,
                        old.id,
                        new.year,
                        new.name,
                        new.id,
                        copied.goals,
                        copied.assignments,
                        copied.milestones
                    ),
                    Lang::En => format!(
                        "copied {} (ID {}) into {} as the DRAFT plan {} (ID {}): {} goals, {} assignments, {} milestones",
                        old.name,
                        old.id,
                        new.year,
                        new.name,
                        new.id,
                        copied.goals,
                        copied.assignments,
                        copied.milestones
                    ),
                }
            );
        }
    }
    Ok(())
}

/// Writes a plan's 完成情况表 to `out` (.csv, or .xlsx otherwise), or with
/// `breakdown` its 目标任务分解表.
/// `supervise`: the automatic items opened, one line each, then a count.
pub async fn supervise(
    db: &DatabaseConnection,
    as_of: Option<chrono::NaiveDate>,
    lang: Lang,
) -> AppResult<()> {
    let author = console("supervise", serde_json::json!({ "asOf": as_of }));
    let runs = crate::service::supervision::supervise(db, &author, as_of, Utc::now()).await?;
    let mut total = 0;
    for run in &runs {
        for item in &run.opened {
            total += 1;
            println!(
                "{}",
                pick(
                    lang,
                    format!(
                        "{}：已交办“{}”，时限 {}",
                        run.plan.name, item.title, item.deadline
                    ),
                    format!(
                        "{}: assigned {:?}, due {}",
                        run.plan.name, item.title, item.deadline
                    ),
                )
            );
        }
    }
    println!(
        "{}",
        pick(
            lang,
            format!(
                "共开出 {total} 项红灯督办（{} 个执行中的年度目标）",
                runs.len()
            ),
            format!(
                "{total} automatic supervision items opened ({} active plans)",
                runs.len()
            ),
        )
    );
    Ok(())
}

pub async fn export(
    db: &DatabaseConnection,
    plan_id: i64,
    as_of: Option<chrono::NaiveDate>,
    breakdown: bool,
    out: &std::path::Path,
    lang: Lang,
) -> AppResult<()> {
    let csv = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if breakdown && csv {
        // An .xlsx under a .csv name would open as garbage in Excel.
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "目标任务分解表只导出为 .xlsx（CSV 存不下合并单元格和两行表头），请把文件名改为 .xlsx",
            "the 目标任务分解表 is written as .xlsx only (CSV cannot hold its merged cells and two-row header); name the file .xlsx",
        ));
    }
    let loaded = crate::service::load_plans(db, &[plan_id]).await?;
    let data = loaded
        .get(&plan_id)
        .ok_or_else(|| AppError::not_found("plan", plan_id))?;
    let zone =
        domain::dates::parse_time_zone(&data.plan.time_zone).unwrap_or(chrono_tz::Asia::Shanghai);
    let today = domain::dates::today_in(zone, Utc::now());
    let eval = data.evaluation(as_of.unwrap_or(today))?;
    let bytes = if breakdown {
        crate::service::export::breakdown_xlsx(data, lang)?
    } else if csv {
        crate::service::export::csv(data, &eval, lang)?.into_bytes()
    } else {
        let workdays = crate::service::notify::workdays::in_force(db).await?;
        crate::service::export::xlsx(data, &eval, today, &workdays, lang)?
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
    // On an empty database `--owner` names the park to create.
    let (owner, owner_name) = match &args.owner {
        Some(o) => match resolve_unit(db, o).await {
            Ok(id) => (Some(id), None),
            Err(AppError::NotFound { .. })
                if args.create_units && units::list(db).await?.is_empty() =>
            {
                (None, Some(o.clone()))
            }
            Err(err) => return Err(err),
        },
        None => (None, None),
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
        owner_name,
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
                        format!("……另有 {more} 处问题"),
                        format!("… and {more} more problems")
                    )
                );
            }
            return Err(AppError::Sheet { problems, more });
        }
        Err(other) => return Err(other),
    };
    print_import_tree(&outcome, lang);
    for column in &outcome.used_columns {
        eprintln!(
            "{}",
            pick(
                lang,
                format!("读取列 {column}"),
                format!("column {column} read")
            )
        );
    }
    for column in &outcome.ignored_columns {
        eprintln!(
            "{}",
            pick(
                lang,
                format!("未读取列 {column}"),
                format!("column {column} was not read")
            )
        );
    }
    for unit in &outcome.created_units {
        eprintln!(
            "{}",
            pick(
                lang,
                format!("新建单位 {unit}"),
                format!("unit {unit} created")
            )
        );
    }
    if let Some(remarks) = &outcome.plan_remarks {
        eprintln!(
            "{}",
            pick(lang, remarks.clone(), format!("remarks: {remarks}"))
        );
    }
    let plan = match (outcome.plan_id, outcome.plan_created, lang) {
        (Some(id), true, Lang::Zh) => format!("新建年度目标 {id}「{}」", outcome.plan_name),
        (Some(id), false, Lang::Zh) => format!("年度目标 {id}「{}」", outcome.plan_name),
        (None, _, Lang::Zh) => format!("新的年度目标「{}」", outcome.plan_name),
        (Some(id), true, Lang::En) => format!("new plan {id} {}", outcome.plan_name),
        (Some(id), false, Lang::En) => format!("plan {id} {}", outcome.plan_name),
        (None, _, Lang::En) => format!("a new plan {}", outcome.plan_name),
    };
    let (goals, assignments, milestones) = (
        outcome.goals.len(),
        outcome.assignment_count(),
        outcome.milestone_count(),
    );
    eprintln!(
        "{}",
        match (outcome.dry_run, lang) {
            (true, Lang::Zh) => format!(
                "试导入，未写入任何内容；将导入{plan}：工作表「{}」中 {goals} 项目标、{assignments} 项分解、{milestones} 个节点",
                outcome.sheet_name
            ),
            (false, Lang::Zh) => format!(
                "已导入{plan}：工作表「{}」中 {goals} 项目标、{assignments} 项分解、{milestones} 个节点",
                outcome.sheet_name
            ),
            (true, Lang::En) => format!(
                "dry run, nothing written; would import into {plan}: {goals} goals, {assignments} shares, {milestones} milestones from sheet {}",
                outcome.sheet_name
            ),
            (false, Lang::En) => format!(
                "imported into {plan}: {goals} goals, {assignments} shares, {milestones} milestones from sheet {}",
                outcome.sheet_name
            ),
        }
    );
    Ok(())
}

/// The goal tree as it will be stored, one goal a line: indent, 序号,
/// title, kind, target and unit, points, responsible units (and the
/// defaults taken), 节点.
fn print_import_tree(outcome: &crate::service::import::ImportOutcome, lang: Lang) {
    for g in &outcome.goals {
        let units: Vec<String> = g
            .assignments
            .iter()
            .map(|s| {
                let part = match s.target_value {
                    Some(v) => format!("{}:{v}", s.unit),
                    None => s.unit.clone(),
                };
                // A unit's own 完成时限, where it differs from the goal's.
                match s.deadline {
                    Some(d) => format!("{part}({})", d.format("%m-%d")),
                    None => part,
                }
            })
            .collect();
        let target = g
            .target_value
            .map(|t| format!("{t}{}", g.measure_unit.as_deref().unwrap_or("")))
            .unwrap_or_default();
        let kind = match lang {
            Lang::Zh => crate::service::export::labels::kind(g.kind).zh.to_string(),
            Lang::En => g.kind.as_str().to_string(),
        };
        let mut line = format!(
            "{}{} {}  [{kind}{}] {target}  {}",
            "  ".repeat(g.depth),
            g.code.as_deref().unwrap_or("·"),
            g.title,
            if g.subset {
                pick(lang, "·其中".into(), " subset".into())
            } else {
                String::new()
            },
            pick(lang, format!("{}分", g.weight), format!("{} pts", g.weight)),
        );
        if !units.is_empty() {
            line.push_str(&pick(
                lang,
                format!("  责任单位 {}", units.join("、")),
                format!("  units {}", units.join(", ")),
            ));
        }
        if g.lead_by_default {
            line.push_str(&pick(
                lang,
                "（未分解，由牵头单位承担）".into(),
                " (not broken down: the lead unit carries it)".into(),
            ));
        }
        if let Some(words) = &g.supporting_text {
            line.push_str(&pick(
                lang,
                format!("  配合 {words}"),
                format!("  with {words}"),
            ));
        }
        if !g.milestones.is_empty() {
            line.push_str(&pick(
                lang,
                format!("  {} 个节点", g.milestones.len()),
                format!("  {} milestones", g.milestones.len()),
            ));
        }
        println!("{line}");
    }
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

/// `backup OUT`: a consistent copy of a SQLite database while servers keep
/// serving it. `VACUUM INTO` copies from one read transaction, so the copy
/// holds every report committed before it began and none half-written;
/// writers are not blocked (WAL). PostgreSQL is backed up with pg_dump.
pub async fn backup(
    db: &DatabaseConnection,
    config: &crate::config::DatabaseConfig,
    out: &std::path::Path,
    lang: Lang,
) -> AppResult<()> {
    use sea_orm::ConnectionTrait;
    if config.sqlite_path().is_none() {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "PostgreSQL 数据库请用 pg_dump 备份、pg_restore 恢复（命令见 README 的“备份与恢复”）",
            "back up PostgreSQL with pg_dump and restore with pg_restore (README, Backup and restore)",
        ));
    }
    if out.exists() {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            format!(
                "{} 已存在：备份不覆盖已有文件，请换一个文件名",
                out.display()
            ),
            format!("{} exists: a backup never overwrites a file", out.display()),
        ));
    }
    let target = out.to_string_lossy().to_string();
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        "VACUUM INTO ?",
        vec![target.clone().into()],
    ))
    .await?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{}",
        pick(
            lang,
            format!("已备份到 {target}（{size} 字节）"),
            format!("backed up to {target} ({size} bytes)"),
        )
    );
    Ok(())
}

/// `restore FROM`: replaces the SQLite database with a backup, refused
/// while any server serves it (their presence rows, `service::presence`)
/// and for a file that is not a sound mubiao database. The backup is
/// checked (`integrity_check`, its migrations table), copied beside the
/// database and renamed over it; the old write-ahead log goes with it.
pub async fn restore(
    config: &crate::config::DatabaseConfig,
    from: &std::path::Path,
    lang: Lang,
) -> AppResult<()> {
    use sea_orm::ConnectionTrait;
    let Some(path) = config.sqlite_path() else {
        return Err(AppError::refused(
            ErrorCode::InvalidValue,
            "PostgreSQL 数据库请用 pg_restore 恢复（命令见 README 的“备份与恢复”）",
            "restore PostgreSQL with pg_restore (README, Backup and restore)",
        ));
    };
    let unreadable = |why: String| {
        AppError::refused(
            ErrorCode::UnreadableFile,
            format!("{} 不是可用的备份：{why}", from.display()),
            format!("{} is not a usable backup: {why}", from.display()),
        )
    };
    if !from.is_file() {
        return Err(unreadable("文件不存在".into()));
    }
    // The backup, opened read-only and checked.
    // Opened as it is (read-only, none of the server's settings, which
    // would write to it).
    let backup = sea_orm::Database::connect(format!("sqlite:{}?mode=ro", from.display()))
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    let sound = backup
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
        .is_some_and(|r| r == "ok");
    let ours = backup
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT COUNT(*) FROM seaql_migrations",
        ))
        .await
        .is_ok();
    backup.close().await.ok();
    if !sound || !ours {
        return Err(unreadable(if sound {
            "不是本系统的数据库".into()
        } else {
            "文件已损坏（integrity_check 未通过）".into()
        }));
    }
    // Nobody may be serving the database being replaced.
    if path.exists() {
        let live = crate::db::connect(config)
            .await
            .map_err(|e| AppError::internal(e.to_string()))?;
        let serving = crate::service::presence::serving(&live, Utc::now())
            .await
            .unwrap_or(0);
        live.close().await.ok();
        if serving > 0 {
            return Err(AppError::refused(
                ErrorCode::InvalidTransition,
                format!(
                    "数据库正被 {serving} 个服务进程使用：请先停止它们再恢复（被强行终止的进程 30 秒后才算停止）"
                ),
                format!(
                    "{serving} server(s) are serving this database: stop them before restoring (one killed outright counts for 30 s)"
                ),
            ));
        }
    }
    let staged = path.with_extension("restoring");
    std::fs::copy(from, &staged).map_err(AppError::internal)?;
    std::fs::File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(AppError::internal)?;
    for suffix in ["-wal", "-shm"] {
        let side = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(AppError::internal)?;
        }
    }
    std::fs::rename(&staged, &path).map_err(AppError::internal)?;
    println!(
        "{}",
        pick(
            lang,
            format!("已从 {} 恢复数据库 {}", from.display(), path.display()),
            format!("restored {} from {}", path.display(), from.display()),
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
