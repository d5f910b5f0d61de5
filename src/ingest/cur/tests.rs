//! The reader against the real public CUR files under `shared/data/aws/` (provenance in its
//! `SOURCES.md`), and against small files written to the temp directory for error cases.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::*;

const AWS_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/aws/");
const LOGZIO_1: &str = "cur-legacy-csv/logzio-test-billing-report-1.csv.gz";
const LOGZIO_2: &str = "cur-legacy-csv/logzio-test-billing-report-2.csv.gz";
const FOCUS_CONVERTERS: &str =
    "cur-legacy-csv/focus-converters-sample-anonymous-aws-export-dataset.csv";
const WORKSHOP_PARQUET: &str = "cur-parquet/wal-Dec2018-WorkshopCUR-00001.snappy.parquet";

fn data(relative: &str) -> PathBuf {
    PathBuf::from(AWS_DATA).join(relative)
}

fn read_all(path: &Path) -> Vec<CostRecord> {
    open(path)
        .unwrap_or_else(|e| panic!("{e}"))
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// The first error, whether `open` or the stream reports it.
fn first_error(path: &Path) -> ImportError {
    match open(path) {
        Err(e) => e,
        Ok(stream) => stream
            .filter_map(Result::err)
            .next()
            .expect("the file should fail"),
    }
}

/// A file in the temp directory, unique to this process and test.
fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("consoleai-cur-{}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn amount(picos: i128) -> Decimal {
    money::from_fixed(picos)
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap().normalize()
}

/// Billed-cost totals of the reader's records.
#[derive(Debug, Default, PartialEq)]
struct Totals {
    rows: u64,
    total: Decimal,
    by_account: BTreeMap<String, Decimal>,
    by_service: BTreeMap<String, Decimal>,
    by_category: BTreeMap<String, Decimal>,
}

impl Totals {
    fn normalized(mut self) -> Totals {
        self.total = self.total.normalize();
        for map in [
            &mut self.by_account,
            &mut self.by_service,
            &mut self.by_category,
        ] {
            for v in map.values_mut() {
                *v = v.normalize();
            }
        }
        self
    }
}

fn reader_totals(records: &[CostRecord]) -> Totals {
    let mut picos: BTreeMap<(u8, String), i128> = BTreeMap::new();
    let mut total = 0i128;
    for r in records {
        let cost = r.billed_cost as i128;
        total += cost;
        *picos.entry((0, r.account_id.clone())).or_default() += cost;
        *picos
            .entry((1, r.service_name.clone().unwrap_or_default()))
            .or_default() += cost;
        *picos.entry((2, r.charge_category.clone())).or_default() += cost;
    }
    let mut totals = Totals {
        rows: records.len() as u64,
        total: amount(total),
        ..Default::default()
    };
    for ((kind, key), sum) in picos {
        let map = match kind {
            0 => &mut totals.by_account,
            1 => &mut totals.by_service,
            _ => &mut totals.by_category,
        };
        map.insert(key, amount(sum));
    }
    totals.normalized()
}

/// The same totals straight from the CSV, with the `csv` crate and Decimal, independently of the
/// reader: service = first non-empty of ProductName, servicename, ProductCode; category from the
/// line item type (these files hold only Usage and Tax). Also returns the rows per line item type.
fn csv_totals(path: &Path) -> (Totals, BTreeMap<String, u64>) {
    let file = File::open(path).unwrap();
    let input: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let mut reader = csv::Reader::from_reader(input);
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name);
    let cost = at("lineItem/UnblendedCost").unwrap();
    let account = at("lineItem/UsageAccountId").unwrap();
    let kind = at("lineItem/LineItemType").unwrap();
    let services: Vec<usize> = [
        "product/ProductName",
        "product/servicename",
        "lineItem/ProductCode",
    ]
    .iter()
    .filter_map(|n| at(n))
    .collect();
    let mut totals = Totals::default();
    let mut types = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let text = &record[cost];
        let value = if text.is_empty() {
            Decimal::ZERO
        } else {
            Decimal::from_str(text)
                .or_else(|_| Decimal::from_scientific(text))
                .unwrap()
        };
        totals.rows += 1;
        totals.total += value;
        *totals
            .by_account
            .entry(record[account].to_string())
            .or_default() += value;
        let service = services
            .iter()
            .map(|&i| &record[i])
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        *totals.by_service.entry(service.to_string()).or_default() += value;
        let category = match &record[kind] {
            "Usage" => "Usage",
            "Tax" => "Tax",
            other => panic!("unexpected line item type {other}"),
        };
        *totals.by_category.entry(category.to_string()).or_default() += value;
        *types.entry(record[kind].to_string()).or_default() += 1;
    }
    (totals.normalized(), types)
}

