use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde_json::Value;

use super::plan::{Plan, SPIKE_DAYS};
use super::*;

const EXPECTED_HEADER: &str = "AvailabilityZone,BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,\
BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,ChargePeriodEnd,\
ChargePeriodStart,CommitmentDiscountCategory,CommitmentDiscountId,CommitmentDiscountName,CommitmentDiscountStatus,\
CommitmentDiscountType,ConsumedQuantity,ConsumedUnit,ContractedCost,ContractedUnitPrice,EffectiveCost,\
InvoiceIssuerName,ListCost,ListUnitPrice,PricingCategory,PricingQuantity,PricingUnit,ProviderName,PublisherName,\
RegionId,RegionName,ResourceId,ResourceName,ResourceType,ServiceCategory,ServiceName,SkuId,SkuPriceId,\
SubAccountId,SubAccountName,Tags";

/// Scratch directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "consoleai-generate-{}-{label}-{n}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn small_options() -> GenerateOptions {
    GenerateOptions {
        tenants: 3,
        accounts_per_tenant: 4,
        unallocated_accounts: 4,
        months: 2,
        end_date: date(2025, 3, 12),
        resources_per_account: 5,
        seed: 7,
    }
}

/// All data rows of the given FOCUS files, with column lookup by name.
struct Table {
    columns: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn read(paths: &[PathBuf]) -> Table {
        let mut columns = HashMap::new();
        let mut rows = Vec::new();
        for path in paths {
            let mut reader = csv::Reader::from_path(path).unwrap();
            columns = reader
                .headers()
                .unwrap()
                .iter()
                .enumerate()
                .map(|(i, h)| (h.to_string(), i))
                .collect();
            rows.extend(reader.records().map(|r| r.unwrap()));
        }
        Table { columns, rows }
    }

    fn get<'r>(&self, row: &'r csv::StringRecord, column: &str) -> &'r str {
        &row[self.columns[column]]
    }

    fn decimal(&self, row: &csv::StringRecord, column: &str) -> Decimal {
        self.get(row, column)
            .parse()
            .unwrap_or_else(|e| panic!("{column} = {:?}: {e}", self.get(row, column)))
    }

    fn day(&self, row: &csv::StringRecord, column: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(self.get(row, column), "%Y-%m-%d %H:%M:%S").unwrap()
    }
}

fn read_dir_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn same_seed_gives_identical_files() {
    let (a, b, c) = (
        TempDir::new("det-a"),
        TempDir::new("det-b"),
        TempDir::new("det-c"),
    );
    let opts = small_options();
    let first = generate(&opts, &a.0).unwrap();
    let second = generate(&opts, &b.0).unwrap();
    assert_eq!(first.cost_lines, second.cost_lines);
    assert_eq!(first.account_ids, second.account_ids);
    assert_eq!(read_dir_bytes(&a.0), read_dir_bytes(&b.0));

    generate(&GenerateOptions { seed: 8, ..opts }, &c.0).unwrap();
    assert_ne!(read_dir_bytes(&a.0), read_dir_bytes(&c.0));
}

#[test]
fn header_is_focus_1_0_in_order() {
    assert_eq!(focus::HEADER.join(","), EXPECTED_HEADER);
    let dir = TempDir::new("header");
    let out = generate(&small_options(), &dir.0).unwrap();
    assert_eq!(out.focus.len(), 2);
    for path in &out.focus {
        let text = fs::read_to_string(path).unwrap();
        assert_eq!(
            text.lines().next(),
            Some(EXPECTED_HEADER),
            "{}",
            path.display()
        );
        assert!(!text.contains("\"NULL\""), "NULL must not be quoted");
    }
    let names: Vec<_> = out
        .focus
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["focus-2025-02.csv", "focus-2025-03.csv"]);
}

#[test]
fn rows_are_daily_and_never_after_end_date() {
    let dir = TempDir::new("days");
    let opts = small_options();
    let out = generate(&opts, &dir.0).unwrap();
    let table = Table::read(&out.focus);
    assert_eq!(table.rows.len() as u64, out.cost_lines);

    let mut days = HashSet::new();
    for row in &table.rows {
        let start = table.day(row, "ChargePeriodStart");
        assert!(
            start.date() <= opts.end_date && start.date() >= date(2025, 2, 1),
            "{start}"
        );
        assert_eq!(table.day(row, "ChargePeriodEnd"), start + Duration::days(1));
        let billing_start = table.day(row, "BillingPeriodStart").date();
        assert_eq!(billing_start, start.date().with_day(1).unwrap());
        assert_eq!(
            table.day(row, "BillingPeriodEnd").date(),
            billing_start
                .checked_add_months(chrono::Months::new(1))
                .unwrap()
        );
        days.insert(start.date());
    }
    // February (28 days) plus 1..=12 March.
    assert_eq!(days.len(), 28 + 12);

    // One row per (day, account, resource) plus the month-end adjustments.
    let accounts = out.account_ids.len() as u64;
    let usage = table
        .rows
        .iter()
        .filter(|r| table.get(r, "ChargeCategory") == "Usage")
        .count() as u64;
    assert_eq!(usage, 40 * accounts * opts.resources_per_account as u64);
}

