use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
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
        hourly: false,
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

/// Every file under `dir` (recursively) by relative path.
fn read_dir_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    files
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
    let files = read_dir_bytes(&a.0);
    assert!(files.keys().any(|k| k.starts_with("inventory")));
    assert!(files.contains_key("utilization.csv"));
    assert_eq!(files, read_dir_bytes(&b.0));

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

    // One row per (day, resource) plus the month-end adjustments; a stopped
    // instance has rows up to the day it stopped.
    let plan = Plan::build(&opts).unwrap();
    assert_eq!(
        plan.resources.len(),
        out.account_ids.len() * opts.resources_per_account
    );
    let expected: i64 = plan
        .resources
        .iter()
        .map(|r| match &r.stop {
            Some((last, _)) => (*last - date(2025, 2, 1)).num_days() + 1,
            None => 40,
        })
        .sum();
    let usage = table
        .rows
        .iter()
        .filter(|r| table.get(r, "ChargeCategory") == "Usage")
        .count() as i64;
    assert_eq!(usage, expected);
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

// ---- inventory and utilisation ---------------------------------------------

/// End date of the inventory tests' demo organisation.
fn demo_end() -> NaiveDate {
    date(2026, 6, 18)
}

/// `<account>-<region>-<kind>.json` → (account, region, kind).
fn inventory_name(path: &Path) -> (String, String, String) {
    let name = path.file_name().unwrap().to_str().unwrap();
    let stem = name.strip_suffix(".json").expect("a .json file");
    let (account, rest) = stem.split_once('-').unwrap();
    let (region, kind) = rest.rsplit_once('-').unwrap();
    (account.to_string(), region.to_string(), kind.to_string())
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not text in {value}"))
}

/// An ISO time with an explicit UTC offset, as the AWS CLI prints it.
fn iso(value: &Value, key: &str) -> chrono::DateTime<chrono::Utc> {
    let t = text(value, key);
    assert!(t.ends_with("+00:00"), "{key} = {t}");
    chrono::DateTime::parse_from_rfc3339(t)
        .unwrap_or_else(|e| panic!("{key} = {t}: {e}"))
        .to_utc()
}

fn assert_tags(tags: &Value) {
    for tag in tags.as_array().expect("tags are a list") {
        assert!(tag["Key"].is_string() && tag["Value"].is_string(), "{tag}");
    }
}

/// The day in an EC2 `StateTransitionReason` "User initiated (YYYY-MM-DD HH:MM:SS GMT)".
fn stop_day(reason: &str) -> NaiveDateTime {
    let inner = reason
        .strip_prefix("User initiated (")
        .and_then(|r| r.strip_suffix(" GMT)"))
        .unwrap_or_else(|| panic!("StateTransitionReason {reason}"));
    NaiveDateTime::parse_from_str(inner, "%Y-%m-%d %H:%M:%S").unwrap()
}

/// Every inventoried resource as the describe outputs state it.
#[derive(Default)]
struct Inventory {
    /// (account, region, instance JSON)
    instances: Vec<(String, String, Value)>,
    volumes: Vec<(String, String, Value)>,
    databases: Vec<(String, String, Value)>,
}

impl Inventory {
    fn read(out: &GeneratedFiles) -> Inventory {
        let mut inv = Inventory::default();
        for path in &out.inventory {
            let (account, region, kind) = inventory_name(path);
            let doc = json(path);
            match kind.as_str() {
                "ec2" => {
                    for reservation in doc["Reservations"].as_array().unwrap() {
                        for instance in reservation["Instances"].as_array().unwrap() {
                            inv.instances
                                .push((account.clone(), region.clone(), instance.clone()));
                        }
                    }
                }
                "ebs" => {
                    for volume in doc["Volumes"].as_array().unwrap() {
                        inv.volumes
                            .push((account.clone(), region.clone(), volume.clone()));
                    }
                }
                "rds" => {
                    for db in doc["DBInstances"].as_array().unwrap() {
                        inv.databases
                            .push((account.clone(), region.clone(), db.clone()));
                    }
                }
                other => panic!("unexpected inventory kind {other}"),
            }
        }
        inv
    }
}

