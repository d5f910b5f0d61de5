use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::json;

use super::describe::{region_of_zone, transition_time};
use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/aws");

fn data(file: &str) -> PathBuf {
    Path::new(DATA).join(file)
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn inventory(file: &str) -> InventoryFile {
    read_inventory(&data(file), None, None).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn find<'a>(file: &'a InventoryFile, id: &str) -> &'a ResourceRecord {
    file.resources
        .iter()
        .find(|r| r.resource_id == id)
        .unwrap_or_else(|| panic!("{id} not read"))
}

/// The line, field and message of an `Invalid` error.
fn invalid(err: ImportError) -> (Option<u64>, Option<String>, String) {
    match err {
        ImportError::Invalid {
            line,
            field,
            message,
            ..
        } => (line, field, message),
        other => panic!("expected an invalid-file error, got {other}"),
    }
}

/// A file in the temp dir, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str, content: &str) -> Temp {
        let path = std::env::temp_dir().join(format!(
            "consoleai-inventory-parse-{}-{name}",
            std::process::id()
        ));
        std::fs::write(&path, content).unwrap();
        Temp(path)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const CLI_INSTANCES: &str = "ec2/awscli-example__ec2_describe-instances.json";
const ACTION_FILTER: &str = "ec2/c7n__test_action_filter_call_ec2.DescribeInstances_1.json";
const MODIFYABLE_EC2: &str = "ec2/c7n__test_ebs_modifyable_filter_ec2.DescribeInstances_1.json";
const RESIZE: &str = "ec2/c7n__test_ec2_resize_ec2.DescribeInstances_1.json";
const MULTI_EC2: &str =
    "ec2/c7n__test_metric_filter_multiple_datapoints_ec2.DescribeInstances_1.json";
const VOLUMES: &str = "ebs/c7n__test_ebs_modifyable_filter_ec2.DescribeVolumes_1.json";
const RETENTION: &str = "rds/c7n__test_rds_retention_rds.DescribeDBInstances_1.json";
const PARAMETER_GROUP: &str = "rds/c7n__test_rds_parameter_group_rds.DescribeDBInstances_1.json";
const STATISTICS: &str = "cloudwatch/awscli-example__cloudwatch_get-metric-statistics.json";
const METRIC_DATA: &str = "cloudwatch/awscli-example__cloudwatch_get-metric-data.json";
const ONE_POINT: &str = "cloudwatch/c7n__test_ec2_metric_monitoring.GetMetricStatistics_1.json";
const THREE_POINTS: &str =
    "cloudwatch/c7n__test_metric_filter_multiple_datapoints_monitoring.GetMetricStatistics_1.json";
const ORG_ACCOUNTS: &str =
    "organizations/c7n__test_org_account_describe_organizations.ListAccounts_1.json";

#[test]
fn every_describe_file_reads_as_its_kind() {
    let dirs = [
        ("ec2", ResourceKind::Ec2Instance),
        ("ebs", ResourceKind::EbsVolume),
        ("rds", ResourceKind::RdsInstance),
    ];
    let mut files = 0;
    for (dir, kind) in dirs {
        for entry in std::fs::read_dir(data(dir)).unwrap() {
            let path = entry.unwrap().path();
            let file = read_inventory(&path, None, None)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(file.kind, kind, "{}", path.display());
            assert!(!file.resources.is_empty(), "{}", path.display());
            for r in &file.resources {
                assert_eq!(r.kind, kind);
                assert!(!r.state.is_empty() && r.state == r.state.to_lowercase());
                assert!(
                    r.launched_at.is_some(),
                    "{} has no launch time",
                    r.resource_id
                );
                assert!(r.region.is_some(), "{} has no region", r.resource_id);
            }
            files += 1;
        }
    }
    assert_eq!(files, 8);
}

#[test]
fn cli_example_instance() {
    let file = inventory(CLI_INSTANCES);
    assert_eq!(file.kind, ResourceKind::Ec2Instance);
    assert_eq!(file.account_id.as_deref(), Some("111111111111"));
    assert_eq!(file.region.as_deref(), Some("us-east-2"));
    assert_eq!(file.resources.len(), 1);
    let i = &file.resources[0];
    assert_eq!(i.resource_id, "i-1234567890abcdef0");
    assert_eq!(i.resource_type, "t3.nano");
    assert_eq!(i.availability_zone.as_deref(), Some("us-east-2a"));
    assert_eq!(i.region.as_deref(), Some("us-east-2"));
    assert_eq!(i.state, "running");
    assert_eq!(i.name.as_deref(), Some("my-instance"));
    assert_eq!(
        i.tags,
        BTreeMap::from([("Name".to_string(), "my-instance".to_string())])
    );
    // ISO string shape.
    assert_eq!(i.launched_at, Some(utc("2022-11-15T10:48:59Z")));
    assert_eq!(i.state_changed_at, None);
    assert_eq!(i.attached_to, vec!["vol-02e6ccdca7de29cf2".to_string()]);
    assert_eq!(i.engine.as_deref(), Some("Linux/UNIX"));
    assert_eq!(
        i.arn.as_deref(),
        Some("arn:aws:ec2:us-east-2:111111111111:instance/i-1234567890abcdef0")
    );
    assert_eq!((i.size_gib, i.iops, i.multi_az), (None, None, None));
}