#[test]
fn canonical_names_join_legacy_csv_and_parquet() {
    for (legacy, snake) in [
        ("lineItem/UnblendedCost", "line_item_unblended_cost"),
        ("lineItem/LineItemType", "line_item_line_item_type"),
        ("lineItem/UsageAccountId", "line_item_usage_account_id"),
        (
            "bill/BillingPeriodStartDate",
            "bill_billing_period_start_date",
        ),
        ("bill/PayerAccountId", "bill_payer_account_id"),
        ("identity/TimeInterval", "identity_time_interval"),
        ("product/region", "product_region"),
        ("product/regionCode", "product_region_code"),
        ("product/ProductName", "product_product_name"),
        ("product/servicename", "product_servicename"),
        (
            "pricing/publicOnDemandCost",
            "pricing_public_on_demand_cost",
        ),
        (
            "savingsPlan/SavingsPlanEffectiveCost",
            "savings_plan_savings_plan_effective_cost",
        ),
        (
            "reservation/ReservationARN",
            "reservation_reservation_a_r_n",
        ),
        (
            "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
            "reservation_unused_amortized_upfront_fee_for_billing_period",
        ),
        (
            "resourceTags/user:CostCenter",
            "resource_tags_user_cost_center",
        ),
        ("\u{feff}identity/LineItemId", "identity_line_item_id"),
        ("line_item_unblended_cost", "line_item_unblended_cost"),
    ] {
        assert_eq!(canonical(legacy), snake, "{legacy}");
    }
    assert_eq!(
        tag_key(
            "resourceTags/user:CostCenter",
            "resource_tags_user_cost_center"
        )
        .as_deref(),
        Some("CostCenter")
    );
    assert_eq!(
        tag_key("resourceTags/aws:createdBy", "resource_tags_aws_created_by").as_deref(),
        Some("aws:createdBy")
    );
    assert_eq!(
        tag_key(
            "resource_tags_user_cost_center",
            "resource_tags_user_cost_center"
        )
        .as_deref(),
        Some("cost_center")
    );
    assert_eq!(
        tag_key(
            "resource_tags_aws_created_by",
            "resource_tags_aws_created_by"
        )
        .as_deref(),
        Some("aws:created_by")
    );
    assert_eq!(tag_key("resource_tags", "resource_tags"), None);
}

#[test]
fn every_header_of_the_real_csv_files_maps_onto_the_parquet_names() {
    // The Parquet file's columns are AWS's own snake_case names; every legacy CSV column that
    // exists in both must canonicalise to exactly that name.
    let parquet = parquet::file::reader::SerializedFileReader::new(
        File::open(data(WORKSHOP_PARQUET)).unwrap(),
    )
    .unwrap();
    use parquet::file::reader::FileReader;
    let snake: std::collections::HashSet<String> = parquet
        .metadata()
        .file_metadata()
        .schema_descr()
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect();
    for relative in [LOGZIO_1, LOGZIO_2, FOCUS_CONVERTERS] {
        let path = data(relative);
        let input: Box<dyn Read> = if relative.ends_with(".gz") {
            Box::new(flate2::read::GzDecoder::new(File::open(&path).unwrap()))
        } else {
            Box::new(File::open(&path).unwrap())
        };
        let header = csv::Reader::from_reader(input).headers().unwrap().clone();
        let mut matched = 0;
        for name in header.iter() {
            let key = canonical(name);
            let lowercase_only = name.to_ascii_lowercase().replace(['/', ':'], "_");
            if snake.contains(&key) {
                matched += 1;
            } else {
                // Not in the Parquet file at all (other month, other features), never a near miss.
                assert!(
                    !snake.contains(&lowercase_only),
                    "{name} canonicalises to {key}"
                );
            }
        }
        assert!(matched >= 60, "{relative}: only {matched} columns matched");
    }
}

