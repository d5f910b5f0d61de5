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
    let imported = import_generated(&connection, &files, "demo").await?;
    let requests = seed_requests(
        &connection,
        &files.tenant_ids,
        settings.workflow.admin_threshold_usd,
    )
    .await?;
    let (org, cost) = (&imported.org, &imported.cost);
    println!(
        "demo organisation: {} tenants, {} accounts ({} unallocated), {} cost lines, {} resources, {} change requests from {}",
        org.tenants,
        org.accounts,
        org.unallocated_accounts,
        cost.rows,
        imported.resources,
        requests,
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

    build_dashboard_if_missing(&settings.dashboard.dashboard_dir).await;
    let app = Application::build(&settings, connection).await?;
    let address = app.address();
    if settings
        .dashboard
        .dashboard_dir
        .join("index.html")
        .is_file()
    {
        println!("\nDashboard: http://{address}/   (sign in with a token below)");
    }
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

/// Builds the dashboard (`npm ci`, `npm run build` in the folder above `dist`) when its files are
/// missing and its sources are there, so the one demo command brings up the pages too. Without
/// npm, or when the build fails, the API is served alone and `/` says how to build the pages.
async fn build_dashboard_if_missing(dist: &Path) {
    let Some(sources) = dist.parent().filter(|s| s.join("package.json").is_file()) else {
        return;
    };
    if dist.join("index.html").is_file() {
        return;
    }
    let mut steps = vec![vec!["run", "build"]];
    if !sources.join("node_modules").is_dir() {
        steps.insert(0, vec!["ci", "--no-audit", "--no-fund"]);
    }
    for args in steps {
        println!(
            "building the dashboard: npm {} (in {})",
            args.join(" "),
            sources.display()
        );
        let status = tokio::process::Command::new("npm")
            .args(&args)
            .current_dir(sources)
            .stdout(std::process::Stdio::null())
            .status()
            .await;
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                println!("the dashboard build failed ({s}); serving the API only");
                return;
            }
            Err(e) => {
                println!("cannot run npm ({e}); serving the API only — install Node.js 20+ for the dashboard");
                return;
            }
        }
    }
}

/// What importing a generated organisation did.
pub struct Imported {
    pub org: ingest::OrgImportReport,
    pub cost: ingest::CostImportReport,
    pub resources: usize,
}

/// Imports generated files through the real importers: the organisation, the cost, then the
/// inventory (describe-volumes carries no account: the generator names each inventory file
/// `<account>-<region>-<kind>.json`) and the utilisation.
pub async fn import_generated(
    db: &sea_orm::DatabaseConnection,
    files: &generate::GeneratedFiles,
    actor: &str,
) -> Result<Imported, String> {
    let org = ingest::import_org(
        db,
        std::slice::from_ref(&files.org),
        &Default::default(),
        actor,
    )
    .await
    .map_err(|e| e.to_string())?;
    let options = ingest::ImportOptions {
        actor: actor.into(),
        progress: true,
        force: false,
    };
    let cost = ingest::import_cost(db, ingest::CostFormat::Focus, &files.focus, &options)
        .await
        .map_err(|e| e.to_string())?;
    let mut resources = 0;
    for file in &files.inventory {
        let account = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('-').next());
        let report = crate::inventory::import_inventory(
            db,
            std::slice::from_ref(file),
            account,
            None,
            actor,
        )
        .await
        .map_err(|e| e.to_string())?;
        resources += report.resources;
    }
    crate::inventory::import_utilization(db, std::slice::from_ref(&files.utilization), None, actor)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Imported {
        org,
        cost,
        resources,
    })
}

/// Change requests in the first tenant, open and decided, opened and decided through the real
/// workflow by the demo's people (the same subjects as the tokens it prints). Idempotency keys
/// make a second run of the demo find them instead of opening them again.
pub async fn seed_requests(
    db: &sea_orm::DatabaseConnection,
    tenants: &[String],
    approval_threshold: rust_decimal::Decimal,
) -> Result<usize, String> {
    use crate::workflow::{self, Action, Change, NewRequest};
    use rust_decimal::Decimal;

    let Some(first) = tenants.first() else {
        return Ok(0);
    };
    use crate::auth::Principal;
    type Decision<'a> = (&'a Principal, Action, Option<&'a str>);
    let person = |subject: &str, role: Role| Principal {
        subject: subject.into(),
        role,
        tenants: tenants.iter().take(2).cloned().collect(),
    };
    let (devops, manager, admin) = (
        person("devops@example.com", Role::Devops),
        person("manager@example.com", Role::Manager),
        person("admin@example.com", Role::Admin),
    );
    let scope = crate::tenancy::TenantScope::of(&admin);
    let tenant = scope.tenant(first).expect("an admin sees every tenant");
    let cache = crate::cost::cache::CostCache::new(0, 0);
    let thresholds = crate::config::RightsizingSettings::default().thresholds();
    let events = workflow::EventBus::local();
    let env = workflow::Env {
        db,
        cache: &cache,
        thresholds: &thresholds,
        today: chrono::Utc::now().date_naive(),
        default_threshold: approval_threshold,
        events: &events,
    };
    let provision = |instance_type: &str, count: i32| Change::Provision {
        instance_type: instance_type.into(),
        count,
        region: "us-east-1".into(),
    };
    // (key, requester, change, why, decisions in order)
    let plan: Vec<(&str, &Principal, Change, &str, Vec<Decision>)> = vec![
        (
            "demo-1",
            &devops,
            provision("m6i.large", 2),
            "Two more API workers for the holiday peak",
            vec![],
        ),
        (
            "demo-2",
            &devops,
            provision("r6i.2xlarge", 4),
            "In-memory cache cluster for search",
            vec![(
                &manager,
                Action::Approve,
                Some("Agreed in the capacity review"),
            )],
        ),
        (
            "demo-3",
            &devops,
            Change::BudgetChange {
                amount: Decimal::from(25_000),
            },
            "Budget for the new fiscal year",
            vec![
                (&manager, Action::Approve, None),
                (&admin, Action::Approve, Some("Within the plan")),
            ],
        ),
        (
            "demo-4",
            &devops,
            provision("t3.medium", 1),
            "A bastion host",
            vec![(
                &manager,
                Action::Reject,
                Some("Use Session Manager instead of a bastion"),
            )],
        ),
        (
            "demo-5",
            &devops,
            provision("c6i.xlarge", 1),
            "Load-test runner",
            vec![(&manager, Action::Approve, None)],
        ),
    ];
    let mut opened = 0;
    for (key, requester, change, why, decisions) in plan {
        let new = NewRequest {
            tenant: tenant.clone(),
            change,
            justification: Some(why.into()),
            idempotency_key: Some(key.into()),
            recommendation_resource_id: None,
        };
        let (mut request, replayed) = workflow::create(&env, requester, new)
            .await
            .map_err(|e| format!("demo request {key}: {}", e.public_message()))?;
        opened += 1;
        if replayed {
            continue;
        }
        for (decider, action, comment) in decisions {
            request = workflow::decide(
                &env,
                decider,
                &crate::tenancy::TenantScope::of(decider),
                request.id,
                request.version,
                action,
                comment.map(str::to_string),
            )
            .await
            .map_err(|e| format!("demo request {key}: {}", e.public_message()))?;
        }
    }
    Ok(opened)
}
