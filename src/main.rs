use std::process::ExitCode;

/// See Cargo.toml and `mubiao::allocator`: memory freed after a large
/// request goes back to the system.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use mubiao::config::{Cli, Command};
use mubiao::{cli, db, demo, http, telemetry};
use poem::Server;
use poem::listener::TcpListener;

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
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "mubiao stopped");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let db = db::connect(&cli.database).await?;
    db::migrate(&db).await?;
    match cli.command {
        Command::Migrate => tracing::info!("migrations applied"),
        Command::Demo => {
            let plan_id = demo::load(&db).await?;
            tracing::info!(plan_id, "demo plan loaded");
        }
        Command::Token(command) => cli::token(&db, command).await?,
        Command::Export {
            plan,
            breakdown,
            as_of,
            out,
        } => cli::export(&db, plan, as_of, breakdown, &out).await?,
        Command::Import(args) => cli::import(&db, args).await?,
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
            tracing::info!(listen = %config.listen, "serving GraphQL at /graphql");
            Server::new(TcpListener::bind(config.listen))
                .run_with_graceful_shutdown(
                    http::app_with(db, http::system_clock(), options),
                    async {
                        let _ = tokio::signal::ctrl_c().await;
                    },
                    Some(std::time::Duration::from_secs(10)),
                )
                .await?;
        }
    }
    Ok(())
}