#[test]
fn logzio_report_1_matches_independent_totals() {
    let path = data(LOGZIO_1);
    let records = read_all(&path);
    let (expected, types) = csv_totals(&path);
    assert_eq!(records.len(), 19_412);
    assert_eq!(types, BTreeMap::from([("Usage".to_string(), 19_412)]));
    assert_eq!(reader_totals(&records), expected);
    assert_eq!(expected.total, dec("218.1678632876"));

    let first = &records[0];
    assert_eq!(first.provider, "AWS");
    assert_eq!(first.billing_account_id, "486140753397");
    assert_eq!(first.account_id, "486140753397");
    assert_eq!(first.billing_period_start.to_string(), "2018-02-01");
    assert_eq!(
        first.charge_period_start.to_rfc3339(),
        "2018-02-01T00:00:00+00:00"
    );
    assert_eq!(
        first.charge_period_end.to_rfc3339(),
        "2018-02-01T01:00:00+00:00"
    );
    assert_eq!(first.service_name.as_deref(), Some("AWS Lambda"));
    assert_eq!(first.service_category.as_deref(), Some("Compute"));
    assert_eq!(first.region.as_deref(), Some("us-east-1"));
    assert_eq!(first.sku_id.as_deref(), Some("9MG5B7V4UUU2WPAV"));
    assert_eq!(first.pricing_unit.as_deref(), Some("GB"));
    assert_eq!(first.pricing_quantity.as_deref(), Some("0.0000018403"));
    assert_eq!(first.list_unit_price.as_deref(), Some("0.0000000000"));
    assert_eq!(first.charge_category, "Usage");
    assert_eq!(first.charge_frequency.as_deref(), Some("Usage-Based"));
    assert_eq!(first.currency, "USD");
    assert_eq!(first.tags, None);
    // Usage rows: amortised and billed cost are the same.
    assert!(records.iter().all(|r| r.effective_cost == r.billed_cost));
    // The LineItemId repeats across hours: every row is kept.
    assert!(records.iter().filter(|r| r.resource_id.is_some()).count() > 0);
}

#[test]
fn logzio_report_2_reads_despite_its_different_column_set() {
    let path = data(LOGZIO_2);
    let records = read_all(&path);
    let (expected, _) = csv_totals(&path);
    assert_eq!(records.len(), 2_660);
    assert_eq!(reader_totals(&records), expected);
    assert_eq!(expected.total, dec("1.2370359880"));
    assert!(records
        .iter()
        .all(|r| r.billing_period_start.to_string() == "2018-03-01"));
}

