use std::process::ExitCode;

/// See Cargo.toml and `mubiao::allocator`: memory freed after a large
/// request goes back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use mubiao::config::{Cli, Command};
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
    let lang = cli.lang;
    telemetry::init(json);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A refusal in the operator's language (--lang), with its code.
            match err.downcast_ref::<mubiao::error::AppError>() {
                // The operator is the one person who sees our details.
                Some(mubiao::error::AppError::Internal(detail)) => {
                    tracing::error!(error = %detail, "mubiao stopped")
                }
                Some(app) => tracing::error!(
                    error = %app.message(lang),
                    code = %app.code(),
                    "mubiao stopped"
                ),
                None => tracing::error!(error = %err, "mubiao stopped"),
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let db = db::connect(&cli.database).await?;
    match &cli.command {
        Command::Serve(config) if config.no_migrate => db::require_current_schema(&db).await?,
        _ => db::migrate(&db).await?,
    }
    match cli.command {
        Command::Migrate => tracing::info!("migrations applied"),
        Command::Demo => {
            let plan_id = demo::load(&db).await?;
            tracing::info!(plan_id, "demo plan loaded");
        }
        Command::Token(command) => cli::token(&db, command).await?,
        Command::Unit(command) => cli::unit(&db, command, cli.lang).await?,
        Command::Plan(command) => cli::plan(&db, command, cli.lang).await?,
        Command::Export {
            plan,
            breakdown,
            as_of,
            out,
        } => cli::export(&db, plan, as_of, breakdown, &out).await?,
        Command::Import(args) => cli::import(&db, args, cli.lang).await?,
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
            cli::generate(&db, parks, spec).await?
        }
        Command::Serve(config) => {
            // Refused before anything else happens: a short operator key
            // is an ADMIN password anyone on the intranet can guess.
            if let Some(key) = config.admin_token.as_deref().filter(|k| !k.is_empty())
                && let Some(problem) = http::admin_key_problem(key)
            {
                return Err(problem.into());
            }
            if config.demo
                && let Some(plan_id) = demo::load_if_empty(&db).await?
            {
                tracing::info!(plan_id, "empty database: demo plan loaded");
            }
            let options = http::ServeOptions {
                limits: config.limits,
                admin_token: config.admin_token.clone(),
                // The demo's read-only token, so GraphiQL shows the demo at once.
                graphiql_token: (config.demo && !config.limits.production)
                    .then(|| demo::VIEWER_TOKEN.to_string()),
            };
            let listener = tokio::net::TcpListener::bind(config.listen).await?;
            let bound = listener.local_addr()?;
            tracing::info!(listen = %bound, "serving GraphQL at /graphql");
            // On stdout, for the operator and for scripts that ask for
            // port 0 and need to learn the one they got.
            println!("mubiao listening on http://{bound}");
            let (app, filer) = http::app_and_filer(db, http::system_clock(), options);
            let connections =
                server::fit_to_open_files(config.connections, cli.database.max_connections);
            server::serve(listener, app, connections, stop_signal()).await?;
            // Every report a clerk submitted before the stop is filed.
            filer.drain().await;
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