/// The FOCUS usage lines of one resource.
#[derive(Default)]
struct Billed {
    accounts: HashSet<String>,
    regions: HashSet<String>,
    zones: HashSet<String>,
    resource_types: HashSet<String>,
    names: HashSet<String>,
    units: HashSet<String>,
    tags: HashSet<String>,
    list_unit_prices: HashSet<Decimal>,
    /// day → (quantity, list, billed, effective)
    days: BTreeMap<NaiveDate, (Decimal, Decimal, Decimal, Decimal)>,
}

fn billed_by_resource(table: &Table) -> HashMap<String, Billed> {
    let mut by_id: HashMap<String, Billed> = HashMap::new();
    for row in table
        .rows
        .iter()
        .filter(|r| table.get(r, "ChargeCategory") == "Usage")
    {
        let b = by_id
            .entry(table.get(row, "ResourceId").to_string())
            .or_default();
        b.accounts.insert(table.get(row, "SubAccountId").into());
        b.regions.insert(table.get(row, "RegionId").into());
        b.zones.insert(table.get(row, "AvailabilityZone").into());
        b.resource_types
            .insert(table.get(row, "ResourceType").into());
        b.names.insert(table.get(row, "ResourceName").into());
        b.units.insert(table.get(row, "PricingUnit").into());
        b.tags.insert(table.get(row, "Tags").into());
        b.list_unit_prices
            .insert(table.decimal(row, "ListUnitPrice"));
        assert_eq!(
            table.get(row, "PricingQuantity"),
            table.get(row, "ConsumedQuantity")
        );
        let previous = b.days.insert(
            table.day(row, "ChargePeriodStart").date(),
            (
                table.decimal(row, "PricingQuantity"),
                table.decimal(row, "ListCost"),
                table.decimal(row, "BilledCost"),
                table.decimal(row, "EffectiveCost"),
            ),
        );
        assert!(previous.is_none(), "one usage line per resource and day");
    }
    by_id
}

/// Describe-output tags other than `Name`, as the FOCUS `Tags` column holds them.
fn cost_tags(tags: &Value) -> BTreeMap<String, String> {
    tags.as_array()
        .unwrap()
        .iter()
        .filter(|t| t["Key"] != "Name")
        .map(|t| (text(t, "Key").to_string(), text(t, "Value").to_string()))
        .collect()
}

fn focus_tags(b: &Billed, id: &str) -> BTreeMap<String, String> {
    match single(&b.tags, id) {
        "NULL" => BTreeMap::new(),
        json => serde_json::from_str(json).unwrap(),
    }
}

fn single<'s>(set: &'s HashSet<String>, what: &str) -> &'s str {
    assert_eq!(set.len(), 1, "{what}: {set:?}");
    set.iter().next().unwrap()
}