#[test]
fn focus_converters_export_matches_independent_totals() {
    let path = data(FOCUS_CONVERTERS);
    let records = read_all(&path);
    let (expected, types) = csv_totals(&path);
    assert_eq!(records.len(), 1_281);
    assert_eq!(
        types,
        BTreeMap::from([("Tax".to_string(), 12), ("Usage".to_string(), 1_269)])
    );
    assert_eq!(reader_totals(&records), expected);
    assert_eq!(expected.total, dec("1.68230869740"));

    let taxes: Vec<&CostRecord> = records
        .iter()
        .filter(|r| r.charge_category == "Tax")
        .collect();
    assert_eq!(taxes.len(), 12);
    assert_eq!(taxes[0].service_name.as_deref(), Some("AWS CloudTrail"));
    // Milliseconds in the dates; no ResourceId column at all.
    assert!(records.iter().all(|r| r.resource_id.is_none()));
    assert!(records
        .iter()
        .all(|r| r.billing_period_start.to_string() == "2023-11-01"));
    // Scientific notation (`1.81E-8`) is read exactly.
    assert!(records.iter().any(|r| r.billed_cost == 18_100));
    // product/region first, product/regionCode when region is empty.
    assert!(records
        .iter()
        .any(|r| r.region.as_deref() == Some("global")));
}

// Expected figures for the Parquet file, computed once with the `parquet` crate's row API
// (`SerializedFileReader::get_row_iter`), independently of this reader: each double formatted
// with `{}` and read with `Decimal::from_str`, summed in Decimal. Effective cost by AWS's rule
// (DiscountedUsage: reservation_effective_cost; RIFee: unused amortised upfront + unused
// recurring fee). Service: first non-empty of product_product_name, product_servicename,
// line_item_product_code.
#[test]
fn workshop_parquet_matches_independent_totals() {
    let records = read_all(&data(WORKSHOP_PARQUET));
    assert_eq!(records.len(), 91_264);
    let totals = reader_totals(&records);
    assert_eq!(totals.total, dec("408.3759924354"));
    assert_eq!(
        totals.by_account,
        BTreeMap::from([
            ("011254002932".to_string(), dec("38.2834714741")),
            ("836060457634".to_string(), dec("370.0925209613")),
        ])
    );
    // Usage 256.0791924354 + DiscountedUsage 0; RIFee 152.2968.
    assert_eq!(
        totals.by_category,
        BTreeMap::from([
            ("Purchase".to_string(), dec("152.2968")),
            ("Usage".to_string(), dec("256.0791924354")),
        ])
    );
    for (service, expected) in [
        ("Amazon Elastic Compute Cloud", "364.6915250225"),
        ("Amazon QuickSight", "40.5806452668"),
        ("AWS Config", "2.111"),
        ("Amazon GuardDuty", "0.4934634276"),
        ("Amazon Simple Storage Service", "0.27132"),
        ("Amazon Relational Database Service", "0.2245117185"),
        ("Amazon Athena", "0.00295"),
        ("CloudWatch Events", "0.000577"),
        ("AmazonCloudWatch", "0"),
    ] {
        assert_eq!(
            totals.by_service.get(service),
            Some(&dec(expected)),
            "{service}"
        );
    }
    assert_eq!(totals.by_service.len(), 16);

    let sum = |f: &dyn Fn(&CostRecord) -> Option<i64>| -> Decimal {
        amount(records.iter().filter_map(f).map(|v| v as i128).sum()).normalize()
    };
    assert_eq!(sum(&|r| Some(r.effective_cost)), dec("539.8499667354"));
    assert_eq!(sum(&|r| Some(r.list_cost)), dec("580.7620730674"));
    let purchases: Vec<&CostRecord> = records
        .iter()
        .filter(|r| r.charge_category == "Purchase")
        .collect();
    assert_eq!(purchases.len(), 9);
    assert!(purchases
        .iter()
        .all(|r| r.charge_frequency.as_deref() == Some("Recurring")));
    assert_eq!(
        sum(&|r| (r.charge_category == "Purchase").then_some(r.effective_cost)),
        dec("52.87524292")
    );
    // The 6,767 DiscountedUsage rows: billed 0, amortised reservation cost 230.89553138.
    let discounted: Vec<&CostRecord> = records
        .iter()
        .filter(|r| r.charge_category == "Usage" && r.effective_cost != r.billed_cost)
        .collect();
    assert_eq!(discounted.len(), 6_767);
    assert!(discounted.iter().all(|r| r.billed_cost == 0));
    assert_eq!(
        amount(discounted.iter().map(|r| r.effective_cost as i128).sum()).normalize(),
        dec("230.89553138")
    );

    // Timestamps are Parquet TIMESTAMP_MILLIS.
    let fee = purchases[0];
    assert_eq!(fee.billing_period_start.to_string(), "2018-12-01");
    assert_eq!(
        fee.charge_period_start.to_rfc3339(),
        "2018-12-01T00:00:00+00:00"
    );
    assert_eq!(
        fee.charge_period_end.to_rfc3339(),
        "2018-12-31T23:59:59+00:00"
    );
    assert_eq!(fee.pricing_quantity.as_deref(), Some("744"));
    assert_eq!(fee.billed_cost, 22_320_000_000_000);
}

