use std::process::ExitCode;

/// See Cargo.toml and `mubiao::allocator`: memory freed after a large
/// request goes back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use domain::Lang;
use mubiao::config::{Cli, Command};
use mubiao::error::AppError;
use mubiao::{cli, db, demo, http, server, telemetry};

fn main() -> ExitCode {
    // Before the runtime's threads allocate their first arenas.
    mubiao::allocator::give_memory_back_promptly();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(start()),
        Err(err) => {
            eprintln!("mubiao could not start its runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn start() -> ExitCode {
    let cli = Cli::parse();
    let json = matches!(&cli.command, Command::Serve(s) if s.log_json);
    telemetry::init(json);
    let lang = cli.lang;
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            stopped(err.as_ref(), lang);
            ExitCode::FAILURE
        }
    }
}

/// Says why a subcommand stopped: a refusal in the reader's language with
/// its code, as the API gives it; anything else (a failure of ours, a
/// database that cannot be reached) to the log with its detail.
fn stopped(err: &(dyn std::error::Error + 'static), lang: Lang) {
    match err.downcast_ref::<AppError>() {
        Some(AppError::Internal(detail)) => {
            tracing::error!(error = %detail, "mubiao stopped");
        }
        Some(refusal) => eprintln!("{}  [{}]", refusal.message(lang), refusal.code()),
        None => tracing::error!(error = %err, "mubiao stopped"),
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    // Commands that must not open (and so create or migrate) the database.
    match &cli.command {
        Command::Schema => {
            print!("{}", mubiao::graphql::schema_sdl());
            return Ok(());
        }
        Command::Restore { from } => {
            return Ok(cli::restore(&cli.database, from, cli.lang).await?);
        }
        _ => {}
    }
    let db = db::connect(&cli.database).await?;
    match &cli.command {
        Command::Serve(config) if config.no_migrate => db::require_current_schema(&db).await?,
        _ => db::migrate(&db).await?,
    }
    match cli.command {
        Command::Migrate => tracing::info!("migrations applied"),
        Command::Schema | Command::Restore { .. } => {}
        Command::Backup { out } => cli::backup(&db, &cli.database, &out, cli.lang).await?,
        Command::Demo => {
            let plan_id = demo::load(&db).await?;
            println!(
                "{}",
                match cli.lang {
                    Lang::Zh => format!("已载入演示计划（计划编号 {plan_id}）"),
                    Lang::En => format!("demo plan loaded (plan {plan_id})"),
                }
            );
        }
        Command::Token(command) => cli::token(&db, command, cli.lang).await?,
        Command::Unit(command) => cli::unit(&db, command, cli.lang).await?,
        Command::User(command) => cli::user(&db, command, cli.lang).await?,
        Command::Plan(command) => cli::plan(&db, command, cli.lang).await?,
        Command::Export {
            plan,
            breakdown,
            as_of,
            out,
        } => cli::export(&db, plan, as_of, breakdown, &out, cli.lang).await?,
        Command::Import(args) => cli::import(&db, args, cli.lang).await?,
        Command::Supervise { as_of } => cli::supervise(&db, as_of, cli.lang).await?,
        Command::Generate {
            parks,
            goals,
            units,
            units_per_goal,
            months,
            year,
            seed,
        } => {
            let spec = mubiao::synthetic::Spec {
                year,
                units,
                goals,
                months,
                units_per_goal: units_per_goal.unwrap_or(units),
                seed,
            };
            cli::generate(&db, parks, spec, cli.lang).await?
        }
        Command::Serve(config) => {
            // Refused before anything else happens: a short operator key
            // is an ADMIN password anyone on the intranet can guess.
            if let Some(key) = config.admin_token.as_deref().filter(|k| !k.is_empty())
                && let Some(problem) = http::admin_key_problem(key)
            {
                return Err(problem.get(cli.lang).into());
            }
            if config.demo {
                if let Some(plan_id) = demo::load_if_empty(&db).await? {
                    tracing::info!(plan_id, "empty database: demo plan loaded");
                }
                if demo::ensure_accounts(&db).await? {
                    tracing::info!(
                        accounts = demo::ACCOUNTS_LINE,
                        "demo accounts (username / password): sign in at /login"
                    );
                } else {
                    tracing::warn!(
                        "the database holds plans that are not the demo's: no demo accounts created"
                    );
                }
            }
            if !config.demo && demo::holds_demo(&db).await? {
                // Published credentials in a database served for real.
                tracing::warn!(
                    token = demo::VIEWER_TOKEN,
                    "this database holds the demo: its published read-only token (and any demo accounts) still work; revoke the token with `mubiao token revoke` and disable the demo accounts, or start from an empty database"
                );
            }
            if !config.no_daily_supervision {
                tokio::spawn(mubiao::service::supervision::daily(db.clone()));
            }
            if let Some(smtp) = &config.notify.dispatch().smtp
                && let Err(problem) = smtp.check()
            {
                return Err(problem.into());
            }
            // Webhook deliveries: every server sends (claims keep them from
            // sending one twice); the scheduler runs on the lease holder.
            let dispatcher = mubiao::service::notify::dispatch::Dispatcher::new(
                db.clone(),
                config.notify.dispatch(),
            );
            if !config.notify.no_webhooks {
                tokio::spawn(dispatcher.clone().run());
            }
            if !config.notify.no_scheduler {
                tokio::spawn(mubiao::service::notify::scheduler::run_forever(
                    db.clone(),
                    config.notify.scheduler(),
                    dispatcher,
                ));
            }
            let options = http::ServeOptions {
                limits: config.limits,
                admin_token: config.admin_token.clone(),
                sessions: config.sessions,
                metrics_token: config.metrics_token.clone(),
            };
            let listener = tokio::net::TcpListener::bind(config.listen).await?;
            let bound = listener.local_addr()?;
            tracing::info!(listen = %bound, "serving GraphQL at /graphql");
            // On stdout, for the operator and for scripts that ask for
            // port 0 and need to learn the one they got.
            println!("mubiao listening on http://{bound}");
            let server_id = uuid::Uuid::now_v7().simple().to_string();
            let presence = tokio::spawn(mubiao::service::presence::keep(
                db.clone(),
                server_id.clone(),
            ));
            let kept = db.clone();
            let (app, filer) = http::app_and_filer(db, http::system_clock(), options);
            let connections =
                server::fit_to_open_files(config.connections, cli.database.max_connections);
            server::serve(listener, app, connections, stop_signal()).await?;
            // Every report a clerk submitted before the stop is filed.
            filer.drain().await;
            presence.abort();
            if let Err(err) = mubiao::service::presence::leave(&kept, &server_id).await {
                tracing::warn!(error = %err, "this server's presence row stays until it expires");
            }
            tracing::info!("stopped");
        }
    }
    Ok(())
}

/// Completes on SIGTERM (a service manager or orchestrator stopping the
/// server) or SIGINT (Ctrl-C).
async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "SIGTERM cannot be watched; stop with Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    tracing::info!("stopping: finishing requests under way and filing queued reports");
}