#[test]
fn inventory_files_have_the_describe_output_shapes() {
    let dir = TempDir::new("inv-shape");
    let out = generate(&GenerateOptions::demo(demo_end()), &dir.0).unwrap();
    assert!(!out.inventory.is_empty());

    // Exactly the listed files exist, three per account and region.
    let on_disk: BTreeMap<String, Vec<u8>> = read_dir_bytes(&dir.0.join("inventory"));
    let listed: HashSet<String> = out
        .inventory
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk.keys().cloned().collect::<HashSet<_>>(), listed);
    let mut kinds: HashMap<(String, String), Vec<String>> = HashMap::new();
    for path in &out.inventory {
        assert_eq!(path.parent().unwrap(), dir.0.join("inventory"));
        let (account, region, kind) = inventory_name(path);
        assert!(out.account_ids.contains(&account), "{account}");
        assert!(["us-east-1", "sa-east-1"].contains(&region.as_str()));
        kinds.entry((account, region)).or_default().push(kind);
    }
    for kinds in kinds.values() {
        assert_eq!(kinds, &["ec2", "ebs", "rds"]);
    }

    for path in &out.inventory {
        let (account, region, kind) = inventory_name(path);
        let doc = json(path);
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        let zone_ok = |zone: &str| {
            zone.len() == region.len() + 1
                && zone.starts_with(&region)
                && zone.ends_with(['a', 'b', 'c'])
        };
        match kind.as_str() {
            "ec2" => {
                assert_eq!(keys, ["Reservations"]);
                for reservation in doc["Reservations"].as_array().unwrap() {
                    assert_eq!(text(reservation, "OwnerId"), account);
                    assert!(text(reservation, "ReservationId").starts_with("r-0"));
                    let instances = reservation["Instances"].as_array().unwrap();
                    assert!(!instances.is_empty());
                    for i in instances {
                        let id = text(i, "InstanceId");
                        assert!(id.starts_with("i-0") && id.len() == 19, "{id}");
                        assert!(catalog::EC2_TYPES.contains(&text(i, "InstanceType")));
                        iso(i, "LaunchTime");
                        assert!(zone_ok(text(&i["Placement"], "AvailabilityZone")));
                        match (i["State"]["Code"].as_i64(), text(&i["State"], "Name")) {
                            (Some(16), "running") => {}
                            (Some(80), "stopped") => {
                                stop_day(text(i, "StateTransitionReason"));
                            }
                            other => panic!("state {other:?}"),
                        }
                        assert_tags(&i["Tags"]);
                        assert_eq!(i["Tags"][0]["Key"], "Name");
                        for mapping in i["BlockDeviceMappings"].as_array().unwrap() {
                            assert!(text(mapping, "DeviceName").starts_with("/dev/"));
                            assert!(text(&mapping["Ebs"], "VolumeId").starts_with("vol-0"));
                            assert_eq!(mapping["Ebs"]["Status"], "attached");
                        }
                        assert_eq!(i["PlatformDetails"], "Linux/UNIX");
                    }
                }
            }
            "ebs" => {
                assert_eq!(keys, ["Volumes"]);
                for v in doc["Volumes"].as_array().unwrap() {
                    let id = text(v, "VolumeId");
                    assert!(id.starts_with("vol-0") && id.len() == 21, "{id}");
                    assert!(v["Size"].as_i64().unwrap() > 0);
                    assert!(v["Iops"].as_i64().unwrap() >= 100);
                    assert!(catalog::VOLUME_TYPES.contains(&text(v, "VolumeType")));
                    assert!(zone_ok(text(v, "AvailabilityZone")));
                    iso(v, "CreateTime");
                    assert_tags(&v["Tags"]);
                    let attachments = v["Attachments"].as_array().unwrap();
                    let expected_state = if attachments.is_empty() {
                        "available"
                    } else {
                        "in-use"
                    };
                    assert_eq!(text(v, "State"), expected_state);
                    for a in attachments {
                        assert!(text(a, "InstanceId").starts_with("i-0"));
                        assert_eq!(a["State"], "attached");
                        assert_eq!(text(a, "VolumeId"), id);
                    }
                }
            }
            "rds" => {
                assert_eq!(keys, ["DBInstances"]);
                for db in doc["DBInstances"].as_array().unwrap() {
                    let id = text(db, "DBInstanceIdentifier");
                    assert!(
                        id.starts_with(|c: char| c.is_ascii_lowercase())
                            && id.len() <= 63
                            && id
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                            && !id.contains("--")
                            && !id.ends_with('-'),
                        "{id}"
                    );
                    assert!(catalog::RDS_CLASSES.contains(&text(db, "DBInstanceClass")));
                    assert_eq!(db["Engine"], "postgres");
                    assert_eq!(db["EngineVersion"], "15.4");
                    assert_eq!(db["DBInstanceStatus"], "available");
                    assert_eq!(db["StorageType"], "gp3");
                    assert_eq!(db["MultiAZ"], false);
                    assert!(db["AllocatedStorage"].as_i64().unwrap() >= 20);
                    assert!(zone_ok(text(db, "AvailabilityZone")));
                    iso(db, "InstanceCreateTime");
                    assert_eq!(
                        text(db, "DBInstanceArn"),
                        format!("arn:aws:rds:{region}:{account}:db:{id}")
                    );
                    assert_tags(&db["TagList"]);
                }
            }
            other => panic!("unexpected kind {other}"),
        }
    }
}