#[test]
fn workshop_parquet_tags() {
    let records = read_all(&data(WORKSHOP_PARQUET));
    let mut cost_centers: BTreeMap<String, (u64, i128)> = BTreeMap::new();
    let mut workloads: BTreeMap<String, u64> = BTreeMap::new();
    let mut tagged = 0;
    for r in &records {
        let Some(tags) = &r.tags else { continue };
        tagged += 1;
        let map: BTreeMap<String, String> = serde_json::from_str(tags).unwrap();
        assert!(!map.is_empty() && map.values().all(|v| !v.is_empty()));
        // Compact and sorted by key.
        assert_eq!(&serde_json::to_string(&map).unwrap(), tags);
        if let Some(c) = map.get("cost_center") {
            let e = cost_centers.entry(c.clone()).or_default();
            e.0 += 1;
            e.1 += r.billed_cost as i128;
        }
        if let Some(w) = map.get("workload") {
            *workloads.entry(w.clone()).or_default() += 1;
        }
        assert!(map.keys().all(|k| !k.starts_with("user_")));
    }
    // Same row API computation as above.
    assert_eq!(tagged, 63_380);
    let cost_centers: BTreeMap<String, (u64, Decimal)> = cost_centers
        .into_iter()
        .map(|(k, (n, p))| (k, (n, amount(p).normalize())))
        .collect();
    assert_eq!(
        cost_centers,
        BTreeMap::from([
            ("Cost001".to_string(), (11_569, dec("24.2950816095"))),
            ("Cost002".to_string(), (3_275, dec("4.6680107475"))),
            ("Cost005".to_string(), (146, dec("0.5083341941"))),
            ("Cost006".to_string(), (893, dec("25.2767157822"))),
        ])
    );
    // Dirty real-world values are kept as they are.
    assert_eq!(
        workloads,
        BTreeMap::from([
            ("Base Load".to_string(), 1_039),
            ("BaseLoad".to_string(), 14_541)
        ])
    );
}