#[test]
fn amounts_and_charge_categories_are_consistent() {
    let dir = TempDir::new("amounts");
    let out = generate(&GenerateOptions::demo(date(2025, 6, 18)), &dir.0).unwrap();
    let table = Table::read(&out.focus);
    let mut services = HashSet::new();
    let mut regions = HashSet::new();
    let (mut taxes, mut credits, mut committed, mut tagged) = (0, 0, 0, 0);
    for row in &table.rows {
        for column in ["BilledCost", "EffectiveCost", "ListCost", "ContractedCost"] {
            let text = table.get(row, column);
            assert!(
                !text.contains(['e', 'E']),
                "{column} uses an exponent: {text}"
            );
            assert!(
                text.split('.').nth(1).is_none_or(|frac| frac.len() <= 10),
                "{column} = {text}"
            );
        }
        let billed = table.decimal(row, "BilledCost");
        let list = table.decimal(row, "ListCost");
        let effective = table.decimal(row, "EffectiveCost");
        assert!(list >= billed);
        assert_eq!(table.get(row, "ProviderName"), "AWS");
        assert_eq!(table.get(row, "BillingAccountId"), out.account_ids[0]);
        match table.get(row, "ChargeCategory") {
            "Usage" => {
                assert!(billed > Decimal::ZERO && effective <= billed);
                if effective < billed {
                    committed += 1;
                    assert_eq!(table.get(row, "PricingCategory"), "Committed");
                }
                if table.get(row, "Tags") != "NULL" {
                    let tags: Value = serde_json::from_str(table.get(row, "Tags")).unwrap();
                    assert!(tags.is_object());
                    tagged += 1;
                }
                services.insert(table.get(row, "ServiceName").to_string());
                regions.insert(table.get(row, "RegionId").to_string());
                if table.get(row, "ServiceName") == "Amazon Elastic Compute Cloud" {
                    assert!(table.get(row, "ResourceId").starts_with("i-0"));
                    assert_eq!(table.get(row, "ResourceType"), "Instance");
                    assert!(table
                        .get(row, "AvailabilityZone")
                        .ends_with(['a', 'b', 'c']));
                }
            }
            "Tax" => {
                taxes += 1;
                assert!(billed > Decimal::ZERO);
            }
            "Credit" => {
                credits += 1;
                assert!(billed < Decimal::ZERO && effective < Decimal::ZERO && list.is_zero());
                assert_eq!(table.get(row, "ChargeFrequency"), "One-Time");
            }
            other => panic!("unexpected ChargeCategory {other}"),
        }
    }
    assert!(services.len() >= 15, "only {} services", services.len());
    assert_eq!(
        regions,
        HashSet::from(["us-east-1".to_string(), "sa-east-1".to_string()])
    );
    assert!(taxes >= out.account_ids.len() * 4, "{taxes} tax rows");
    assert!(credits > 0 && committed > 0);
    assert!(
        tagged * 10 > table.rows.len() * 7,
        "most usage rows are tagged"
    );
}