#[test]
fn inventory_agrees_with_the_focus_lines_of_the_same_resources() {
    let end = demo_end();
    let dir = TempDir::new("inv-focus");
    let out = generate(&GenerateOptions::demo(end), &dir.0).unwrap();
    let table = Table::read(&out.focus);
    let billed = billed_by_resource(&table);
    let inv = Inventory::read(&out);
    let prices = catalog::PriceList::load().unwrap();
    let first_day = date(2026, 3, 1);
    let every_day = (end - first_day).num_days() + 1;

    let mut inventoried = HashSet::new();
    let mut instance_zone: HashMap<String, (String, Vec<String>)> = HashMap::new();
    for (account, region, i) in &inv.instances {
        let id = text(i, "InstanceId");
        inventoried.insert(id.to_string());
        let b = billed
            .get(id)
            .unwrap_or_else(|| panic!("{id} has no FOCUS lines"));
        assert_eq!(single(&b.regions, id), region);
        assert_eq!(single(&b.accounts, id), account);
        let zone = text(&i["Placement"], "AvailabilityZone");
        assert_eq!(single(&b.zones, id), zone);
        assert_eq!(single(&b.resource_types, id), "Instance");
        assert_eq!(single(&b.units, id), "Hours");
        assert_eq!(single(&b.names, id), text(&i["Tags"][0], "Value"));
        assert_eq!(cost_tags(&i["Tags"]), focus_tags(b, id));
        let hourly = prices
            .instance(text(i, "InstanceType"), region)
            .unwrap()
            .hourly;
        assert_eq!(b.list_unit_prices, HashSet::from([hourly]), "{id}");
        let stopped =
            (i["State"]["Name"] == "stopped").then(|| stop_day(text(i, "StateTransitionReason")));
        for (day, (quantity, list, cost, effective)) in &b.days {
            let expected_hours = match stopped {
                Some(at) if *day == at.date() => Decimal::from(at.hour()),
                _ => Decimal::from(24),
            };
            assert_eq!(*quantity, expected_hours, "{id} on {day}");
            assert_eq!(*list, hourly * expected_hours, "{id} on {day}");
            assert_eq!(cost, list, "{id} on {day}");
            assert!(effective <= cost);
        }
        let last = *b.days.keys().last().unwrap();
        match stopped {
            Some(at) => {
                assert_eq!(last, at.date(), "{id}: no compute lines after it stopped");
                assert!(end.and_hms_opt(0, 0, 0).unwrap() - at > Duration::days(7));
                assert_eq!(b.days.len() as i64, (at.date() - first_day).num_days() + 1);
            }
            None => assert_eq!(b.days.len() as i64, every_day, "{id}"),
        }
        let volumes = i["BlockDeviceMappings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| text(&m["Ebs"], "VolumeId").to_string())
            .collect();
        instance_zone.insert(id.to_string(), (zone.to_string(), volumes));
    }

    for (account, region, v) in &inv.volumes {
        let id = text(v, "VolumeId");
        inventoried.insert(id.to_string());
        let b = billed
            .get(id)
            .unwrap_or_else(|| panic!("{id} has no FOCUS lines"));
        assert_eq!(single(&b.regions, id), region);
        assert_eq!(single(&b.accounts, id), account);
        let zone = text(v, "AvailabilityZone");
        assert_eq!(single(&b.zones, id), zone);
        assert_eq!(single(&b.resource_types, id), "Volume");
        assert_eq!(single(&b.units, id), "GB-Mo");
        assert_eq!(cost_tags(&v["Tags"]), focus_tags(b, id));
        let gb_month = prices.ebs_gb_month(text(v, "VolumeType"), region).unwrap();
        assert_eq!(b.list_unit_prices, HashSet::from([gb_month]), "{id}");
        let size = Decimal::from(v["Size"].as_i64().unwrap());
        let daily = (size * gb_month / Decimal::from(30)).round_dp(10);
        assert_eq!(b.days.len() as i64, every_day, "{id} bills every day");
        for (day, (_, list, cost, effective)) in &b.days {
            assert_eq!(
                (*list, *cost, *effective),
                (daily, daily, daily),
                "{id} on {day}"
            );
        }
        // Attachments agree both ways and share the instance's zone.
        for a in v["Attachments"].as_array().unwrap() {
            let (instance_zone, volumes) = &instance_zone[text(a, "InstanceId")];
            assert_eq!(instance_zone, zone);
            assert!(volumes.iter().any(|vol| vol == id));
        }
    }
    let attached: HashSet<&str> = inv
        .volumes
        .iter()
        .filter(|(_, _, v)| v["State"] == "in-use")
        .map(|(_, _, v)| text(v, "VolumeId"))
        .collect();
    for (_, volumes) in instance_zone.values() {
        for v in volumes {
            assert!(attached.contains(v.as_str()), "{v} mapped but not attached");
        }
    }

    for (account, region, db) in &inv.databases {
        let arn = text(db, "DBInstanceArn");
        inventoried.insert(arn.to_string());
        let b = billed
            .get(arn)
            .unwrap_or_else(|| panic!("{arn} has no FOCUS lines"));
        assert_eq!(single(&b.regions, arn), region);
        assert_eq!(single(&b.accounts, arn), account);
        assert_eq!(single(&b.zones, arn), text(db, "AvailabilityZone"));
        assert_eq!(single(&b.resource_types, arn), "DB Instance");
        assert_eq!(single(&b.units, arn), "Hours");
        assert_eq!(single(&b.names, arn), text(db, "DBInstanceIdentifier"));
        assert_eq!(cost_tags(&db["TagList"]), focus_tags(b, arn));
        let hourly = prices
            .instance(text(db, "DBInstanceClass"), region)
            .unwrap()
            .hourly;
        assert_eq!(b.list_unit_prices, HashSet::from([hourly]), "{arn}");
        assert_eq!(b.days.len() as i64, every_day);
        for (quantity, list, cost, _) in b.days.values() {
            assert_eq!(*quantity, Decimal::from(24));
            assert_eq!((*list, *cost), (hourly * *quantity, hourly * *quantity));
        }
    }

    // Conversely, every EC2, EBS and RDS usage line is of an inventoried resource.
    for row in table
        .rows
        .iter()
        .filter(|r| table.get(r, "ChargeCategory") == "Usage")
    {
        let service = table.get(row, "ServiceName");
        if [
            "Amazon Elastic Compute Cloud",
            "Amazon Elastic Block Store",
            "Amazon Relational Database Service",
        ]
        .contains(&service)
        {
            let id = table.get(row, "ResourceId");
            assert!(
                inventoried.contains(id),
                "{service} line of {id} is not inventoried"
            );
        }
    }
}

#[test]
fn utilization_covers_running_instances_and_databases() {
    let end = demo_end();
    let dir = TempDir::new("util");
    let out = generate(&GenerateOptions::demo(end), &dir.0).unwrap();
    assert_eq!(out.utilization, dir.0.join("utilization.csv"));
    let inv = Inventory::read(&out);
    let running: HashSet<&str> = inv
        .instances
        .iter()
        .filter(|(_, _, i)| i["State"]["Name"] == "running")
        .map(|(_, _, i)| text(i, "InstanceId"))
        .collect();
    let stopped: HashSet<&str> = inv
        .instances
        .iter()
        .filter(|(_, _, i)| i["State"]["Name"] == "stopped")
        .map(|(_, _, i)| text(i, "InstanceId"))
        .collect();
    let databases: HashSet<&str> = inv
        .databases
        .iter()
        .map(|(_, _, db)| text(db, "DBInstanceIdentifier"))
        .collect();

    let mut reader = csv::Reader::from_path(&out.utilization).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "resource_id",
            "metric",
            "p95",
            "max",
            "window_start",
            "window_end",
            "samples"
        ]
    );
    let mut seen: HashMap<String, Vec<String>> = HashMap::new();
    for row in reader.records() {
        let row = row.unwrap();
        let (id, metric) = (&row[0], &row[1]);
        let p95: Decimal = row[2].parse().unwrap();
        let max: Decimal = row[3].parse().unwrap();
        for value in [&row[2], &row[3]] {
            assert!(
                value.split('.').nth(1).is_none_or(|f| f.len() <= 2),
                "{value}"
            );
        }
        assert!(Decimal::ZERO <= p95 && p95 <= max && max <= Decimal::ONE_HUNDRED);
        assert_eq!(&row[4], "2026-06-05T00:00:00Z");
        assert_eq!(&row[5], "2026-06-19T00:00:00Z");
        assert_eq!(&row[6], "336");
        assert!(!stopped.contains(id), "{id} is stopped");
        assert!(
            running.contains(id) || databases.contains(id),
            "{id} is not an inventoried instance or database"
        );
        seen.entry(id.to_string())
            .or_default()
            .push(metric.to_string());
    }
    for id in &running {
        assert_eq!(seen[*id], ["cpu", "memory"], "{id}");
    }
    for id in &databases {
        assert_eq!(seen[*id], ["cpu"], "{id}");
    }
    assert_eq!(seen.len(), running.len() + databases.len());
}