/// A CUR 2.0 CSV (snake_case names, `resource_tags` JSON), with the amortisation rules.
const CUR2_CSV: &str = "\
bill_payer_account_id,bill_billing_period_start_date,identity_time_interval,line_item_usage_account_id,line_item_line_item_type,line_item_product_code,line_item_unblended_cost,line_item_net_unblended_cost,savings_plan_savings_plan_effective_cost,savings_plan_total_commitment_to_date,savings_plan_used_commitment,reservation_effective_cost,reservation_unused_amortized_upfront_fee_for_billing_period,reservation_unused_recurring_fee,reservation_reservation_a_r_n,pricing_public_on_demand_cost,line_item_currency_code,product_region_code,resource_tags
111111111111,2024-05-01T00:00:00.000Z,2024-05-01T00:00:00Z/2024-05-01T01:00:00Z,222222222222,SavingsPlanCoveredUsage,AmazonEC2,0.5,0.5,0.3,,,,,,,0.5,USD,eu-west-1,\"{\"\"user_cost_center\"\":\"\"Cost001\"\",\"\"user_team\"\":\"\"\"\"}\"
111111111111,2024-05-01T00:00:00.000Z,2024-05-01T00:00:00Z/2024-05-01T01:00:00Z,222222222222,SavingsPlanNegation,AmazonEC2,-0.5,-0.5,,,,,,,,,,eu-west-1,
111111111111,2024-05-01T00:00:00.000Z,2024-05-01T00:00:00Z/2024-06-01T00:00:00Z,111111111111,SavingsPlanRecurringFee,ComputeSavingsPlans,10,10,,10,7.25,,,,,,USD,,{}
111111111111,2024-05-01T00:00:00.000Z,2024-05-01T00:00:00Z/2024-06-01T00:00:00Z,111111111111,RIFee,AmazonRDS,20,20,,,,,1.5,2.5,arn:aws:rds:x,,USD,,
111111111111,2024-05-01T00:00:00.000Z,2024-05-01T00:00:00Z/2024-06-01T00:00:00Z,111111111111,Fee,AmazonRDS,300,300,,,,,,,arn:aws:rds:x,,USD,,
111111111111,2024-05-01T00:00:00.000Z,2024-05-01T00:00:00Z/2024-06-01T00:00:00Z,111111111111,Tax,AmazonS3,1.2E-3,1.2E-3,,,,,,,,,,,
111111111111,2024-05-01T00:00:00.000Z,2024-05-01T00:00:00Z/2024-06-01T00:00:00Z,111111111111,EdpDiscount,AmazonS3,-2,-2,,,,,,,,,,,
";

#[test]
fn cur2_csv_gzip_with_amortisation_and_tag_map() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(CUR2_CSV.as_bytes()).unwrap();
    let path = temp_file("cur2.csv.gz", &gz.finish().unwrap());
    let records = read_all(&path);
    std::fs::remove_file(&path).ok();
    assert_eq!(records.len(), 7);
    let picos = |s: &str| money::to_fixed(dec(s)).unwrap();
    let row = |i: usize| &records[i];

    assert_eq!(row(0).charge_category, "Usage");
    assert_eq!(row(0).billed_cost, picos("0.5"));
    assert_eq!(row(0).effective_cost, picos("0.3"));
    assert_eq!(row(0).list_cost, picos("0.5"));
    assert_eq!(row(0).billing_account_id, "111111111111");
    assert_eq!(row(0).account_id, "222222222222");
    assert_eq!(row(0).region.as_deref(), Some("eu-west-1"));
    assert_eq!(row(0).service_name.as_deref(), Some("AmazonEC2"));
    assert_eq!(
        row(0).tags.as_deref(),
        Some(r#"{"user_cost_center":"Cost001"}"#)
    );
    assert_eq!(
        row(0).charge_period_end.to_rfc3339(),
        "2024-05-01T01:00:00+00:00"
    );

    assert_eq!(row(1).charge_category, "Adjustment");
    assert_eq!(row(1).effective_cost, 0);
    assert_eq!(row(1).currency, "USD", "an empty currency cell is USD");
    // No public on-demand cost: the list cost is the unblended cost.
    assert_eq!(row(1).list_cost, picos("-0.5"));

    assert_eq!(row(2).charge_category, "Purchase");
    assert_eq!(row(2).charge_frequency.as_deref(), Some("Recurring"));
    assert_eq!(
        row(2).effective_cost,
        picos("2.75"),
        "the unused commitment"
    );
    assert_eq!(row(2).tags, None);

    assert_eq!(
        row(3).effective_cost,
        picos("4"),
        "unused upfront + unused recurring"
    );
    assert_eq!(row(3).service_category.as_deref(), Some("Databases"));

    assert_eq!(row(4).charge_frequency.as_deref(), Some("One-Time"));
    assert_eq!(row(4).billed_cost, picos("300"));
    assert_eq!(row(4).effective_cost, 0, "an RI upfront fee is amortised");

    assert_eq!(row(5).charge_category, "Tax");
    assert_eq!(row(5).billed_cost, picos("0.0012"));
    assert_eq!(row(6).charge_category, "Adjustment");
    assert_eq!(row(6).effective_cost, picos("-2"));
}

