//! Synthetic AWS organisation generator.
//!
//! `consoleai generate` and `consoleai demo` need a realistic multi-account
//! AWS estate. Instead of inserting rows into the database directly, this
//! module writes the very files the importers consume — an AWS Organizations
//! dump (`org.json`), monthly FOCUS 1.0 exports (`focus-YYYY-MM.csv`), the
//! AWS inventory of the EC2 instances, EBS volumes and RDS instances those
//! exports bill (`inventory/<account>-<region>-{ec2,ebs,rds}.json`) and their
//! utilisation (`utilization.csv`) — so the demo always exercises the real
//! import path.
//!
//! The inventory agrees with the bill: every inventoried resource has FOCUS
//! lines under the same `ResourceId` (RDS: its ARN), region and zone, and its
//! daily cost is its type's hourly list price × 24 (instances) or its size ×
//! GB-month list price ÷ 30 (volumes). Stopped instances have no compute lines
//! after the day they stopped; their volumes keep costing. Unattached volumes,
//! stopped instances and a spread of utilisation give rightsizing something to
//! find in every tenant.
//!
//! Output is fully determined by [`GenerateOptions`] (including the seed), and
//! cost rows are streamed to disk, so millions of rows need little memory.

mod catalog;
mod focus;
mod inventory;
mod org;
mod plan;

#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;

use plan::Plan;

/// Shape and size of the generated organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// OUs marked as tenants (tag `consoleai:tenant` = `true`).
    pub tenants: usize,
    /// Accounts under each tenant OU, some of them in nested non-tenant child OUs.
    pub accounts_per_tenant: usize,
    /// Accounts under no tenant OU (in "Sandbox", "Infrastructure" or directly under the root).
    pub unallocated_accounts: usize,
    /// Calendar months of daily cost ending with the (partial) month of `end_date`.
    pub months: u32,
    /// Last day with cost; its month only has days `1..=end_date`.
    pub end_date: NaiveDate,
    /// Distinct resources per account, spread over services.
    pub resources_per_account: usize,
    /// Seed for every random choice; equal options give byte-identical files.
    pub seed: u64,
    /// One usage line per resource and hour (as AWS's FOCUS and hourly CUR exports deliver
    /// them) instead of one per resource and day. The day's amounts are split exactly.
    pub hourly: bool,
}

impl GenerateOptions {
    /// A small but representative organisation for `consoleai demo`:
    /// 6 tenants × 4 accounts, 3 unallocated accounts, 4 months, ~12 resources each.
    pub fn demo(end_date: NaiveDate) -> Self {
        GenerateOptions {
            tenants: 6,
            accounts_per_tenant: 4,
            unallocated_accounts: 3,
            months: 4,
            end_date,
            resources_per_account: 12,
            seed: 42,
            hourly: false,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFiles {
    /// The AWS Organizations dump.
    pub org: PathBuf,
    /// One FOCUS CSV per billing month, oldest first.
    pub focus: Vec<PathBuf>,
    /// Data rows (excluding headers) across all FOCUS files.
    pub cost_lines: u64,
    /// Ids of the tenant-tagged OUs.
    pub tenant_ids: Vec<String>,
    /// Every account in `org.json`, starting with the management (payer)
    /// account, which sits directly under the root and belongs to no tenant.
    pub account_ids: Vec<String>,
    /// Describe outputs `inventory/<account>-<region>-{ec2,ebs,rds}.json`,
    /// three per account and region with EC2, EBS or RDS resources (by
    /// account, then region, then ec2, ebs, rds).
    pub inventory: Vec<PathBuf>,
    /// `utilization.csv`: CPU and memory of running EC2 instances, CPU of RDS instances.
    pub utilization: PathBuf,
    /// The one deliberate cost spike, if the period reaches it.
    pub spike: Option<SpikeInfo>,
}

/// Where the generated spike is: one service of one tenant account, six-fold for two days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpikeInfo {
    pub tenant_id: String,
    pub account_id: String,
    pub service_name: String,
    pub first_day: NaiveDate,
    pub days: i64,
}

/// Writes `org.json`, `focus-YYYY-MM.csv` files, `inventory/*.json` and
/// `utilization.csv` into `out_dir` (created if missing).
///
/// The organisation holds `tenants × accounts_per_tenant + unallocated_accounts`
/// member accounts plus the management account.
pub fn generate(opts: &GenerateOptions, out_dir: &Path) -> Result<GeneratedFiles> {
    let plan = Plan::build(opts)?;
    fs::create_dir_all(out_dir)
        .with_context(|| format!("creating output directory {}", out_dir.display()))?;

    let org_path = out_dir.join("org.json");
    plan.org.write_json(&org_path)?;
    let written = focus::write_months(&plan, out_dir)?;
    let inventory = inventory::write_inventory(&plan, out_dir)?;
    let utilization = inventory::write_utilization(&plan, out_dir)?;

    Ok(GeneratedFiles {
        org: org_path,
        focus: written.paths,
        cost_lines: written.rows,
        tenant_ids: plan.org.tenants.iter().map(|t| t.ou_id.clone()).collect(),
        account_ids: plan
            .org
            .file
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .collect(),
        inventory,
        utilization,
        spike: plan.spike.as_ref().and_then(|spike| {
            let account = &plan.org.file.accounts[spike.account];
            Some(SpikeInfo {
                tenant_id: plan.org.tenants[account.tenant?].ou_id.clone(),
                account_id: account.id.clone(),
                service_name: catalog::SERVICES[spike.service].name.to_string(),
                first_day: spike.first_day,
                days: plan::SPIKE_DAYS,
            })
        }),
    })
}
