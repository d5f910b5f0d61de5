//! AWS CUR import through the whole pipeline, on the real files in `shared/data/aws/`.
use std::collections::BTreeMap;
use std::io::Read;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::json;

use crate::support::*;

const BY: &str = r#"query($period: String!, $groupBy: CostDimension, $metric: CostMetric!) {
  unallocatedCost(period: $period, groupBy: $groupBy, metric: $metric) {
    totals { amount currency }
    breakdown { key amount }
  }
}"#;

async fn breakdown(
    app: &TestApp,
    period: &str,
    group_by: &str,
    metric: &str,
) -> (Decimal, BTreeMap<Option<String>, Decimal>) {
    let answer = app
        .graphql(
            Some(&app.admin()),
            BY,
            json!({"period": period, "groupBy": group_by, "metric": metric}),
        )
        .await;
    let cost = &answer.data()["unallocatedCost"];
    let total = cost["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount"].as_str().unwrap().parse::<Decimal>().unwrap())
        .sum();
    let groups = cost["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().map(str::to_string),
                g["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<Decimal>()
                    .unwrap()
                    .normalize(),
            )
        })
        .collect();
    (total, groups)
}

/// Unblended cost by usage account and by line item type, straight from the CSV.
fn csv_sums(
    text: &str,
) -> (
    Decimal,
    BTreeMap<String, Decimal>,
    BTreeMap<String, Decimal>,
) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (cost, account, kind) = (
        col("lineItem/UnblendedCost"),
        col("lineItem/UsageAccountId"),
        col("lineItem/LineItemType"),
    );
    let (mut total, mut by_account, mut by_kind) =
        (Decimal::ZERO, BTreeMap::new(), BTreeMap::new());
    for record in reader.records() {
        let r = record.unwrap();
        let amount = match r.get(cost).unwrap() {
            "" => Decimal::ZERO,
            v => Decimal::from_str(v)
                .or_else(|_| Decimal::from_scientific(v))
                .unwrap(),
        };
        total += amount;
        *by_account
            .entry(r.get(account).unwrap().to_string())
            .or_insert(Decimal::ZERO) += amount;
        *by_kind
            .entry(r.get(kind).unwrap().to_string())
            .or_insert(Decimal::ZERO) += amount;
    }
    (total, by_account, by_kind)
}

fn read_text(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .unwrap();
        text
    } else {
        String::from_utf8(bytes).unwrap()
    }
}

#[tokio::test]
async fn the_real_cur_csv_files_import_with_totals_exact_by_account_and_line_item_type() {
    for (file, period, rows) in [
        (
            "cur-legacy-csv/logzio-test-billing-report-1.csv.gz",
            "2018-02",
            19_412,
        ),
        (
            "cur-legacy-csv/logzio-test-billing-report-2.csv.gz",
            "2018-03",
            2_660,
        ),
        (
            "cur-legacy-csv/focus-converters-sample-anonymous-aws-export-dataset.csv",
            "2023-11",
            1_281,
        ),
    ] {
        let app = spawn_app().await;
        let path = shared(&format!("aws/{file}"));
        let report = app
            .import(CostFormat::Cur, std::slice::from_ref(&path))
            .await;
        assert_eq!(report.rows, rows, "{file}");
        let (total, by_account, by_kind) = csv_sums(&read_text(&path));
        let (got_total, got_accounts) = breakdown(&app, period, "ACCOUNT", "BILLED").await;
        assert_eq!(got_total, total, "{file}");
        let want: BTreeMap<Option<String>, Decimal> = by_account
            .into_iter()
            .map(|(k, v)| (Some(k), v.normalize()))
            .collect();
        assert_eq!(got_accounts, want, "{file}");
        // Line item types land in charge categories: Usage stays Usage, Tax is Tax.
        let (_, categories) = breakdown(&app, period, "CHARGE_CATEGORY", "BILLED").await;
        assert_eq!(
            categories.get(&Some("Usage".into())).copied(),
            by_kind.get("Usage").map(|v| v.normalize()),
            "{file}"
        );
        assert_eq!(
            categories.get(&Some("Tax".into())).copied(),
            by_kind.get("Tax").map(|v| v.normalize()),
            "{file}"
        );
    }
}

