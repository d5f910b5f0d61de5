//! The command line: `consoleai <command>`. Each command is a thin shell over the library.
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::config::{DatabaseSettings, JwtSettings, Settings};

#[derive(Parser, Debug)]
#[command(
    name = "consoleai",
    version,
    about = "Multi-tenant FinOps and cloud-operations GraphQL API"
)]
pub struct Cli {
    /// Log format: `json` (one JSON object per line) or `text`.
    #[arg(
        long,
        env = "CONSOLEAI_LOG_FORMAT",
        default_value = "json",
        global = true
    )]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API.
    Serve(Settings),
    /// Generate a demo organisation, import it into the database and serve it; prints tokens.
    Demo {
        #[command(flatten)]
        settings: Settings,
        /// Where the generated files go.
        #[arg(long, default_value = "demo-data")]
        data_dir: PathBuf,
    },
    /// Apply database migrations.
    Migrate {
        #[command(flatten)]
        database: DatabaseSettings,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Mint a token for local use.
    Token {
        #[command(flatten)]
        jwt: JwtSettings,
        /// The subject (`sub`).
        #[arg(long)]
        sub: String,
        /// devops, manager or admin.
        #[arg(long)]
        role: String,
        /// A tenant OU id; repeat for several.
        #[arg(long = "tenant")]
        tenants: Vec<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: u64,
    },
    /// Import files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Copy every table from one database to another (SQLite → PostgreSQL, or back), then verify
    /// row counts and cost totals per tenant, month and currency on both sides.
    Transfer {
        /// Source database URL.
        #[arg(long)]
        from: String,
        /// Target database URL.
        #[arg(long)]
        to: String,
        /// Copy into a target that already has rows (also resumes an interrupted transfer).
        #[arg(long)]
        into_non_empty: bool,
        /// Rows read and written per batch.
        #[arg(long, default_value_t = 5000)]
        batch_rows: u64,
    },
    /// Write a synthetic organisation (org JSON and FOCUS CSVs) at any scale.
    Generate {
        /// Output folder.
        #[arg(long, default_value = "generated")]
        out: PathBuf,
        #[arg(long, default_value_t = 6)]
        tenants: usize,
        #[arg(long, default_value_t = 4)]
        accounts_per_tenant: usize,
        #[arg(long, default_value_t = 3)]
        unallocated_accounts: usize,
        /// Calendar months of daily cost, ending with the month of --end-date.
        #[arg(long, default_value_t = 4)]
        months: u32,
        #[arg(long, default_value_t = 12)]
        resources_per_account: usize,
        /// Last day with cost (default: today).
        #[arg(long)]
        end_date: Option<NaiveDate>,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// One usage line per resource and hour, as AWS's FOCUS exports deliver them
        /// (default: one per resource and day).
        #[arg(long)]
        hourly: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// AWS Organizations JSON (list-roots, list-organizational-units-for-parent,
    /// list-accounts[-for-parent], or one combined file).
    Org {
        #[command(flatten)]
        database: DatabaseSettings,
        /// Mark this OU (id or name) as a tenant; repeat for several.
        #[arg(long = "tenant")]
        tenants: Vec<String>,
        /// The parent id the files were listed for (`--parent-id` of the …-for-parent commands).
        #[arg(long)]
        parent: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// FOCUS 1.0–1.2 CSV files (plain or .gz), imported as one batch.
    Focus {
        #[command(flatten)]
        database: DatabaseSettings,
        /// Load even if these files were loaded already or a newer delivery is stored.
        #[arg(long)]
        force: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// AWS inventory: the JSON of `ec2 describe-instances`, `ec2 describe-volumes` or
    /// `rds describe-db-instances` (CLI output or recorded API responses).
    Inventory {
        #[command(flatten)]
        database: DatabaseSettings,
        /// The account, where the output does not say (describe-volumes).
        #[arg(long)]
        account: Option<String>,
        /// The region, where the output does not say.
        #[arg(long)]
        region: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Utilisation: CSV (`resource_id,metric,p95,max,window_start,window_end[,samples]`) or
    /// CloudWatch `get-metric-statistics` / `get-metric-data` JSON.
    Utilization {
        #[command(flatten)]
        database: DatabaseSettings,
        /// The resource a CloudWatch output is about (its output does not say).
        #[arg(long)]
        resource: Option<String>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// AWS Cost and Usage Report files (legacy or 2.0; CSV, .csv.gz or .parquet), imported as one batch.
    Cur {
        #[command(flatten)]
        database: DatabaseSettings,
        /// Load even if these files were loaded already or a newer delivery is stored.
        #[arg(long)]
        force: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}
