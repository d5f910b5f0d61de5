//! Inventory, per-resource cost, utilisation and rightsizing through the API.
use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::support::*;

pub const ALPHA: &str = "ou-t001-aaaaaaaa";
pub const BETA: &str = "ou-t001-bbbbbbbb";

/// Two tenants: Alpha owns 111111111111, Beta owns 222222222222.
pub async fn organisation(app: &TestApp, scratch: &Scratch) {
    let org = scratch.write(
        "org.json",
        &json!({
            "Roots": [{"Id": "r-t001", "Name": "Root"}],
            "OrganizationalUnits": [
                {"Id": ALPHA, "Name": "Alpha", "ParentId": "r-t001", "Tags": [{"Key": "consoleai:tenant", "Value": "true"}]},
                {"Id": BETA, "Name": "Beta", "ParentId": "r-t001", "Tags": [{"Key": "consoleai:tenant", "Value": "true"}]}
            ],
            "Accounts": [
                {"Id": "111111111111", "Name": "alpha", "ParentId": ALPHA},
                {"Id": "222222222222", "Name": "beta", "ParentId": BETA}
            ]
        })
        .to_string(),
    );
    app.import_org(&[org], &[]).await;
}

/// An `ec2 describe-instances` output (CLI shape) of one account.
pub fn instances(account: &str, items: &[(&str, &str, &str)]) -> String {
    let instances: Vec<Value> = items
        .iter()
        .map(|(id, kind, name)| {
            json!({"InstanceId": id, "InstanceType": kind, "LaunchTime": "2026-06-01T10:00:00+00:00",
                   "Placement": {"AvailabilityZone": "us-east-1a"}, "State": {"Code": 16, "Name": "running"},
                   "Tags": [{"Key": "Name", "Value": name}, {"Key": "team", "Value": "core"}]})
        })
        .collect();
    json!({"Reservations": [{"ReservationId": "r-1", "OwnerId": account, "Instances": instances}]})
        .to_string()
}

/// FOCUS lines for one resource: `per_day` billed each of the last 30 days.
fn focus_lines(account: &str, resource: &str, per_day: &str, unit_price: Option<&str>) -> String {
    let today = Utc::now().date_naive();
    let mut out = String::from("BilledCost,EffectiveCost,ListCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,ChargePeriodStart,ChargePeriodEnd,ProviderName,SubAccountId,ServiceName,RegionId,ResourceId,PricingUnit,ListUnitPrice\n");
    for back in 0..30 {
        let day = today - Days::new(back);
        let period = day.format("%Y-%m-01");
        let next = (day.with_day0(0).unwrap() + chrono::Months::new(1)).format("%Y-%m-%d");
        let (unit, price) = match unit_price {
            Some(p) => ("Hours", p),
            None => ("GB-Mo", "NULL"),
        };
        out.push_str(&format!(
            "{per_day},{per_day},{per_day},999999999999,USD,{period} 00:00:00,{next} 00:00:00,Usage,{day} 00:00:00,{} 00:00:00,AWS,{account},Amazon Elastic Compute Cloud,us-east-1,{resource},{unit},{price}\n",
            day + Days::new(1)
        ));
    }
    out
}

use chrono::Datelike;

const INVENTORY: &str = r#"query($id: ID!, $first: Int, $filter: InventoryFilter) {
  tenant(id: $id) {
    inventory(first: $first, filter: $filter) {
      totalCount
      edges { node { id resourceId kind type state name cost30d { amount currency }
        utilization { metric p95 max }
        recommendation { id finding currentType recommendedType currentMonthlyCost { amount } projectedMonthlyCost { amount }
          estimatedMonthlySavings { amount } savingsPercent performanceRisk reason priceSource } } }
    }
    rightsizing { totalCount totalEstimatedMonthlySavings { amount currency } edges { node { finding resource { resourceId } estimatedMonthlySavings { amount } } } }
  }
}"#;

fn by_id<'a>(answer: &'a Value, id: &str) -> &'a Value {
    answer["tenant"]["inventory"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["resourceId"] == id)
        .unwrap_or_else(|| panic!("{id} not in {answer}"))
}