#[test]
fn without_amortisation_columns_effective_cost_falls_back_to_net_unblended() {
    let csv = "\
lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/LineItemType,lineItem/UnblendedCost,lineItem/NetUnblendedCost,resourceTags/user:Team,resourceTags/aws:createdBy
1,2024-05-01T00:00:00Z,2024-05-01T00:00:00Z,2024-05-01T01:00:00Z,DiscountedUsage,0,0.25,Web,
1,2024-05-01T00:00:00Z,2024-05-01T00:00:00Z,2024-05-01T01:00:00Z,RIFee,5,4,,Root
";
    let path = temp_file("fallback.csv", csv.as_bytes());
    let records = read_all(&path);
    std::fs::remove_file(&path).ok();
    assert_eq!(records[0].effective_cost, 250_000_000_000);
    assert_eq!(
        records[0].billing_account_id, "1",
        "no payer column: the usage account"
    );
    assert_eq!(records[0].tags.as_deref(), Some(r#"{"Team":"Web"}"#));
    assert_eq!(records[1].effective_cost, 4_000_000_000_000);
    assert_eq!(
        records[1].tags.as_deref(),
        Some(r#"{"aws:createdBy":"Root"}"#)
    );
    assert_eq!(records[1].currency, "USD", "no currency column: USD");
}

#[test]
fn an_empty_file_is_refused_on_line_1() {
    let path = temp_file("empty.csv", b"");
    let err = first_error(&path);
    std::fs::remove_file(&path).ok();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}:1:", path.display())),
        "{text}"
    );
    assert!(text.contains("empty"), "{text}");

    // Empty once decompressed, too.
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let path = temp_file("empty.csv.gz", &gz.finish().unwrap());
    let text = first_error(&path).to_string();
    std::fs::remove_file(&path).ok();
    assert!(text.contains(":1:") && text.contains("empty"), "{text}");
}

#[test]
fn a_focus_file_is_not_a_cur() {
    let focus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/focus/focus_sample.csv"
    );
    let mut head = String::new();
    for line in std::fs::read_to_string(focus).unwrap().lines().take(3) {
        head.push_str(line);
        head.push('\n');
    }
    let path = temp_file("focus.csv", head.as_bytes());
    let err = first_error(&path);
    std::fs::remove_file(&path).ok();
    match &err {
        ImportError::Invalid { line, field, .. } => {
            assert_eq!(*line, Some(1));
            assert_eq!(field.as_deref(), Some("line_item_usage_account_id"));
        }
        other => panic!("{other}"),
    }
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("lineItem/UsageAccountId"), "{text}");
    assert!(text.contains("FOCUS"), "{text}");
}

#[test]
fn a_random_csv_or_a_partial_cur_header_names_the_missing_column() {
    let path = temp_file("random.csv", b"name,amount\nx,1\n");
    let text = first_error(&path).to_string();
    std::fs::remove_file(&path).ok();
    assert!(text.contains(":1: line_item_usage_account_id:"), "{text}");

    let header = "lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/UnblendedCost,\
                  lineItem/UsageStartDate\n";
    let path = temp_file("partial.csv", header.as_bytes());
    let text = first_error(&path).to_string();
    std::fs::remove_file(&path).ok();
    assert!(text.contains(":1: lineItem/LineItemType:"), "{text}");

    let header = "lineItem/UsageAccountId,bill/BillingPeriodStartDate,lineItem/UnblendedCost,\
                  lineItem/LineItemType\n";
    let path = temp_file("no-dates.csv", header.as_bytes());
    let text = first_error(&path).to_string();
    std::fs::remove_file(&path).ok();
    assert!(text.contains(":1: lineItem/UsageStartDate:"), "{text}");
    assert!(text.contains("identity/TimeInterval"), "{text}");
}

