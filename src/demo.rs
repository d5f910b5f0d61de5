//! `consoleai demo`: a realistic organisation generated as files, imported through the real
//! importers into the configured database (the embedded SQLite by default), then served.
use std::path::Path;

use crate::app::Application;
use crate::auth::{JwtVerifier, Role, TokenRequest};
use crate::config::Settings;
use crate::{db, generate, ingest};

/// The secret used when none is configured. Tokens minted with it are for this demo only.
pub const DEMO_SECRET: &str = "consoleai-demo-secret-for-local-use-only";

pub async fn run(mut settings: Settings, data_dir: &Path) -> Result<(), String> {
    if settings.jwt.secret.as_deref().unwrap_or("").is_empty() {
        settings.jwt.secret = Some(DEMO_SECRET.to_string());
    }
    settings.validate()?;
    let today = chrono::Utc::now().date_naive();
    let files = generate::generate(&generate::GenerateOptions::demo(today), data_dir)
        .map_err(|e| format!("{e:#}"))?;
    let connection = db::connect(&settings.database).await?;
    db::migrate(&connection)
        .await
        .map_err(|e| format!("migrating: {e}"))?;
    ingest::recover(&connection)
        .await
        .map_err(|e| format!("checking interrupted imports: {e}"))?;
    let org = ingest::import_org(
        &connection,
        std::slice::from_ref(&files.org),
        &Default::default(),
        "demo",
    )
    .await
    .map_err(|e| e.to_string())?;
    let options = ingest::ImportOptions {
        actor: "demo".into(),
        progress: true,
        force: false,
    };
    let cost = ingest::import_cost(
        &connection,
        ingest::CostFormat::Focus,
        &files.focus,
        &options,
    )
    .await
    .map_err(|e| e.to_string())?;
    println!(
        "demo organisation: {} tenants, {} accounts ({} unallocated), {} cost lines from {}",
        org.tenants,
        org.accounts,
        org.unallocated_accounts,
        cost.rows,
        data_dir.display()
    );

    let verifier = JwtVerifier::new(&settings.jwt)?;
    let tenants = &files.tenant_ids;
    let mint = |sub: &str, role: Role, tenants: &[String]| {
        verifier
            .mint(&TokenRequest {
                subject: sub.into(),
                role,
                tenants: tenants.to_vec(),
                ttl_secs: 7 * 24 * 3600,
            })
            .map_err(|e| e.public_message())
    };
    let devops = mint(
        "devops@example.com",
        Role::Devops,
        &tenants[..1.min(tenants.len())],
    )?;
    let manager = mint(
        "manager@example.com",
        Role::Manager,
        &tenants[..2.min(tenants.len())],
    )?;
    let admin = mint("admin@example.com", Role::Admin, &[])?;

    let app = Application::build(&settings, connection).await?;
    let address = app.address();
    println!("\nGraphiQL: http://{address}/graphiql   (API: POST http://{address}/graphql)");
    println!("Paste one of these into GraphiQL's Headers tab:\n");
    println!(
        "DevOps of {}:\n{{\"Authorization\": \"Bearer {devops}\"}}\n",
        tenants.first().map(String::as_str).unwrap_or("-")
    );
    println!(
        "Manager of {}:\n{{\"Authorization\": \"Bearer {manager}\"}}\n",
        tenants
            .iter()
            .take(2)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("Admin (all tenants):\n{{\"Authorization\": \"Bearer {admin}\"}}\n");
    println!("Try the dashboard documents in clients/dashboard/. Ctrl-C stops the server.");
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