#[test]
fn generated_inventory_and_utilization_read_with_the_importers() {
    use crate::inventory::parse::{read_inventory, read_utilization, ResourceKind};

    let dir = TempDir::new("inv-import");
    let out = generate(&GenerateOptions::demo(demo_end()), &dir.0).unwrap();
    let inv = Inventory::read(&out);
    let (mut instances, mut volumes, mut databases) = (0, 0, 0);
    for path in &out.inventory {
        let (account, region, kind) = inventory_name(path);
        let file = read_inventory(path, Some(&account), Some(&region))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected = match kind.as_str() {
            "ec2" => ResourceKind::Ec2Instance,
            "ebs" => ResourceKind::EbsVolume,
            _ => ResourceKind::RdsInstance,
        };
        assert_eq!(file.kind, expected);
        assert_eq!(file.account_id.as_deref(), Some(account.as_str()));
        assert_eq!(file.region.as_deref(), Some(region.as_str()));
        for r in &file.resources {
            assert_eq!(r.account_id.as_deref(), Some(account.as_str()));
            assert_eq!(r.region.as_deref(), Some(region.as_str()));
            assert!(r.launched_at.is_some());
            if r.state == "stopped" {
                assert!(r.state_changed_at.is_some(), "{}", r.resource_id);
            }
        }
        match expected {
            ResourceKind::Ec2Instance => instances += file.resources.len(),
            ResourceKind::EbsVolume => volumes += file.resources.len(),
            ResourceKind::RdsInstance => databases += file.resources.len(),
        }
        // describe-instances names its account, so it also reads without the option.
        if expected != ResourceKind::EbsVolume {
            read_inventory(path, None, None).unwrap();
        }
    }
    assert_eq!(
        (instances, volumes, databases),
        (inv.instances.len(), inv.volumes.len(), inv.databases.len())
    );

    let records = read_utilization(&out.utilization, None).unwrap();
    let rows = fs::read_to_string(&out.utilization)
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(records.len(), rows);
    assert!(records.iter().all(|r| r.samples == 336));
}