#[tokio::test]
async fn the_real_parquet_cur_imports_with_its_totals() {
    let app = spawn_app().await;
    let path = shared("aws/cur-parquet/wal-Dec2018-WorkshopCUR-00001.snappy.parquet");
    let report = app.import(CostFormat::Cur, &[path]).await;
    assert_eq!(report.rows, 91_264);
    // Figures computed once from the file with the parquet crate's row reader, summing in Decimal.
    let (total, accounts) = breakdown(&app, "2018-12", "ACCOUNT", "BILLED").await;
    assert_eq!(total, Decimal::from_str("408.3759924354").unwrap());
    assert_eq!(
        accounts[&Some("011254002932".into())],
        Decimal::from_str("38.2834714741").unwrap()
    );
    assert_eq!(
        accounts[&Some("836060457634".into())],
        Decimal::from_str("370.0925209613").unwrap()
    );
    let (_, categories) = breakdown(&app, "2018-12", "CHARGE_CATEGORY", "BILLED").await;
    assert_eq!(
        categories[&Some("Purchase".into())],
        Decimal::from_str("152.2968").unwrap(),
        "RIFee rows"
    );
    let (effective, _) = breakdown(&app, "2018-12", "ACCOUNT", "EFFECTIVE").await;
    assert_eq!(effective, Decimal::from_str("539.8499667354").unwrap());
    // Tags from the legacy Parquet tag columns.
    let answer = app
        .graphql(Some(&app.admin()), r#"{ unallocatedCost(period: "2018-12", groupBy: TAG, tagKey: "cost_center") { breakdown { key } } }"#, json!({}))
        .await;
    let keys: Vec<Option<String>> = answer.data()["unallocatedCost"]["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().map(str::to_string))
        .collect();
    for value in ["Cost001", "Cost002", "Cost005", "Cost006"] {
        assert!(keys.contains(&Some(value.into())), "{keys:?}");
    }
    assert!(keys.contains(&None), "untagged cost is shown too");
}

/// The same four charges as a legacy CUR and as FOCUS.
const CUR: &str = "identity/LineItemId,identity/TimeInterval,bill/PayerAccountId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,lineItem/ResourceId,lineItem/UsageAmount,lineItem/CurrencyCode,lineItem/UnblendedCost,product/ProductName,product/region,pricing/publicOnDemandCost,resourceTags/user:team
a1,2026-10-01T00:00:00Z/2026-10-02T00:00:00Z,111111111111,2026-10-01T00:00:00Z,222222222222,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,AmazonEC2,i-0abc,24,USD,4.8000000001,Amazon Elastic Compute Cloud,us-east-1,4.8000000001,payments
a2,2026-10-01T00:00:00Z/2026-10-02T00:00:00Z,111111111111,2026-10-01T00:00:00Z,222222222222,Usage,2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,AmazonS3,bucket-a,100,USD,2.3,Amazon Simple Storage Service,us-east-1,2.3,
a3,2026-10-02T00:00:00Z/2026-10-03T00:00:00Z,111111111111,2026-10-01T00:00:00Z,333333333333,Usage,2026-10-02T00:00:00Z,2026-10-03T00:00:00Z,AmazonRDS,db-1,24,USD,9.12,Amazon Relational Database Service,sa-east-1,9.12,search
a4,2026-10-02T00:00:00Z/2026-10-03T00:00:00Z,111111111111,2026-10-01T00:00:00Z,333333333333,Tax,2026-10-02T00:00:00Z,2026-10-03T00:00:00Z,AmazonRDS,,1,USD,0.91,Amazon Relational Database Service,,0.91,
";

const FOCUS: &str = "BilledCost,EffectiveCost,ListCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName,SubAccountId,ServiceName,RegionId,ResourceId,Tags
4.8000000001,4.8000000001,4.8000000001,111111111111,USD,2026-10-01 00:00:00,2026-11-01 00:00:00,Usage,2026-10-01 00:00:00,2026-10-02 00:00:00,AWS,222222222222,Amazon Elastic Compute Cloud,us-east-1,i-0abc,\"{\"\"team\"\": \"\"payments\"\"}\"
2.3,2.3,2.3,111111111111,USD,2026-10-01 00:00:00,2026-11-01 00:00:00,Usage,2026-10-01 00:00:00,2026-10-02 00:00:00,AWS,222222222222,Amazon Simple Storage Service,us-east-1,bucket-a,NULL
9.12,9.12,9.12,111111111111,USD,2026-10-01 00:00:00,2026-11-01 00:00:00,Usage,2026-10-02 00:00:00,2026-10-03 00:00:00,AWS,333333333333,Amazon Relational Database Service,sa-east-1,db-1,\"{\"\"team\"\": \"\"search\"\"}\"
0.91,0.91,0.91,111111111111,USD,2026-10-01 00:00:00,2026-11-01 00:00:00,Tax,2026-10-02 00:00:00,2026-10-03 00:00:00,AWS,333333333333,Amazon Relational Database Service,NULL,NULL,NULL
";

#[tokio::test]
async fn cur_and_focus_files_of_the_same_charges_give_the_same_answers() {
    let scratch = Scratch::new();
    let cur = spawn_app().await;
    cur.import(CostFormat::Cur, &[scratch.write("cur.csv", CUR)])
        .await;
    let focus = spawn_app().await;
    focus
        .import(CostFormat::Focus, &[scratch.write("focus.csv", FOCUS)])
        .await;
    for group_by in [
        "SERVICE",
        "ACCOUNT",
        "REGION",
        "CHARGE_CATEGORY",
        "PROVIDER",
    ] {
        for metric in ["BILLED", "EFFECTIVE", "LIST"] {
            let a = breakdown(&cur, "2026-10", group_by, metric).await;
            let b = breakdown(&focus, "2026-10", group_by, metric).await;
            assert_eq!(a, b, "{group_by} {metric}");
            assert_eq!(a.0, Decimal::from_str("17.1300000001").unwrap());
        }
    }
    let tag = r#"{ unallocatedCost(period: "2026-10", groupBy: TAG, tagKey: "team") { breakdown { key amount } } }"#;
    let a = cur.graphql(Some(&cur.admin()), tag, json!({})).await;
    let b = focus.graphql(Some(&focus.admin()), tag, json!({})).await;
    assert_eq!(a.data(), b.data());
}