#[tokio::test]
async fn resources_show_their_cost_utilisation_and_recommendation() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    organisation(&app, &scratch).await;
    let ec2 = scratch.write(
        "ec2.json",
        &instances(
            "111111111111",
            &[
                ("i-0aaa", "c5.4xlarge", "api"),
                ("i-0bbb", "m5.2xlarge", "batch"),
                ("i-0ccc", "c5.large", "busy"),
                ("i-0ddd", "m5.large", "quiet"),
            ],
        ),
    );
    app.import_inventory(&[ec2], None, None).await;
    // The real describe-volumes recording, given to account Alpha: one unattached io1 volume.
    app.import_inventory(
        &[shared(
            "aws/ebs/c7n__test_ebs_modifyable_filter_ec2.DescribeVolumes_1.json",
        )],
        Some("111111111111"),
        None,
    )
    .await;
    let utilization = scratch.write(
        "util.csv",
        "resource_id,metric,p95,max,window_start,window_end,samples\n\
         i-0aaa,cpu,15,30,2026-11-01,2026-11-15,336\n\
         i-0aaa,memory,20,25,2026-11-01,2026-11-15,336\n\
         i-0bbb,cpu,15,30,2026-11-01,2026-11-15,336\n\
         i-0bbb,memory,20,25,2026-11-01,2026-11-15,336\n\
         i-0ccc,cpu,95,100,2026-11-01,2026-11-15,336\n\
         i-0ddd,cpu,2,4,2026-11-01,2026-11-15,336\n",
    );
    app.import_utilization(&[utilization]).await;
    // i-0bbb is billed at a negotiated 0.35/h; the unattached volume costs 2.40 a day.
    // (One bill: a second file of the same billing scope would replace the first.)
    let volume_lines = focus_lines("111111111111", "vol-091e2a63a6e4da54d", "2.4", None);
    let bill = format!(
        "{}{}",
        focus_lines("111111111111", "i-0bbb", "8.4", Some("0.35")),
        volume_lines.split_once('\n').unwrap().1
    );
    app.import_focus(&[scratch.write("bill.csv", &bill)]).await;

    let answer = app
        .graphql(
            Some(&app.admin()),
            INVENTORY,
            json!({"id": ALPHA, "first": 100}),
        )
        .await;
    let data = answer.data();
    assert_eq!(
        data["tenant"]["inventory"]["totalCount"], 10,
        "4 instances + 6 volumes"
    );

    // Catalog prices: c5.4xlarge (16 vCPU, 32 GiB) at 15% CPU / 20% memory needs 9.1 GiB at 70%
    // headroom → c5.2xlarge (c5.xlarge has 8 GiB), saving (0.68 − 0.34) × 730.
    let aaa = &by_id(data, "i-0aaa")["recommendation"];
    assert_eq!(aaa["finding"], "OVER_PROVISIONED");
    assert_eq!(aaa["recommendedType"], "c5.2xlarge");
    assert_eq!(aaa["estimatedMonthlySavings"]["amount"], "248.2");
    assert_eq!(aaa["priceSource"], "CATALOG");
    // The same workload billed at 0.35/h: the tenant's own price wins over the catalog's 0.384.
    let bbb = by_id(data, "i-0bbb");
    assert_eq!(bbb["cost30d"][0]["amount"], "252");
    let rec = &bbb["recommendation"];
    assert_eq!(rec["priceSource"], "OBSERVED");
    assert_eq!(rec["recommendedType"], "m5.xlarge");
    // Its current cost is what the bill says (30 days × 8.40 = 252), not the catalog's 280.32;
    // the move to m5.xlarge (catalog 140.16) saves 111.84, not the catalog-only 140.16.
    assert_eq!(rec["currentMonthlyCost"]["amount"], "252");
    assert_eq!(rec["estimatedMonthlySavings"]["amount"], "111.84");
    // Busy and quiet.
    assert_eq!(
        by_id(data, "i-0ccc")["recommendation"]["finding"],
        "UNDER_PROVISIONED"
    );
    assert_eq!(
        by_id(data, "i-0ccc")["recommendation"]["recommendedType"],
        "c5.xlarge"
    );
    assert_eq!(by_id(data, "i-0ddd")["recommendation"]["finding"], "IDLE");
    // The unattached volume is idle, and its whole cost is the saving.
    let volume = by_id(data, "vol-091e2a63a6e4da54d");
    assert_eq!(volume["state"], "available");
    assert_eq!(volume["cost30d"][0]["amount"], "72");
    assert_eq!(volume["recommendation"]["finding"], "IDLE");
    assert_eq!(
        volume["recommendation"]["estimatedMonthlySavings"]["amount"],
        "72"
    );

    // Rightsizing: the largest savings first, and the total of positive savings.
    let rightsizing = &data["tenant"]["rightsizing"];
    let savings: Vec<rust_decimal::Decimal> = rightsizing["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["node"]["estimatedMonthlySavings"]["amount"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(savings.windows(2).all(|w| w[0] >= w[1]), "{savings:?}");
    let total: rust_decimal::Decimal = savings.iter().filter(|s| s.is_sign_positive()).sum();
    assert_eq!(
        rightsizing["totalEstimatedMonthlySavings"]["amount"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap(),
        total
    );

    // Filters.
    let filtered = app
        .graphql(
            Some(&app.admin()),
            INVENTORY,
            json!({"id": ALPHA, "filter": {"kind": "EBS_VOLUME", "state": "available"}}),
        )
        .await;
    assert_eq!(filtered.data()["tenant"]["inventory"]["totalCount"], 1);

    // A new snapshot without i-0ddd marks it terminated (kept, hidden unless asked for).
    let ec2 = scratch.write(
        "ec2-2.json",
        &instances(
            "111111111111",
            &[
                ("i-0aaa", "c5.4xlarge", "api"),
                ("i-0bbb", "m5.2xlarge", "batch"),
                ("i-0ccc", "c5.large", "busy"),
            ],
        ),
    );
    let report = app.import_inventory(&[ec2], None, None).await;
    assert_eq!(report.terminated, 1);
    let gone = app
        .graphql(
            Some(&app.admin()),
            INVENTORY,
            json!({"id": ALPHA, "filter": {"state": "terminated"}}),
        )
        .await;
    assert_eq!(gone.data()["tenant"]["inventory"]["totalCount"], 1);
}

#[tokio::test]
async fn another_tenants_resources_never_show_and_pages_cost_the_same_statements() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    organisation(&app, &scratch).await;
    let alpha: Vec<(String, String, String)> = (0..60)
        .map(|i| (format!("i-a{i:03}"), "m5.large".into(), format!("a{i}")))
        .collect();
    let alpha: Vec<(&str, &str, &str)> = alpha
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    let beta = [("i-0beta", "m5.large", "secret")];
    let files = [
        scratch.write("a.json", &instances("111111111111", &alpha)),
        scratch.write("b.json", &instances("222222222222", &beta)),
    ];
    app.import_inventory(&files, None, None).await;

    let devops = app.token(role("devops"), &[ALPHA]);
    let answer = app
        .graphql(Some(&devops), INVENTORY, json!({"id": ALPHA, "first": 100}))
        .await;
    let ids: Vec<&str> = answer.data()["tenant"]["inventory"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["resourceId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 60);
    assert!(!ids.contains(&"i-0beta"));
    // Beta's tenant, and Beta's resource by global ID: null, as if they did not exist.
    let answer = app
        .graphql(Some(&devops), INVENTORY, json!({"id": BETA}))
        .await;
    assert!(answer.data()["tenant"].is_null());
    let admin = app
        .graphql(Some(&app.admin()), INVENTORY, json!({"id": BETA}))
        .await;
    let beta_node = admin.data()["tenant"]["inventory"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let node = app
        .graphql(
            Some(&devops),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({"id": beta_node}),
        )
        .await;
    assert!(node.data()["node"].is_null());
    let node = app
        .graphql(
            Some(&app.admin()),
            "query($id: ID!) { node(id: $id) { ... on Resource { resourceId } } }",
            json!({"id": beta_node}),
        )
        .await;
    assert_eq!(node.data()["node"]["resourceId"], "i-0beta");

    // The page size does not change the number of statements.
    let count = |first: i64| {
        let app = &app;
        let devops = devops.clone();
        async move {
            let before = app.statement_count();
            app.graphql(
                Some(&devops),
                INVENTORY,
                json!({"id": ALPHA, "first": first}),
            )
            .await
            .data();
            app.statement_count() - before
        }
    };
    // Both cold: a utilisation import bumps the tenant's data version, so its views are rebuilt.
    let scratch2 = Scratch::new();
    let bump = |n: u32| {
        scratch2.write(&format!("u{n}.csv"), &format!("resource_id,metric,p95,max,window_start,window_end\ni-a001,cpu,{n},60,2026-11-01,2026-11-15\n"))
    };
    app.import_utilization(&[bump(10)]).await;
    let small = count(5).await;
    app.import_utilization(&[bump(20)]).await;
    let large = count(50).await;
    assert_eq!(
        small, large,
        "first 5: {small} statements, first 50: {large}"
    );
}

#[tokio::test]
async fn rightsizing_thresholds_come_from_configuration() {
    // Over-provisioned only under 10% CPU: the 15% m5.2xlarge is now left as it is.
    let app = spawn_app_configured(fresh_db().await, |s| s.rightsizing.over_cpu_p95 = 10).await;
    let scratch = Scratch::new();
    organisation(&app, &scratch).await;
    app.import_inventory(
        &[scratch.write(
            "ec2.json",
            &instances("111111111111", &[("i-0aaa", "m5.2xlarge", "api")]),
        )],
        None,
        None,
    )
    .await;
    app.import_utilization(&[scratch.write(
        "util.csv",
        "resource_id,metric,p95,max,window_start,window_end\ni-0aaa,cpu,15,30,2026-11-01,2026-11-15\ni-0aaa,memory,20,25,2026-11-01,2026-11-15\n",
    )])
    .await;
    let answer = app
        .graphql(Some(&app.admin()), INVENTORY, json!({"id": ALPHA}))
        .await;
    assert_eq!(
        by_id(answer.data(), "i-0aaa")["recommendation"]["finding"],
        "OPTIMIZED"
    );
}