#[test]
fn demo_has_waste_and_every_rightsizing_finding_in_every_tenant() {
    use crate::inventory::parse::{read_inventory, read_utilization, Metric, ResourceKind};
    use crate::rightsizing::{recommend, Catalog, Finding, Kind, PriceBook, ResourceInput};

    let end = demo_end();
    let opts = GenerateOptions::demo(end);
    let plan = Plan::build(&opts).unwrap();
    let dir = TempDir::new("findings");
    let out = generate(&opts, &dir.0).unwrap();

    // Each resource's own billed cost over the last 30 days.
    let table = Table::read(&out.focus);
    let since = end - Duration::days(29);
    let mut monthly: HashMap<String, Decimal> = HashMap::new();
    for row in &table.rows {
        if table.get(row, "ChargeCategory") == "Usage"
            && table.day(row, "ChargePeriodStart").date() >= since
        {
            *monthly
                .entry(table.get(row, "ResourceId").to_string())
                .or_default() += table.decimal(row, "BilledCost");
        }
    }
    let mut utilization: HashMap<(String, Metric), (Decimal, Decimal)> = HashMap::new();
    for r in read_utilization(&out.utilization, None).unwrap() {
        utilization.insert((r.resource_id, r.metric), (r.p95, r.max));
    }
    let mut records = Vec::new();
    for path in &out.inventory {
        let (account, region, _) = inventory_name(path);
        records.extend(
            read_inventory(path, Some(&account), Some(&region))
                .unwrap()
                .resources,
        );
    }
    let volume_cost: HashMap<&str, Decimal> = records
        .iter()
        .filter(|r| r.kind == ResourceKind::EbsVolume)
        .map(|r| (r.resource_id.as_str(), monthly[&r.resource_id]))
        .collect();
    let unattached = records
        .iter()
        .filter(|r| r.kind == ResourceKind::EbsVolume && r.state == "available")
        .count();
    let stopped = records
        .iter()
        .filter(|r| r.kind == ResourceKind::Ec2Instance && r.state == "stopped")
        .count();
    assert!(unattached >= 1, "no unattached volume");
    assert!(stopped >= 1, "no stopped instance");

    let tenant_of: HashMap<&str, usize> = plan
        .org
        .file
        .accounts
        .iter()
        .filter_map(|a| Some((a.id.as_str(), a.tenant?)))
        .collect();
    let prices = PriceBook::new(Catalog::builtin());
    let now = end
        .succ_opt()
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let mut findings: HashMap<usize, HashSet<Finding>> = HashMap::new();
    for r in &records {
        let billed_id = r
            .arn
            .as_deref()
            .filter(|_| r.kind == ResourceKind::RdsInstance);
        let billed_id = billed_id.unwrap_or(&r.resource_id);
        let metric = |m| utilization.get(&(r.resource_id.clone(), m)).copied();
        let input = ResourceInput {
            kind: match r.kind {
                ResourceKind::Ec2Instance => Kind::Ec2Instance,
                ResourceKind::EbsVolume => Kind::EbsVolume,
                ResourceKind::RdsInstance => Kind::RdsInstance,
            },
            resource_type: &r.resource_type,
            region: r.region.as_deref().unwrap(),
            state: &r.state,
            size_gib: r.size_gib,
            iops: r.iops,
            attached: !r.attached_to.is_empty(),
            stopped_since: r.state_changed_at,
            cpu_p95: metric(Metric::Cpu).map(|m| m.0),
            cpu_max: metric(Metric::Cpu).map(|m| m.1),
            mem_p95: metric(Metric::Memory).map(|m| m.0),
            monthly_cost_observed: monthly.get(billed_id).copied(),
            attached_volumes_monthly: (r.kind == ResourceKind::Ec2Instance)
                .then(|| r.attached_to.iter().map(|v| volume_cost[v.as_str()]).sum()),
        };
        let Some(rec) = recommend(&input, &prices, now, &Default::default()) else {
            continue;
        };
        if let Some(&tenant) = tenant_of.get(r.account_id.as_deref().unwrap()) {
            findings.entry(tenant).or_default().insert(rec.finding);
        }
        if rec.finding == Finding::OverProvisioned {
            assert!(rec.recommended_type.is_some() && rec.savings_monthly > Decimal::ZERO);
        }
    }
    assert_eq!(findings.len(), opts.tenants);
    for (tenant, found) in findings {
        assert_eq!(
            found,
            HashSet::from([
                Finding::OverProvisioned,
                Finding::Idle,
                Finding::UnderProvisioned,
                Finding::Optimized
            ]),
            "tenant {tenant}"
        );
    }
}

