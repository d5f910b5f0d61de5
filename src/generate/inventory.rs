//! Writes the AWS inventory of the planned EC2 instances, EBS volumes and RDS
//! instances, and their utilisation.
//!
//! Per account and region holding any of them, three files in the shape the
//! AWS CLI prints: `inventory/<account>-<region>-ec2.json`
//! (`aws ec2 describe-instances`), `…-ebs.json` (`aws ec2 describe-volumes`)
//! and `…-rds.json` (`aws rds describe-db-instances`). A kind the account does
//! not run in that region gives an empty list, as the CLI prints it. Ids,
//! types, zones and regions are the ones the FOCUS lines of the same
//! resources carry. Files are built in memory one account at a time.
//!
//! `utilization.csv` holds CPU and memory of every running EC2 instance and
//! CPU of every RDS instance (by `DBInstanceIdentifier`) over the 14 days
//! ending at `end_date`, hourly samples summarised as p95 and max.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;

use super::catalog::{RDS_ENGINE_VERSION, REGIONS};
use super::org::{Tag, HEX, UPPER_ALNUM};
use super::plan::{splitmix64, Database, Detail, Instance, Plan, Resource, Volume};

/// Subdirectory of the output directory holding the describe outputs.
pub(super) const INVENTORY_DIR: &str = "inventory";
/// Days of utilisation summarised in `utilization.csv`.
pub(super) const WINDOW_DAYS: i64 = 14;
/// Hourly samples in the window.
pub(super) const WINDOW_SAMPLES: i64 = WINDOW_DAYS * 24;
/// Header of `utilization.csv`.
pub(super) const UTILIZATION_HEADER: [&str; 7] = [
    "resource_id",
    "metric",
    "p95",
    "max",
    "window_start",
    "window_end",
    "samples",
];

/// The describe output kinds, in the order their files are listed.
const KINDS: [&str; 3] = ["ec2", "ebs", "rds"];

/// `2026-06-01T10:00:00+00:00`, as the AWS CLI prints times.
fn aws_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// Stable pseudo-random text for ids that are not billed (reservation,
/// image, DBI resource id), derived from the resource so it costs no draws.
fn derived(key: u64, salt: u64, alphabet: &[u8], len: usize) -> String {
    let mut state = key ^ splitmix64(salt);
    (0..len)
        .map(|_| {
            state = splitmix64(state);
            alphabet[(state % alphabet.len() as u64) as usize] as char
        })
        .collect()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.to_string(),
        value: value.to_string(),
    }
}

/// The `Name` tag (when given) followed by the resource's cost allocation
/// tags, the ones its FOCUS lines carry.
fn tags(name: Option<&str>, resource: &Resource) -> Vec<Tag> {
    let cost_tags = match resource.tags.as_str() {
        "NULL" => serde_json::Map::new(),
        json => serde_json::from_str(json).unwrap_or_default(),
    };
    name.map(|n| tag("Name", n))
        .into_iter()
        .chain(
            cost_tags
                .iter()
                .map(|(k, v)| tag(k, v.as_str().unwrap_or_default())),
        )
        .collect()
}