#[test]
fn org_json_has_requested_tenants_and_accounts() {
    let dir = TempDir::new("org");
    let opts = small_options();
    let out = generate(&opts, &dir.0).unwrap();
    let org: Value = serde_json::from_str(&fs::read_to_string(&out.org).unwrap()).unwrap();

    let root = &org["Roots"][0];
    let root_id = root["Id"].as_str().unwrap();
    assert!(root_id.starts_with("r-") && root_id.len() == 6);
    let ous = org["OrganizationalUnits"].as_array().unwrap();
    let accounts = org["Accounts"].as_array().unwrap();

    let is_tenant = |ou: &Value| {
        ou["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["Key"] == "consoleai:tenant" && t["Value"] == "true")
    };
    let tenant_ous: Vec<&str> = ous
        .iter()
        .filter(|ou| is_tenant(ou))
        .map(|ou| ou["Id"].as_str().unwrap())
        .collect();
    assert_eq!(tenant_ous.len(), opts.tenants);
    assert_eq!(tenant_ous, out.tenant_ids);

    let expected_accounts = opts.tenants * opts.accounts_per_tenant + opts.unallocated_accounts + 1;
    assert_eq!(accounts.len(), expected_accounts);
    assert_eq!(out.account_ids.len(), expected_accounts);
    let ids: HashSet<&str> = accounts.iter().map(|a| a["Id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), accounts.len(), "account ids are unique");
    assert!(ids
        .iter()
        .all(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())));

    // Parents are listed before children and OU ids carry the root suffix.
    let mut parent_of: HashMap<&str, &str> = HashMap::new();
    for ou in ous {
        let id = ou["Id"].as_str().unwrap();
        let parent = ou["ParentId"].as_str().unwrap();
        assert!(
            parent == root_id || parent_of.contains_key(parent),
            "{id} listed before its parent"
        );
        let suffix = id
            .strip_prefix(&format!("ou-{}-", &root_id[2..]))
            .expect("ou id shape");
        assert!(
            suffix.len() == 8
                && suffix
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        parent_of.insert(id, parent);
    }

    // Nearest tenant OU above each account; direct vs nested membership.
    let tenants: HashSet<&str> = tenant_ous.iter().copied().collect();
    let under_tenant = |start: &str| {
        let mut node = start.to_string();
        loop {
            if tenants.contains(node.as_str()) {
                return true;
            }
            match parent_of.get(node.as_str()) {
                Some(parent) => node = parent.to_string(),
                None => return false,
            }
        }
    };
    let (mut nested, mut unallocated) = (0, 0);
    for account in accounts {
        let parent = account["ParentId"].as_str().unwrap();
        match (under_tenant(parent), tenants.contains(parent)) {
            (true, false) => nested += 1,
            (true, true) => {}
            (false, _) => unallocated += 1,
        }
        assert_eq!(account["Status"], "ACTIVE");
        assert!(account["JoinedTimestamp"]
            .as_str()
            .unwrap()
            .ends_with("+00:00"));
    }
    assert!(
        nested > 0,
        "some accounts sit in child OUs below a tenant OU"
    );
    assert_eq!(
        unallocated,
        opts.unallocated_accounts + 1,
        "unallocated plus the management account"
    );
    assert!(accounts
        .iter()
        .any(|a| a["ParentId"] == root_id && a["Name"] != "management"));
}

#[test]
fn demo_has_one_clear_spike_about_ten_days_before_end() {
    let end = date(2025, 6, 18);
    let opts = GenerateOptions::demo(end);
    let plan = Plan::build(&opts).unwrap();
    let spike = plan.spike.clone().expect("demo has a spike");
    assert_eq!(spike.first_day, end - Duration::days(10));
    let spike_account = &plan.org.file.accounts[spike.account].id;
    let spike_service = catalog::SERVICES[spike.service].name;

    let dir = TempDir::new("spike");
    let out = generate(&opts, &dir.0).unwrap();
    let table = Table::read(&out.focus);
    let mut series: HashMap<(String, String), BTreeMap<NaiveDate, Decimal>> = HashMap::new();
    for row in table
        .rows
        .iter()
        .filter(|r| table.get(r, "ChargeCategory") == "Usage")
    {
        let key = (
            table.get(row, "SubAccountId").to_string(),
            table.get(row, "ServiceName").to_string(),
        );
        *series
            .entry(key)
            .or_default()
            .entry(table.day(row, "ChargePeriodStart").date())
            .or_default() += table.decimal(row, "BilledCost");
    }

    let mut spikes = Vec::new();
    for ((account, service), days) in &series {
        let mut values: Vec<Decimal> = days.values().copied().collect();
        values.sort();
        let median = values[values.len() / 2];
        for (day, cost) in days {
            if *cost > median * Decimal::from(3) {
                spikes.push((account.clone(), service.clone(), *day, *cost / median));
            }
        }
    }
    assert_eq!(spikes.len() as i64, SPIKE_DAYS, "{spikes:?}");
    for (i, (account, service, day, ratio)) in spikes.iter().enumerate() {
        assert_eq!((account, service.as_str()), (spike_account, spike_service));
        assert!(*ratio > Decimal::from(4), "ratio {ratio}");
        assert!(
            spikes
                .iter()
                .any(|s| s.2 == spike.first_day + Duration::days(i as i64)),
            "{day}"
        );
    }
}

#[test]
fn demo_tenants_spend_thousands_to_tens_of_thousands_per_month() {
    let end = date(2025, 6, 18);
    let opts = GenerateOptions::demo(end);
    let plan = Plan::build(&opts).unwrap();
    let tenant_of: HashMap<&str, usize> = plan
        .org
        .file
        .accounts
        .iter()
        .filter_map(|a| Some((a.id.as_str(), a.tenant?)))
        .collect();

    let dir = TempDir::new("totals");
    let out = generate(&opts, &dir.0).unwrap();
    assert_eq!(out.focus.len(), 4);
    // Only whole months: the last file is partial.
    let table = Table::read(&out.focus[..3]);
    let mut totals: HashMap<(usize, u32), Decimal> = HashMap::new();
    for row in &table.rows {
        if let Some(&tenant) = tenant_of.get(table.get(row, "SubAccountId")) {
            let month = table.day(row, "BillingPeriodStart").month();
            *totals.entry((tenant, month)).or_default() += table.decimal(row, "EffectiveCost");
        }
    }
    assert_eq!(totals.len(), opts.tenants * 3);
    for ((tenant, month), total) in totals {
        assert!(
            total > Decimal::from(1_000) && total < Decimal::from(100_000),
            "tenant {tenant} month {month}: {total}"
        );
    }
}

#[test]
fn tenant_names_stay_unique_at_scale() {
    let names: HashSet<String> = (0..1000).map(org::tenant_name).collect();
    assert_eq!(names.len(), 1000);
    assert_eq!(org::tenant_name(0), "Payments");
}

#[test]
fn zero_months_is_rejected() {
    let dir = TempDir::new("zero");
    let opts = GenerateOptions {
        months: 0,
        ..small_options()
    };
    assert!(generate(&opts, &dir.0).is_err());
}