#[test]
fn resize_recording_six_instances_in_five_reservations() {
    let text = std::fs::read_to_string(data(RESIZE)).unwrap();
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(raw["data"]["Reservations"].as_array().unwrap().len(), 5);

    let file = inventory(RESIZE);
    assert_eq!(file.account_id.as_deref(), Some("644160558196"));
    assert_eq!(file.region.as_deref(), Some("us-west-2"));
    let got: Vec<(&str, &str, &str)> = file
        .resources
        .iter()
        .map(|r| {
            (
                r.resource_id.as_str(),
                r.resource_type.as_str(),
                r.state.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("i-057d29d8349b3f25c", "m3.medium", "terminated"),
            ("i-0fd6bd23de18b49b0", "m4.4xlarge", "running"),
            ("i-049325e1e22630e7f", "m4.4xlarge", "stopped"),
            ("i-0336e7446f541800c", "m4.2xlarge", "terminated"),
            ("i-0860ad18bd798339e", "m4.2xlarge", "terminated"),
            ("i-0e2a65fcc30f05c39", "m4.2xlarge", "running"),
        ]
    );
    for r in &file.resources {
        assert_eq!(r.availability_zone.as_deref(), Some("us-west-2c"));
        assert!(r.tags.is_empty() && r.name.is_none());
        assert_eq!(r.account_id.as_deref(), Some("644160558196"));
    }
    let stopped = find(&file, "i-049325e1e22630e7f");
    // Recorded `{"__class__": "datetime"}` shape.
    assert_eq!(stopped.launched_at, Some(utc("2016-07-23T21:12:13Z")));
    assert_eq!(stopped.state_changed_at, Some(utc("2016-07-23T21:14:43Z")));
    assert_eq!(stopped.attached_to, vec!["vol-849af304".to_string()]);
    assert_eq!(
        stopped.arn.as_deref(),
        Some("arn:aws:ec2:us-west-2:644160558196:instance/i-049325e1e22630e7f")
    );
    let running = find(&file, "i-0fd6bd23de18b49b0");
    assert_eq!(running.state_changed_at, None);
    assert!(find(&file, "i-0336e7446f541800c").attached_to.is_empty());
}

#[test]
fn action_filter_recording_keeps_malformed_tag_values() {
    let file = inventory(ACTION_FILTER);
    assert_eq!(file.resources.len(), 12);
    assert_eq!(file.account_id.as_deref(), Some("644160558196"));
    assert_eq!(file.region.as_deref(), Some("us-east-1"));
    assert!(file.resources.iter().all(|r| r.resource_type == "t2.micro"));
    let count = |state: &str| file.resources.iter().filter(|r| r.state == state).count();
    assert_eq!((count("running"), count("terminated")), (4, 8));
    let zones: std::collections::BTreeSet<_> = file
        .resources
        .iter()
        .filter_map(|r| r.availability_zone.as_deref())
        .collect();
    assert_eq!(
        zones.into_iter().collect::<Vec<_>>(),
        vec!["us-east-1a", "us-east-1e", "us-east-1f"]
    );
    assert!(file.resources.iter().all(|r| !r.tags.is_empty()));
    assert!(file
        .resources
        .iter()
        .all(|r| r.launched_at.unwrap().date_naive().to_string() == "2022-07-31"));
    let first = find(&file, "i-0c293fd3707bf57cb");
    assert_eq!(
        first.tags.get("action_tag").map(String::as_str),
        Some("This EC2 instance has had less than 5 percent CPU utilization for over 5 days: stop@2022/33/03")
    );
    assert_eq!(first.state_changed_at, Some(utc("2022-07-31T08:32:37Z")));
    assert_eq!(first.engine.as_deref(), Some("Linux/UNIX"));
    // Running instances carry an empty StateTransitionReason.
    assert!(file
        .resources
        .iter()
        .filter(|r| r.state == "running")
        .all(|r| r.state_changed_at.is_none() && r.attached_to.len() == 1));
}

#[test]
fn metric_filter_instance() {
    let file = inventory(MULTI_EC2);
    assert_eq!(file.resources.len(), 1);
    let i = &file.resources[0];
    assert_eq!(i.resource_id, "i-0ea09b4cbf12b50f2");
    assert_eq!(i.resource_type, "t2.xlarge");
    assert_eq!(i.state, "stopped");
    assert_eq!(i.availability_zone.as_deref(), Some("us-east-1e"));
    assert_eq!(i.region.as_deref(), Some("us-east-1"));
    assert_eq!(i.launched_at, Some(utc("2023-02-15T08:54:04Z")));
    assert_eq!(i.state_changed_at, Some(utc("2023-02-15T12:54:32Z")));
    assert!(i.tags.is_empty());
}

#[test]
fn volumes_recording() {
    let file = inventory(VOLUMES);
    assert_eq!(file.kind, ResourceKind::EbsVolume);
    assert_eq!(file.resources.len(), 6);
    assert_eq!(
        file.resources
            .iter()
            .map(|v| v.size_gib.unwrap())
            .sum::<i64>(),
        256
    );
    // describe-volumes names no account.
    assert_eq!(file.account_id, None);
    assert_eq!(file.region.as_deref(), Some("us-west-2"));
    assert!(file
        .resources
        .iter()
        .all(|v| v.account_id.is_none() && v.arn.is_none()));

    let waste = find(&file, "vol-091e2a63a6e4da54d");
    assert_eq!(waste.state, "available");
    assert_eq!(waste.resource_type, "io1");
    assert_eq!(waste.storage_type.as_deref(), Some("io1"));
    assert_eq!(waste.size_gib, Some(64));
    assert_eq!(waste.iops, Some(1000));
    assert!(waste.attached_to.is_empty());
    assert_eq!(waste.name, None);
    assert_eq!(
        waste.launched_at,
        Some(utc("2017-07-11T10:00:51.299Z")),
        "microseconds are kept"
    );
    let attached: Vec<_> = file
        .resources
        .iter()
        .filter(|v| v.state == "in-use")
        .collect();
    assert_eq!(attached.len(), 5);
    let on = |instance: &str| {
        let mut v: Vec<(&str, i64)> = file
            .resources
            .iter()
            .filter(|v| v.attached_to == vec![instance.to_string()])
            .map(|v| (v.resource_type.as_str(), v.size_gib.unwrap()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(on("i-0333e31f9a05612af"), vec![("gp2", 8), ("gp2", 8)]);
    assert_eq!(
        on("i-0557d390667870549"),
        vec![("gp2", 32), ("io1", 16), ("standard", 128)]
    );
    assert_eq!(find(&file, "vol-0e4cba7adc4764f79").iops, Some(400));
    assert_eq!(find(&file, "vol-01c1876a915fa310e").iops, None);
    assert_eq!(
        find(&file, "vol-0e4cba7adc4764f79").name.as_deref(),
        Some("OnlineResizer")
    );
}

#[test]
fn volumes_take_the_account_from_the_option() {
    let file = read_inventory(&data(VOLUMES), Some("619193117841"), None).unwrap();
    assert_eq!(file.account_id.as_deref(), Some("619193117841"));
    let waste = find(&file, "vol-091e2a63a6e4da54d");
    assert_eq!(waste.account_id.as_deref(), Some("619193117841"));
    assert_eq!(
        waste.arn.as_deref(),
        Some("arn:aws:ec2:us-west-2:619193117841:volume/vol-091e2a63a6e4da54d")
    );
    // The region agrees with the zones: fine. Another region is an error naming the zone.
    assert!(read_inventory(&data(VOLUMES), None, Some("us-west-2")).is_ok());
    let (_, field, message) =
        invalid(read_inventory(&data(VOLUMES), None, Some("eu-west-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("Volumes[0].AvailabilityZone"));
    assert!(
        message.contains("us-west-2") && message.contains("eu-west-1"),
        "{message}"
    );
}

#[test]
fn volumes_and_instances_of_one_recording_agree() {
    let instances = inventory(MODIFYABLE_EC2);
    let volumes = inventory(VOLUMES);
    assert_eq!(instances.account_id.as_deref(), Some("619193117841"));
    let a = find(&instances, "i-0333e31f9a05612af");
    assert_eq!(
        (a.resource_type.as_str(), a.state.as_str()),
        ("m3.large", "running")
    );
    assert_eq!(a.name.as_deref(), Some("NotResizable"));
    assert_eq!(a.availability_zone.as_deref(), Some("us-west-2b"));
    assert_eq!(a.launched_at, Some(utc("2017-07-11T08:27:36Z")));
    assert_eq!(a.engine, None);
    let b = find(&instances, "i-0557d390667870549");
    assert_eq!(
        (b.resource_type.as_str(), b.state.as_str()),
        ("t2.medium", "running")
    );
    assert_eq!(b.name.as_deref(), Some("OnlineResizer"));
    for instance in &instances.resources {
        let mut from_volumes: Vec<&str> = volumes
            .resources
            .iter()
            .filter(|v| v.attached_to.contains(&instance.resource_id))
            .map(|v| v.resource_id.as_str())
            .collect();
        let mut from_instance: Vec<&str> =
            instance.attached_to.iter().map(String::as_str).collect();
        from_volumes.sort();
        from_instance.sort();
        assert_eq!(from_volumes, from_instance, "{}", instance.resource_id);
    }
}

#[test]
fn rds_retention_recording() {
    let file = inventory(RETENTION);
    assert_eq!(file.kind, ResourceKind::RdsInstance);
    assert_eq!(file.resources.len(), 5);
    assert_eq!(file.account_id.as_deref(), Some("644160558196"));
    // The ARNs say us-west-2; some zones were edited to us-east-1x. The ARN wins.
    assert_eq!(file.region.as_deref(), Some("us-west-2"));
    let ids: Vec<&str> = file
        .resources
        .iter()
        .map(|r| r.resource_id.as_str())
        .collect();
    assert_eq!(
        ids,
        vec![
            "oneness",
            "sbbdev",
            "qapipfitread",
            "sbbdevslave",
            "qpsoaread"
        ]
    );

    let oneness = find(&file, "oneness");
    assert_eq!(oneness.engine.as_deref(), Some("postgres"));
    assert_eq!(oneness.engine_version.as_deref(), Some("9.4.7"));
    assert_eq!(oneness.resource_type, "db.m3.medium");
    assert_eq!(oneness.size_gib, Some(5));
    assert_eq!(oneness.storage_type.as_deref(), Some("gp2"));
    assert_eq!(oneness.multi_az, Some(false));
    assert_eq!(oneness.state, "available");

    let sbbdev = find(&file, "sbbdev");
    assert_eq!(sbbdev.state, "failed");
    assert_eq!(sbbdev.engine.as_deref(), Some("mysql"));
    assert_eq!(sbbdev.multi_az, Some(true));
    assert_eq!(sbbdev.size_gib, Some(100));
    assert_eq!(sbbdev.storage_type.as_deref(), Some("io1"));
    assert_eq!(sbbdev.iops, Some(1000));
    assert_eq!(sbbdev.availability_zone.as_deref(), Some("us-east-1a"));
    assert_eq!(sbbdev.region.as_deref(), Some("us-west-2"));
    assert_eq!(sbbdev.account_id.as_deref(), Some("644160558196"));
    assert_eq!(
        sbbdev.arn.as_deref(),
        Some("arn:aws:rds:us-west-2:644160558196:db:sbbdev")
    );
    assert_eq!(sbbdev.launched_at, Some(utc("2016-04-27T16:04:30.589Z")));

    let qpsoaread = find(&file, "qpsoaread");
    assert_eq!(qpsoaread.resource_type, "db.m3.2xlarge");
    assert_eq!(
        (qpsoaread.size_gib, qpsoaread.storage_type.as_deref()),
        (Some(300), Some("io1"))
    );
    let years: std::collections::BTreeSet<i32> = file
        .resources
        .iter()
        .map(|r| chrono::Datelike::year(&r.launched_at.unwrap()))
        .collect();
    assert_eq!(years.into_iter().collect::<Vec<_>>(), vec![2015, 2016]);
}

#[test]
fn rds_parameter_group_recording() {
    let file = inventory(PARAMETER_GROUP);
    assert_eq!(file.resources.len(), 3);
    for r in &file.resources {
        assert_eq!(r.resource_type, "db.m6i.large");
        assert_eq!(r.engine.as_deref(), Some("mysql"));
        assert_eq!(r.engine_version.as_deref(), Some("8.0.28"));
        assert!(r.tags.is_empty());
        let created = r.launched_at.unwrap();
        assert_eq!(created.format("%Y-%m").to_string(), "2022-09");
    }
    let facts: Vec<_> = file
        .resources
        .iter()
        .map(|r| {
            (
                r.resource_id.as_str(),
                r.size_gib,
                r.storage_type.as_deref(),
                r.multi_az,
                r.state.as_str(),
            )
        })
        .collect();
    assert_eq!(
        facts,
        vec![
            (
                "mysql-compliance",
                Some(100),
                Some("io1"),
                Some(false),
                "available"
            ),
            (
                "mysql-non-compliance",
                Some(20),
                Some("gp2"),
                Some(false),
                "available"
            ),
            (
                "mysql-non-compliance02",
                Some(100),
                Some("io1"),
                Some(true),
                "modifying"
            ),
        ]
    );
}

#[test]
fn options_never_override_what_the_file_says() {
    let (_, field, message) =
        invalid(read_inventory(&data(RESIZE), Some("111111111111"), None).unwrap_err());
    assert_eq!(field.as_deref(), Some("Reservations[0].OwnerId"));
    assert!(message.contains("644160558196") && message.contains("111111111111"));

    let (_, field, _) =
        invalid(read_inventory(&data(RESIZE), None, Some("us-east-1")).unwrap_err());
    assert_eq!(
        field.as_deref(),
        Some("Reservations[0].Instances[0].Placement.AvailabilityZone")
    );

    let (_, field, _) =
        invalid(read_inventory(&data(RETENTION), None, Some("us-east-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("DBInstances[0].DBInstanceArn"));
    let (_, field, _) =
        invalid(read_inventory(&data(RETENTION), Some("000000000000"), None).unwrap_err());
    assert_eq!(field.as_deref(), Some("DBInstances[0].DBInstanceArn"));

    // Agreeing options are fine.
    let file = read_inventory(&data(RESIZE), Some("644160558196"), Some("us-west-2")).unwrap();
    assert_eq!(file.resources.len(), 6);
    let (_, field, _) = invalid(read_inventory(&data(RESIZE), Some(" "), None).unwrap_err());
    assert_eq!(field.as_deref(), Some("--account"));
}

#[test]
fn another_kind_of_file_is_named_as_such() {
    let err = read_inventory(&data(ORG_ACCOUNTS), None, None).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("ListAccounts_1.json"), "{text}");
    assert!(
        text.contains("not an EC2, EBS or RDS describe output") && text.contains("Accounts"),
        "{text}"
    );
    let text = read_utilization(&data(ORG_ACCOUNTS), Some("i-1"))
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("not CloudWatch output") && text.contains("Accounts"),
        "{text}"
    );
    // A utilisation file is no inventory, and the other way round.
    let text = read_inventory(&data(STATISTICS), None, None)
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("found keys") && text.contains("Datapoints"),
        "{text}"
    );
    let text = read_utilization(&data(RESIZE), Some("i-1"))
        .unwrap_err()
        .to_string();
    assert!(text.contains("Reservations"), "{text}");
    // A CSV of another kind.
    let cur = Temp::new(
        "cur.csv",
        "identity/LineItemId,lineItem/UnblendedCost\nx,1\n",
    );
    let (line, field, message) = invalid(read_utilization(&cur.0, None).unwrap_err());
    assert_eq!(line, Some(1));
    assert_eq!(field.as_deref(), Some("identity/LineItemId"));
    assert!(message.starts_with("not a utilisation CSV"), "{message}");
}

#[test]
fn bad_describe_content_names_the_json_path() {
    let mut doc = json!({"Reservations": [
        {"OwnerId": "123456789012", "Instances": [
            {"InstanceId": "i-1", "InstanceType": "t3.micro", "State": {"Code": 16, "Name": "running"},
             "Placement": {"AvailabilityZone": "eu-west-1a"}}
        ]},
        {"OwnerId": "123456789012", "Instances": [
            {"InstanceId": "i-2", "InstanceType": "t3.micro", "State": {"Code": 80},
             "Placement": {"AvailabilityZone": "eu-west-1b"}, "LaunchTime": "2024-01-01T00:00:00Z"}
        ]},
        {"OwnerId": "123456789012", "Instances": [
            {"InstanceId": "i-3", "State": {"Name": "running"}}
        ]}
    ]});
    let temp = Temp::new("bad-instances.json", &doc.to_string());
    let (_, field, message) = invalid(read_inventory(&temp.0, None, None).unwrap_err());
    assert_eq!(
        field.as_deref(),
        Some("Reservations[2].Instances[0].InstanceType")
    );
    assert_eq!(message, "missing");

    doc["Reservations"][2]["Instances"][0]["InstanceType"] = json!("t3.large");
    doc["Reservations"][2]["Instances"][0]["LaunchTime"] = json!("yesterday");
    let temp = Temp::new("bad-time.json", &doc.to_string());
    let err = read_inventory(&temp.0, None, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("bad-time.json: Reservations[2].Instances[0].LaunchTime: unreadable time"),
        "{err}"
    );

    doc["Reservations"][2]["Instances"][0]["LaunchTime"] = json!(1_704_067_200);
    doc["Reservations"][2]["Instances"][0]["InstanceId"] = json!("i-1");
    let temp = Temp::new("duplicate.json", &doc.to_string());
    let (_, field, message) = invalid(read_inventory(&temp.0, None, None).unwrap_err());
    assert_eq!(
        field.as_deref(),
        Some("Reservations[2].Instances[0].InstanceId")
    );
    assert!(
        message.contains("first at Reservations[0].Instances[0].InstanceId"),
        "{message}"
    );

    doc["Reservations"][2]["Instances"][0]["InstanceId"] = json!("i-3");
    let temp = Temp::new("good.json", &doc.to_string());
    let file = read_inventory(&temp.0, None, None).unwrap();
    assert_eq!(file.region.as_deref(), Some("eu-west-1"));
    // The state's name comes from its code when the name is missing; epoch seconds are read.
    assert_eq!(file.resources[1].state, "stopped");
    assert_eq!(
        file.resources[2].launched_at,
        Some(utc("2024-01-01T00:00:00Z"))
    );
    // No zone: the region option fills it in.
    assert_eq!(file.resources[2].region, None);
    let file = read_inventory(&temp.0, None, Some("eu-west-1")).unwrap();
    assert_eq!(file.resources[2].region.as_deref(), Some("eu-west-1"));
    assert_eq!(
        file.resources[2].arn.as_deref(),
        Some("arn:aws:ec2:eu-west-1:123456789012:instance/i-3")
    );

    let volumes = json!({"Volumes": [{"VolumeId": "snap-1", "VolumeType": "gp3", "Size": 8, "State": "available"}]});
    let temp = Temp::new("bad-volume.json", &volumes.to_string());
    let (_, field, _) = invalid(read_inventory(&temp.0, None, None).unwrap_err());
    assert_eq!(field.as_deref(), Some("Volumes[0].VolumeId"));
    let volumes = json!({"Volumes": [{"VolumeId": "vol-1", "VolumeType": "gp3", "Size": -8, "State": "available"}]});
    let temp = Temp::new("negative-volume.json", &volumes.to_string());
    let (_, field, _) = invalid(read_inventory(&temp.0, None, None).unwrap_err());
    assert_eq!(field.as_deref(), Some("Volumes[0].Size"));

    let dbs = json!({"DBInstances": [{"DBInstanceIdentifier": "db1", "DBInstanceClass": "db.t3.micro",
        "DBInstanceStatus": "available", "DBInstanceArn": "arn:aws:rds:eu-west-1:123456789012:db:other"}]});
    let temp = Temp::new("bad-db.json", &dbs.to_string());
    let (_, field, message) = invalid(read_inventory(&temp.0, None, None).unwrap_err());
    assert_eq!(field.as_deref(), Some("DBInstances[0].DBInstanceArn"));
    assert!(message.contains("db1"), "{message}");

    let temp = Temp::new("not-json.json", "{\"Reservations\": [\n");
    let (line, _, message) = invalid(read_inventory(&temp.0, None, None).unwrap_err());
    assert_eq!(line, Some(2));
    assert!(message.starts_with("not valid JSON"));

    let failed = json!({"status_code": 400, "data": {"Error": {"Code": "UnauthorizedOperation"}}});
    let temp = Temp::new("failed-call.json", &failed.to_string());
    let (_, field, _) = invalid(read_inventory(&temp.0, None, None).unwrap_err());
    assert_eq!(field.as_deref(), Some("status_code"));
}

#[test]
fn gzip_files_read() {
    use std::io::Write;
    let text = std::fs::read(data(CLI_INSTANCES)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&text).unwrap();
    let path = std::env::temp_dir().join(format!(
        "consoleai-inventory-parse-{}-instances.json.gz",
        std::process::id()
    ));
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let file = read_inventory(&path, None, None);
    let _ = std::fs::remove_file(&path);
    assert_eq!(file.unwrap().resources[0].resource_type, "t3.nano");
}

#[test]
fn aws_time_reads_the_three_shapes() {
    assert_eq!(
        aws_time(&json!("2022-11-15T10:48:59+00:00")),
        Some(utc("2022-11-15T10:48:59Z"))
    );
    assert_eq!(
        aws_time(&json!("2014-04-09T11:18:00Z")),
        Some(utc("2014-04-09T11:18:00Z"))
    );
    assert_eq!(
        aws_time(&json!("2024-09-26T12:00:00+02:00")),
        Some(utc("2024-09-26T10:00:00Z"))
    );
    assert_eq!(
        aws_time(&json!(1481835795.5)),
        Some(utc("2016-12-15T21:03:15.5Z"))
    );
    let recorded = json!({"__class__": "datetime", "year": 2017, "month": 7, "day": 11,
        "hour": 10, "minute": 0, "second": 51, "microsecond": 299000});
    assert_eq!(aws_time(&recorded), Some(utc("2017-07-11T10:00:51.299Z")));
    assert_eq!(
        aws_time(&json!({"__class__": "datetime", "year": 2017, "month": 13, "day": 1})),
        None
    );
    assert_eq!(aws_time(&json!("soon")), None);
    assert_eq!(aws_time(&json!(true)), None);
}

#[test]
fn zones_and_transition_reasons() {
    assert_eq!(region_of_zone("us-east-1a").as_deref(), Some("us-east-1"));
    assert_eq!(
        region_of_zone("us-gov-west-1b").as_deref(),
        Some("us-gov-west-1")
    );
    assert_eq!(
        region_of_zone("us-west-2-lax-1a").as_deref(),
        Some("us-west-2")
    );
    assert_eq!(
        region_of_zone("ap-southeast-2c").as_deref(),
        Some("ap-southeast-2")
    );
    assert_eq!(region_of_zone("use1-az1"), None);
    assert_eq!(
        transition_time("User initiated (2016-07-23 22:35:06 GMT)"),
        Some(utc("2016-07-23T22:35:06Z"))
    );
    assert_eq!(transition_time("User initiated"), None);
    assert_eq!(transition_time(""), None);
    assert_eq!(
        transition_time("Server.SpotInstanceTermination: Spot instance termination"),
        None
    );
}

#[test]
fn nearest_rank() {
    let values = |n: i64| (1..=n).map(Decimal::from).collect::<Vec<_>>();
    assert_eq!(nearest_rank_p95(&[]), None);
    assert_eq!(nearest_rank_p95(&values(1)), Some(dec("1")));
    assert_eq!(nearest_rank_p95(&values(3)), Some(dec("3")));
    assert_eq!(nearest_rank_p95(&values(19)), Some(dec("19")));
    assert_eq!(nearest_rank_p95(&values(20)), Some(dec("19")));
    assert_eq!(nearest_rank_p95(&values(100)), Some(dec("95")));
    assert_eq!(nearest_rank_p95(&values(101)), Some(dec("96")));
}

#[test]
fn statistics_example_unordered_maximum() {
    let records = read_utilization(&data(STATISTICS), Some("i-abc")).unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.resource_id, "i-abc");
    assert_eq!(r.metric, Metric::Cpu);
    assert_eq!(r.samples, 23);
    assert_eq!(r.max, dec("76.84"));
    // Only Maximum was requested: the 22nd of 23 sorted maxima.
    assert_eq!(r.p95, dec("52.08"));
    assert_eq!(r.window_start, utc("2014-04-08T23:18:00Z"));
    assert_eq!(r.window_end, utc("2014-04-09T21:18:00Z"));
}

#[test]
fn recorded_statistics_three_points() {
    let records = read_utilization(&data(THREE_POINTS), Some("i-0ea09b4cbf12b50f2")).unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.metric, Metric::Cpu);
    assert_eq!(r.samples, 3);
    assert_eq!(r.p95, dec("0.394728034997871"));
    assert_eq!(r.max, dec("0.394728034997871"));
    assert_eq!(r.window_start, utc("2023-07-10T20:03:00Z"));
    assert_eq!(r.window_end, utc("2023-07-12T20:03:00Z"));
}

#[test]
fn recorded_statistics_one_point() {
    let records = read_utilization(&data(ONE_POINT), Some("i-1")).unwrap();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(
        (r.p95, r.max),
        (dec("0.02857142857142857"), dec("0.02857142857142857"))
    );
    assert_eq!(r.window_start, utc("2016-06-21T20:59:00Z"));
    assert_eq!(r.window_end, r.window_start);
    assert_eq!(r.samples, 1);
}

#[test]
fn cloudwatch_output_needs_the_resource() {
    for file in [STATISTICS, METRIC_DATA, ONE_POINT, THREE_POINTS] {
        let (_, field, _) = invalid(read_utilization(&data(file), None).unwrap_err());
        assert_eq!(field.as_deref(), Some("--resource"), "{file}");
    }
}

#[test]
fn metric_data_example_is_a_billing_metric() {
    let (_, field, message) =
        invalid(read_utilization(&data(METRIC_DATA), Some("i-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("MetricDataResults[0].Label"));
    assert!(
        message.contains("'EstimatedCharges' is not a known metric"),
        "{message}"
    );
}

#[test]
fn metric_data_gives_one_record_per_result() {
    let doc = json!({"MetricDataResults": [
        {"Id": "m1", "Label": "CPUUtilization", "StatusCode": "Complete",
         "Timestamps": ["2024-09-26T12:00:00+00:00", "2024-09-26T11:00:00+00:00", "2024-09-26T13:00:00+00:00"],
         "Values": [12.5, 80, 3]},
        {"Id": "m2", "Label": "WriteIOPS", "Timestamps": ["2024-09-26T12:00:00Z"], "Values": [1500.25]},
        {"Id": "m3", "Label": "mem_used_percent", "Timestamps": [], "Values": []}
    ], "Messages": []});
    let temp = Temp::new("metric-data.json", &doc.to_string());
    let records = read_utilization(&temp.0, Some("db-1")).unwrap();
    assert_eq!(records.len(), 2, "an empty series gives no record");
    assert_eq!(records[0].metric, Metric::Cpu);
    assert_eq!((records[0].p95, records[0].max), (dec("80"), dec("80")));
    assert_eq!(records[0].window_start, utc("2024-09-26T11:00:00Z"));
    assert_eq!(records[0].window_end, utc("2024-09-26T13:00:00Z"));
    assert_eq!(records[0].samples, 3);
    assert_eq!(records[1].metric, Metric::WriteOps);
    assert_eq!(records[1].p95, dec("1500.25"));

    let bad = json!({"MetricDataResults": [
        {"Id": "m1", "Label": "CPUUtilization", "Timestamps": ["2024-09-26T12:00:00Z", "2024-09-26T13:00:00Z"], "Values": [12.5, 101]}
    ]});
    let temp = Temp::new("metric-data-bad.json", &bad.to_string());
    let (_, field, message) = invalid(read_utilization(&temp.0, Some("i-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("MetricDataResults[0].Values[1]"));
    assert!(message.contains("not a percentage"), "{message}");

    let uneven = json!({"MetricDataResults": [
        {"Id": "m1", "Label": "CPUUtilization", "Timestamps": ["2024-09-26T12:00:00Z"], "Values": [1, 2]}
    ]});
    let temp = Temp::new("metric-data-uneven.json", &uneven.to_string());
    let (_, field, _) = invalid(read_utilization(&temp.0, Some("i-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("MetricDataResults[0].Values"));
}

#[test]
fn statistics_prefer_the_p95_statistic_and_convert_counts() {
    let doc = json!({"Label": "MemoryUtilization", "Datapoints": [
        {"Timestamp": "2024-01-01T00:00:00Z", "Average": 40, "Maximum": 90, "ExtendedStatistics": {"p95": 70}, "Unit": "Percent"},
        {"Timestamp": "2024-01-01T01:00:00Z", "Average": 30, "Maximum": 60, "ExtendedStatistics": {"p95": 50}, "Unit": "Percent"}
    ]});
    let temp = Temp::new("p95.json", &doc.to_string());
    let r = &read_utilization(&temp.0, Some("i-1")).unwrap()[0];
    assert_eq!(
        (r.metric, r.p95, r.max),
        (Metric::Memory, dec("70"), dec("90"))
    );

    // EBS ops are counts per period: Sum / period seconds.
    let doc = json!({"status_code": 200, "data": {"Label": "VolumeReadOps", "Datapoints": [
        {"Timestamp": "2024-01-01T00:05:00Z", "Sum": 600, "Unit": "Count"},
        {"Timestamp": "2024-01-01T00:00:00Z", "Sum": 3000, "Unit": "Count"},
        {"Timestamp": "2024-01-01T00:10:00Z", "Sum": 300, "Unit": "Count"}
    ]}});
    let temp = Temp::new("ops.json", &doc.to_string());
    let r = &read_utilization(&temp.0, Some("vol-1")).unwrap()[0];
    assert_eq!(
        (r.metric, r.p95, r.max, r.samples),
        (Metric::ReadOps, dec("10"), dec("10"), 3)
    );
    let doc = json!({"Label": "VolumeReadOps", "Datapoints": [
        {"Timestamp": "2024-01-01T00:05:00Z", "Average": 600, "Unit": "Count"}
    ]});
    let temp = Temp::new("ops-average.json", &doc.to_string());
    let (_, field, message) = invalid(read_utilization(&temp.0, Some("vol-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("Datapoints[0].Sum"));
    assert!(message.contains("Sum statistic"), "{message}");

    let doc = json!({"Label": "CPUUtilization", "Datapoints": [
        {"Timestamp": "2024-01-01T00:00:00Z", "Average": 40, "Unit": "Percent"},
        {"Timestamp": {"__class__": "datetime", "year": 2024, "month": 1, "day": 1}, "Maximum": -1, "Unit": "Percent"}
    ]});
    let temp = Temp::new("negative.json", &doc.to_string());
    let (_, field, message) = invalid(read_utilization(&temp.0, Some("i-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("Datapoints[1].Maximum"));
    assert!(message.contains("negative"), "{message}");

    let doc = json!({"Label": "NetworkIn", "Datapoints": []});
    let temp = Temp::new("unknown-label.json", &doc.to_string());
    let (_, field, message) = invalid(read_utilization(&temp.0, Some("i-1")).unwrap_err());
    assert_eq!(field.as_deref(), Some("Label"));
    assert!(message.contains("NetworkIn"), "{message}");

    let doc = json!({"Label": "CPUUtilization", "Datapoints": []});
    let temp = Temp::new("no-points.json", &doc.to_string());
    assert!(read_utilization(&temp.0, Some("i-1")).unwrap().is_empty());
}

#[test]
fn utilisation_csv() {
    let temp = Temp::new(
        "utilisation.csv",
        "\u{feff}Resource_ID,metric,p95,max,window_start,window_end,samples\n\
         i-0ea09b4cbf12b50f2,CPU,0.39,0.40,2023-07-10,2023-07-12T20:03:00Z,3\n\
         vol-091e2a63a6e4da54d,read_ops,0,1.5e1,2017-07-01 00:00:00,2017-07-31 23:00:00,\n\
         db-1,Write_Ops,12,12,2024-01-01T00:00:00+01:00,2024-01-02,720\n",
    );
    let records = read_utilization(&temp.0, None).unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(
        records[0],
        UtilizationRecord {
            resource_id: "i-0ea09b4cbf12b50f2".into(),
            metric: Metric::Cpu,
            p95: dec("0.39"),
            max: dec("0.40"),
            window_start: utc("2023-07-10T00:00:00Z"),
            window_end: utc("2023-07-12T20:03:00Z"),
            samples: 3,
        }
    );
    assert_eq!(
        (records[1].metric, records[1].max, records[1].samples),
        (Metric::ReadOps, dec("15"), 0)
    );
    assert_eq!(records[2].metric, Metric::WriteOps);
    assert_eq!(records[2].window_start, utc("2023-12-31T23:00:00Z"));

    // Without the optional column.
    let temp = Temp::new(
        "no-samples.csv",
        "metric,resource_id,p95,max,window_start,window_end\nmemory,i-1,50,60,2024-01-01,2024-01-31\n",
    );
    let records = read_utilization(&temp.0, Some("i-1")).unwrap();
    assert_eq!((records[0].metric, records[0].samples), (Metric::Memory, 0));
    let (line, field, _) = invalid(read_utilization(&temp.0, Some("i-2")).unwrap_err());
    assert_eq!((line, field.as_deref()), (Some(2), Some("resource_id")));
}

#[test]
fn utilisation_csv_errors_name_line_and_column() {
    let header = "resource_id,metric,p95,max,window_start,window_end,samples\n";
    let good = "i-1,cpu,10,20,2024-01-01,2024-01-31,100\n";
    let cases = [
        (
            "i-2,cpu,95,130,2024-01-01,2024-01-31,100\n",
            "max",
            "130 is not a percentage",
        ),
        (
            "i-2,memory,-1,20,2024-01-01,2024-01-31,100\n",
            "p95",
            "negative",
        ),
        (
            "i-2,read_ops,-1,20,2024-01-01,2024-01-31,100\n",
            "p95",
            "negative",
        ),
        (
            "i-2,cpu,30,20,2024-01-01,2024-01-31,100\n",
            "p95",
            "above max",
        ),
        (
            "i-2,cpu,10,20,2024-02-01,2024-01-31,100\n",
            "window_end",
            "before window_start",
        ),
        (
            "i-2,disk,10,20,2024-01-01,2024-01-31,100\n",
            "metric",
            "'disk' is not",
        ),
        (
            "i-2,cpu,ten,20,2024-01-01,2024-01-31,100\n",
            "p95",
            "'ten' is not a number",
        ),
        (
            "i-2,cpu,10,20,January,2024-01-31,100\n",
            "window_start",
            "not a date",
        ),
        (
            "i-2,cpu,10,20,2024-01-01,2024-01-31,-5\n",
            "samples",
            "not a count",
        ),
        (
            ",cpu,10,20,2024-01-01,2024-01-31,100\n",
            "resource_id",
            "is empty",
        ),
        (
            "i-1,CPU,10,20,2024-01-01,2024-01-31,7\n",
            "window_start",
            "already on line 2",
        ),
    ];
    for (i, (row, column, expected)) in cases.into_iter().enumerate() {
        let temp = Temp::new(&format!("bad-{i}.csv"), &format!("{header}{good}{row}"));
        let err = read_utilization(&temp.0, None).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("{}:3: {column}: ", temp.0.display())),
            "{row}: {text}"
        );
        assert!(text.contains(expected), "{row}: {text}");
    }

    let temp = Temp::new("short-row.csv", &format!("{header}{good}i-2,cpu,10\n"));
    let (line, _, message) = invalid(read_utilization(&temp.0, None).unwrap_err());
    assert_eq!(line, Some(3));
    assert!(message.starts_with("not readable as CSV"), "{message}");

    let temp = Temp::new(
        "missing-column.csv",
        "resource_id,metric,p95,max,window_start\n",
    );
    let (line, field, message) = invalid(read_utilization(&temp.0, None).unwrap_err());
    assert_eq!(
        (line, field.as_deref(), message.as_str()),
        (Some(1), Some("window_end"), "missing column")
    );

    let temp = Temp::new(
        "extra-column.csv",
        "resource_id,metric,p95,max,window_start,window_end,sample\n",
    );
    let (_, field, message) = invalid(read_utilization(&temp.0, None).unwrap_err());
    assert_eq!(field.as_deref(), Some("sample"));
    assert!(message.starts_with("unexpected column"), "{message}");

    let temp = Temp::new("header-only.csv", header);
    assert!(read_utilization(&temp.0, None).unwrap().is_empty());
}