// ---- aws ec2 describe-instances -------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeInstances {
    reservations: Vec<Reservation>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Reservation {
    groups: [(); 0],
    instances: Vec<Ec2Instance>,
    owner_id: String,
    reservation_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Ec2Instance {
    ami_launch_index: u32,
    image_id: String,
    instance_id: String,
    instance_type: &'static str,
    launch_time: String,
    placement: Placement,
    private_ip_address: String,
    state: State,
    state_transition_reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<StateReason>,
    architecture: &'static str,
    block_device_mappings: Vec<BlockDeviceMapping>,
    root_device_name: &'static str,
    root_device_type: &'static str,
    tags: Vec<Tag>,
    platform_details: &'static str,
    usage_operation: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Placement {
    availability_zone: String,
    group_name: &'static str,
    tenancy: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct State {
    code: u32,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StateReason {
    code: &'static str,
    message: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BlockDeviceMapping {
    device_name: String,
    ebs: EbsMapping,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EbsMapping {
    attach_time: String,
    delete_on_termination: bool,
    status: &'static str,
    volume_id: String,
}

fn ec2_instance(plan: &Plan, resource: &Resource, instance: &Instance) -> Ec2Instance {
    let key = resource.noise_key;
    let ip = splitmix64(key ^ 0x1b);
    let (state, reason, state_reason) = match instance.stopped {
        Some(at) => (
            State {
                code: 80,
                name: "stopped",
            },
            format!("User initiated ({} GMT)", at.format("%Y-%m-%d %H:%M:%S")),
            Some(StateReason {
                code: "Client.UserInitiatedShutdown",
                message: "Client.UserInitiatedShutdown: User initiated shutdown",
            }),
        ),
        None => (
            State {
                code: 16,
                name: "running",
            },
            String::new(),
            None,
        ),
    };
    let block_device_mappings = instance
        .volumes
        .iter()
        .filter_map(|&v| {
            let volume = &plan.resources[v];
            let Detail::Volume(Volume {
                attachment: Some(a),
                ..
            }) = &volume.detail
            else {
                return None;
            };
            Some(BlockDeviceMapping {
                device_name: a.device.clone(),
                ebs: EbsMapping {
                    attach_time: aws_time(a.at),
                    delete_on_termination: a.delete_on_termination,
                    status: "attached",
                    volume_id: volume.id.clone(),
                },
            })
        })
        .collect();
    Ec2Instance {
        ami_launch_index: 0,
        image_id: format!("ami-0{}", derived(key, 2, HEX, 16)),
        instance_id: resource.id.clone(),
        instance_type: instance.instance_type,
        launch_time: aws_time(instance.launched),
        placement: Placement {
            availability_zone: resource.az.clone(),
            group_name: "",
            tenancy: "default",
        },
        private_ip_address: format!(
            "10.{}.{}.{}",
            ip & 0xff,
            (ip >> 8) & 0xff,
            ((ip >> 16) % 250) + 4
        ),
        state,
        state_transition_reason: reason,
        state_reason,
        architecture: "x86_64",
        block_device_mappings,
        root_device_name: "/dev/xvda",
        root_device_type: "ebs",
        tags: tags(Some(&resource.name), resource),
        platform_details: "Linux/UNIX",
        usage_operation: "RunInstances",
    }
}

// ---- aws ec2 describe-volumes ---------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeVolumes {
    volumes: Vec<EbsVolume>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EbsVolume {
    attachments: Vec<VolumeAttachment>,
    availability_zone: String,
    create_time: String,
    encrypted: bool,
    size: i64,
    snapshot_id: &'static str,
    state: &'static str,
    volume_id: String,
    iops: i64,
    tags: Vec<Tag>,
    volume_type: &'static str,
    multi_attach_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    throughput: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct VolumeAttachment {
    attach_time: String,
    device: String,
    instance_id: String,
    state: &'static str,
    volume_id: String,
    delete_on_termination: bool,
}

fn ebs_volume(plan: &Plan, resource: &Resource, volume: &Volume) -> EbsVolume {
    let attachments: Vec<VolumeAttachment> = volume
        .attachment
        .iter()
        .map(|a| VolumeAttachment {
            attach_time: aws_time(a.at),
            device: a.device.clone(),
            instance_id: plan.resources[a.instance].id.clone(),
            state: "attached",
            volume_id: resource.id.clone(),
            delete_on_termination: a.delete_on_termination,
        })
        .collect();
    EbsVolume {
        state: if attachments.is_empty() {
            "available"
        } else {
            "in-use"
        },
        attachments,
        availability_zone: resource.az.clone(),
        create_time: aws_time(volume.created),
        encrypted: !resource.noise_key.is_multiple_of(3),
        size: volume.size_gib,
        snapshot_id: "",
        volume_id: resource.id.clone(),
        iops: volume.iops,
        tags: tags(Some(&resource.name), resource),
        volume_type: volume.volume_type,
        multi_attach_enabled: false,
        throughput: (volume.volume_type == "gp3").then_some(125),
    }
}

// ---- aws rds describe-db-instances ----------------------------------------

#[derive(Serialize)]
struct DescribeDbInstances {
    #[serde(rename = "DBInstances")]
    db_instances: Vec<DbInstance>,
}

#[derive(Serialize)]
struct DbInstance {
    #[serde(rename = "DBInstanceIdentifier")]
    identifier: String,
    #[serde(rename = "DBInstanceClass")]
    class: &'static str,
    #[serde(rename = "Engine")]
    engine: &'static str,
    #[serde(rename = "DBInstanceStatus")]
    status: &'static str,
    #[serde(rename = "MasterUsername")]
    master_username: &'static str,
    #[serde(rename = "AllocatedStorage")]
    allocated_storage: i64,
    #[serde(rename = "InstanceCreateTime")]
    create_time: String,
    #[serde(rename = "AvailabilityZone")]
    availability_zone: String,
    #[serde(rename = "MultiAZ")]
    multi_az: bool,
    #[serde(rename = "EngineVersion")]
    engine_version: &'static str,
    #[serde(rename = "StorageType")]
    storage_type: &'static str,
    #[serde(rename = "StorageEncrypted")]
    storage_encrypted: bool,
    #[serde(rename = "DbiResourceId")]
    dbi_resource_id: String,
    #[serde(rename = "DBInstanceArn")]
    arn: String,
    #[serde(rename = "TagList")]
    tag_list: Vec<Tag>,
}

fn db_instance(resource: &Resource, db: &Database) -> DbInstance {
    DbInstance {
        identifier: db.identifier.clone(),
        class: db.class,
        engine: "postgres",
        status: "available",
        master_username: "postgres",
        allocated_storage: db.storage_gib,
        create_time: aws_time(db.created),
        availability_zone: resource.az.clone(),
        multi_az: false,
        engine_version: RDS_ENGINE_VERSION,
        storage_type: "gp3",
        storage_encrypted: true,
        dbi_resource_id: format!("db-{}", derived(resource.noise_key, 3, UPPER_ALNUM, 26)),
        arn: resource.id.clone(),
        tag_list: tags(None, resource),
    }
}

// ---- files -----------------------------------------------------------------

/// Pretty-printed with four-space indents, as the AWS CLI prints JSON.
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .with_context(|| format!("writing {}", path.display()))?;
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .with_context(|| format!("writing {}", path.display()))
}

/// Path of one describe output.
pub(super) fn inventory_path(dir: &Path, account: &str, region: &str, kind: &str) -> PathBuf {
    dir.join(format!("{account}-{region}-{kind}.json"))
}

/// Writes the describe outputs of every account and region with inventoried
/// resources into `out_dir/inventory`; returns their paths (by account, then
/// region, then ec2, ebs, rds).
pub(super) fn write_inventory(plan: &Plan, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let dir = out_dir.join(INVENTORY_DIR);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut paths = Vec::new();
    for (account_index, range) in plan.account_resources.iter().enumerate() {
        let account = &plan.org.file.accounts[account_index].id;
        for (region_index, region) in REGIONS.iter().enumerate() {
            let mut reservations = Vec::new();
            let mut volumes = Vec::new();
            let mut databases = Vec::new();
            for resource in plan.resources[range.clone()]
                .iter()
                .filter(|r| r.region == region_index)
            {
                match &resource.detail {
                    Detail::Metered => {}
                    Detail::Instance(instance) => reservations.push(Reservation {
                        groups: [],
                        instances: vec![ec2_instance(plan, resource, instance)],
                        owner_id: account.clone(),
                        reservation_id: format!("r-0{}", derived(resource.noise_key, 1, HEX, 16)),
                    }),
                    Detail::Volume(volume) => volumes.push(ebs_volume(plan, resource, volume)),
                    Detail::Database(db) => databases.push(db_instance(resource, db)),
                }
            }
            if reservations.is_empty() && volumes.is_empty() && databases.is_empty() {
                continue;
            }
            let [ec2, ebs, rds] = KINDS.map(|k| inventory_path(&dir, account, region.id, k));
            write_json(&ec2, &DescribeInstances { reservations })?;
            write_json(&ebs, &DescribeVolumes { volumes })?;
            write_json(
                &rds,
                &DescribeDbInstances {
                    db_instances: databases,
                },
            )?;
            paths.extend([ec2, ebs, rds]);
        }
    }
    Ok(paths)
}

/// The utilisation window: the `WINDOW_DAYS` days ending with `end_date`.
pub(super) fn window(end_date: NaiveDate) -> (NaiveDateTime, NaiveDateTime) {
    let end = (end_date + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    (end - Duration::days(WINDOW_DAYS), end)
}

/// Writes `utilization.csv`: cpu and memory of every running EC2 instance,
/// cpu of every RDS instance, in plan order.
pub(super) fn write_utilization(plan: &Plan, out_dir: &Path) -> Result<PathBuf> {
    let path = out_dir.join("utilization.csv");
    let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = csv::Writer::from_writer(BufWriter::new(file));
    let context = || format!("writing {}", path.display());
    out.write_record(UTILIZATION_HEADER).with_context(context)?;
    let (start, end) = window(plan.end_date);
    let (start, end) = (
        start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        end.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    let samples = WINDOW_SAMPLES.to_string();
    let mut write = |id: &str, metric: &str, (p95, max): (Decimal, Decimal)| {
        out.write_record([
            id,
            metric,
            &p95.normalize().to_string(),
            &max.normalize().to_string(),
            &start,
            &end,
            &samples,
        ])
        .with_context(context)
    };
    for resource in &plan.resources {
        match &resource.detail {
            Detail::Instance(Instance {
                load: Some(load), ..
            }) => {
                write(&resource.id, "cpu", load.cpu)?;
                write(&resource.id, "memory", load.memory)?;
            }
            Detail::Database(db) => write(&db.identifier, "cpu", db.load.cpu)?,
            _ => {}
        }
    }
    out.flush().with_context(context)?;
    Ok(path)
}