#[test]
fn price_list_covers_every_generated_type_in_every_region() {
    let prices = catalog::PriceList::load().unwrap();
    for region in catalog::REGIONS {
        for t in catalog::EC2_TYPES {
            assert!(prices.has_bigger(t, region.id), "{t} in {}", region.id);
        }
        for t in catalog::RDS_CLASSES {
            assert!(prices.has_bigger(t, region.id), "{t} in {}", region.id);
        }
        assert!(catalog::EC2_TYPES
            .iter()
            .any(|t| prices.has_smaller(t, region.id, false)));
        assert!(catalog::RDS_CLASSES
            .iter()
            .any(|t| prices.has_smaller(t, region.id, true)));
    }
    // Real list prices, as published.
    let hourly = |t: &str, r: &str| prices.instance(t, r).unwrap().hourly.to_string();
    assert_eq!(hourly("m5.large", "us-east-1"), "0.096");
    assert_eq!(hourly("m5.large", "sa-east-1"), "0.153");
    assert_eq!(hourly("c5.large", "us-east-1"), "0.085");
    assert_eq!(
        prices.ebs_gb_month("gp3", "us-east-1").unwrap().to_string(),
        "0.08"
    );
}

#[test]
fn inventory_without_resources_per_account_room_stays_consistent() {
    // One resource per account: a lone instance without a root volume.
    let dir = TempDir::new("tiny");
    let opts = GenerateOptions {
        resources_per_account: 1,
        ..small_options()
    };
    let out = generate(&opts, &dir.0).unwrap();
    let inv = Inventory::read(&out);
    assert_eq!(inv.instances.len(), out.account_ids.len());
    assert!(inv.volumes.is_empty() && inv.databases.is_empty());
    let table = Table::read(&out.focus);
    let billed = billed_by_resource(&table);
    for (_, region, i) in &inv.instances {
        assert_eq!(
            single(&billed[text(i, "InstanceId")].regions, "region"),
            region
        );
        assert!(i["BlockDeviceMappings"].as_array().unwrap().is_empty());
    }
}

