use std::process::ExitCode;

use clap::Parser;
use consoleai::cli::{Cli, Command, ImportCommand};
use consoleai::{
    app::Application, auth, config, db, demo, generate, graphql, ingest, telemetry, transfer,
};

/// The importers allocate and free millions of small strings per second from two threads;
/// glibc's allocator spent a third of the parsing thread's time consolidating its free lists.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format != "text");
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(line) => {
            eprintln!("consoleai: {line}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one command; the error is the one line printed before exiting with status 1.
async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Serve(settings) => {
            settings.validate()?;
            let db = open(&settings.database).await?;
            let app = Application::build(&settings, db).await?;
            tracing::info!(address = %app.address(), "serving");
            println!(
                "consoleai listening on http://{}/graphql (GraphiQL: http://{}/graphiql)",
                app.address(),
                app.address()
            );
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Demo { settings, data_dir } => demo::run(settings, &data_dir).await,
        Command::Migrate { database } => {
            open(&database).await?;
            println!("migrated {}", db::redact(&database.url));
            Ok(())
        }
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Token {
            jwt,
            sub,
            role,
            tenants,
            ttl,
        } => {
            let role = auth::Role::from_claim(&role)
                .ok_or_else(|| format!("--role '{role}' is not devops, manager or admin"))?;
            let verifier = auth::JwtVerifier::new(&jwt)?;
            let request = auth::TokenRequest {
                subject: sub,
                role,
                tenants,
                ttl_secs: ttl,
            };
            println!(
                "{}",
                verifier.mint(&request).map_err(|e| e.public_message())?
            );
            Ok(())
        }
        Command::Import { what } => import(what).await,
        Command::Transfer {
            from,
            to,
            into_non_empty,
            batch_rows,
        } => {
            let source = open(&config::DatabaseSettings {
                url: from.clone(),
                max_connections: 4,
            })
            .await?;
            let target = open(&config::DatabaseSettings {
                url: to.clone(),
                max_connections: 4,
            })
            .await?;
            let options = transfer::TransferOptions {
                into_non_empty,
                batch_rows,
                progress: true,
            };
            let started = std::time::Instant::now();
            let report = transfer::transfer(&source, &target, &options)
                .await
                .map_err(|e| e.to_string())?;
            for table in &report.tables {
                println!(
                    "{:<20} {:>12} rows in source, {:>12} copied, {:>12} in target",
                    table.table, table.source_rows, table.copied_rows, table.target_rows
                );
            }
            println!(
                "transferred {} → {} in {:.1}s; verified counts and {} totals (tenant × month × currency)",
                db::redact(&from),
                db::redact(&to),
                started.elapsed().as_secs_f64(),
                report.verified_totals
            );
            Ok(())
        }
        Command::Generate {
            out,
            tenants,
            accounts_per_tenant,
            unallocated_accounts,
            months,
            resources_per_account,
            end_date,
            seed,
            hourly,
        } => {
            let options = generate::GenerateOptions {
                tenants,
                accounts_per_tenant,
                unallocated_accounts,
                months,
                end_date: end_date.unwrap_or_else(|| chrono::Utc::now().date_naive()),
                resources_per_account,
                seed,
                hourly,
            };
            let files = generate::generate(&options, &out).map_err(|e| format!("{e:#}"))?;
            println!(
                "wrote {} and {} FOCUS file(s) with {} cost lines to {}",
                files.org.display(),
                files.focus.len(),
                files.cost_lines,
                out.display()
            );
            Ok(())
        }
    }
}

async fn open(settings: &config::DatabaseSettings) -> Result<sea_orm::DatabaseConnection, String> {
    let connection = db::connect(settings).await?;
    db::migrate(&connection)
        .await
        .map_err(|e| format!("migrating {}: {e}", db::redact(&settings.url)))?;
    let interrupted = ingest::recover(&connection)
        .await
        .map_err(|e| format!("checking interrupted imports: {e}"))?;
    if interrupted > 0 {
        eprintln!("consoleai: {interrupted} interrupted import(s) marked failed; their data was never stored");
    }
    Ok(connection)
}

async fn import(what: ImportCommand) -> Result<(), String> {
    let actor = std::env::var("USER")
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".into());
    match what {
        ImportCommand::Org {
            database,
            tenants,
            parent,
            files,
        } => {
            let connection = open(&database).await?;
            let options = ingest::OrgImportOptions { tenants, parent };
            let report = ingest::import_org(&connection, &files, &options, &actor)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "imported {} OUs and {} accounts: {} tenants, {} unallocated accounts, {} accounts moved tenant",
                report.organizational_units, report.accounts, report.tenants, report.unallocated_accounts, report.reassigned_accounts
            );
            Ok(())
        }
        ImportCommand::Inventory {
            database,
            account,
            region,
            files,
        } => {
            let connection = open(&database).await?;
            let report = consoleai::inventory::import_inventory(
                &connection,
                &files,
                account.as_deref(),
                region.as_deref(),
                &actor,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "imported {} resources ({} unallocated); {} no longer listed, marked terminated",
                report.resources, report.unallocated, report.terminated
            );
            Ok(())
        }
        ImportCommand::Utilization {
            database,
            resource,
            files,
        } => {
            let connection = open(&database).await?;
            let report = consoleai::inventory::import_utilization(
                &connection,
                &files,
                resource.as_deref(),
                &actor,
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "imported {} utilisation records ({} for resources not in the inventory yet)",
                report.records, report.unknown_resources
            );
            Ok(())
        }
        ImportCommand::Focus {
            database,
            force,
            files,
        } => import_cost(database, ingest::CostFormat::Focus, files, force, actor).await,
        ImportCommand::Cur {
            database,
            force,
            files,
        } => import_cost(database, ingest::CostFormat::Cur, files, force, actor).await,
    }
}

async fn import_cost(
    database: config::DatabaseSettings,
    format: ingest::CostFormat,
    files: Vec<std::path::PathBuf>,
    force: bool,
    actor: String,
) -> Result<(), String> {
    let connection = open(&database).await?;
    let options = ingest::ImportOptions {
        actor,
        progress: true,
        force,
    };
    let report = ingest::import_cost(&connection, format, &files, &options)
        .await
        .map_err(|e| e.to_string())?;
    let totals: Vec<String> = report
        .totals
        .iter()
        .map(|(currency, amount)| format!("{amount} {currency}"))
        .collect();
    println!(
        "{}: {} ({} unallocated lines); billed {}; {:.2}s, {:.0} lines/s; batch {}",
        report.status,
        report.message,
        report.unallocated_rows,
        if totals.is_empty() {
            "nothing".to_string()
        } else {
            totals.join(", ")
        },
        report.seconds,
        report.rows as f64 / report.seconds.max(1e-9),
        report.batch_id
    );
    Ok(())
}