/// The first `lines` lines of the focus-converters file, with one cell replaced.
fn excerpt_with(lines: usize, line: usize, column: &str, value: &str) -> Vec<u8> {
    let mut reader = csv::Reader::from_path(data(FOCUS_CONVERTERS)).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = header.iter().position(|h| h == column).unwrap();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for (i, record) in reader.records().take(lines - 1).enumerate() {
        let mut record: Vec<String> = record.unwrap().iter().map(str::to_string).collect();
        if i + 2 == line {
            record[col] = value.to_string();
        }
        writer.write_record(&record).unwrap();
    }
    writer.into_inner().unwrap()
}

#[test]
fn a_bad_cell_names_file_line_and_column() {
    for (column, value, says) in [
        ("lineItem/UnblendedCost", "12,50", "is not a number"),
        ("lineItem/UnblendedCost", "abc", "is not a number"),
        ("lineItem/UnblendedCost", "99999999999", "outside"),
        ("pricing/publicOnDemandCost", "n/a", "is not a number"),
        ("lineItem/UsageStartDate", "yesterday", "is not a date-time"),
        ("lineItem/CurrencyCode", "usd", "ISO 4217"),
        ("lineItem/UsageAccountId", "", "is empty"),
        ("lineItem/UsageAmount", "1.0.0", "is not a number"),
    ] {
        let path = temp_file("bad-cell.csv", &excerpt_with(8, 5, column, value));
        let records: Vec<_> = open(&path).unwrap().collect();
        std::fs::remove_file(&path).ok();
        assert_eq!(records.len(), 7);
        assert!(records[..3].iter().all(Result::is_ok), "{column}");
        let text = records[3].as_ref().unwrap_err().to_string();
        assert!(
            text.starts_with(&format!("{}:5: {column}: ", path.display())),
            "{text}"
        );
        assert!(text.contains(says), "{text}");
        assert!(records[4].is_ok());
    }
}

#[test]
fn a_row_with_a_wrong_field_count_is_refused() {
    let mut bytes = excerpt_with(4, 0, "lineItem/UnblendedCost", "");
    bytes.extend_from_slice(b"a,b,c\n");
    let path = temp_file("ragged.csv", &bytes);
    let text = first_error(&path).to_string();
    std::fs::remove_file(&path).ok();
    assert!(
        text.starts_with(&format!("{}:5:", path.display())),
        "{text}"
    );
    assert!(text.contains("3 fields"), "{text}");
}

#[test]
fn a_truncated_gzip_is_a_clear_error() {
    let bytes = std::fs::read(data(LOGZIO_1)).unwrap();
    let path = temp_file("truncated.csv.gz", &bytes[..10_000]);
    let results: Vec<_> = open(&path).unwrap().collect();
    std::fs::remove_file(&path).ok();
    let (last, rows) = results.split_last().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(Result::is_ok));
    let text = last.as_ref().unwrap_err().to_string();
    assert!(text.starts_with(&path.display().to_string()), "{text}");
    assert!(text.contains("truncated"), "{text}");
}

#[test]
fn a_file_that_is_not_parquet_is_refused() {
    let path = temp_file("fake.parquet", b"identity/LineItemId\nx\n");
    let text = first_error(&path).to_string();
    std::fs::remove_file(&path).ok();
    assert!(text.contains("Parquet"), "{text}");
}

#[test]
fn parquet_doubles_are_read_at_their_shortest_decimal() {
    assert_eq!(float_amount(0.1).unwrap(), dec("0.1"));
    assert_eq!(float_amount(22.32).unwrap(), dec("22.32"));
    assert_eq!(float_amount(1.81e-8).unwrap(), dec("0.0000000181"));
    assert!(float_amount(1e-40).unwrap().is_zero());
    assert!(float_amount(f64::NAN).is_err());
    assert_eq!(parse_amount("1.81E-8").unwrap(), dec("0.0000000181"));
}