#[test]
fn hourly_lines_split_each_day_into_24_hours_that_add_up_to_it_exactly() {
    let (d, h) = (TempDir::new("daily"), TempDir::new("hourly"));
    let daily = generate(&small_options(), &d.0).unwrap();
    let hourly = generate(
        &GenerateOptions {
            hourly: true,
            ..small_options()
        },
        &h.0,
    )
    .unwrap();
    let (daily, hourly) = (Table::read(&daily.focus), Table::read(&hourly.focus));
    let usage = |t: &Table| {
        t.rows
            .iter()
            .filter(|r| t.get(r, "ChargeCategory") == "Usage")
            .count()
    };
    assert_eq!(usage(&hourly), 24 * usage(&daily));
    // Per resource and day, and per column, the hours add up to the day to the last digit.
    let sums = |t: &Table| {
        let mut out: BTreeMap<(String, String, &str), Decimal> = BTreeMap::new();
        for r in t
            .rows
            .iter()
            .filter(|r| t.get(r, "ChargeCategory") == "Usage")
        {
            let day = t.day(r, "ChargePeriodStart").date().to_string();
            for column in ["BilledCost", "EffectiveCost", "ListCost", "PricingQuantity"] {
                *out.entry((t.get(r, "ResourceId").to_string(), day.clone(), column))
                    .or_default() += t.decimal(r, column);
            }
        }
        out
    };
    assert_eq!(sums(&hourly), sums(&daily));
    for r in hourly
        .rows
        .iter()
        .filter(|r| hourly.get(r, "ChargeCategory") == "Usage")
    {
        let span = hourly.day(r, "ChargePeriodEnd") - hourly.day(r, "ChargePeriodStart");
        assert_eq!(span, chrono::Duration::hours(1));
    }
}
