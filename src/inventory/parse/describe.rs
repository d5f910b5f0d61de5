//! `aws ec2 describe-instances`, `aws ec2 describe-volumes` and `aws rds describe-db-instances`.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    aws_time, keys, parse_json, parse_time_text, read_text, InventoryFile, ResourceKind,
    ResourceRecord,
};
use crate::ingest::ImportError;

/// The top-level key of each describe output.
const OUTPUTS: [(&str, ResourceKind); 3] = [
    ("Reservations", ResourceKind::Ec2Instance),
    ("Volumes", ResourceKind::EbsVolume),
    ("DBInstances", ResourceKind::RdsInstance),
];

/// Detects which describe output a file is (describe-instances → `Reservations`,
/// describe-volumes → `Volumes`, describe-db-instances → `DBInstances`; recorded responses are
/// unwrapped) and reads it.
///
/// `account` and `region` fill in what the output does not carry: describe-volumes names no
/// account, and a resource without an availability zone or ARN has no region. They never
/// override what the output carries; when both are present and differ, the error names the field.
/// The region comes from the RDS ARN, else from the availability zone.
pub fn read_inventory(
    path: &Path,
    account: Option<&str>,
    region: Option<&str>,
) -> Result<InventoryFile, ImportError> {
    let account = option(path, "--account", account)?;
    let region = option(path, "--region", region)?;
    let text = read_text(path)?;
    let root = parse_json(path, &text)?;
    let found: Vec<(&str, ResourceKind)> = OUTPUTS
        .iter()
        .copied()
        .filter(|(key, _)| root.get(key).is_some())
        .collect();
    let (key, kind) = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(ImportError::invalid(
                path,
                None,
                None,
                format!(
                    "not an EC2, EBS or RDS describe output: expected Reservations \
                     (ec2 describe-instances), Volumes (ec2 describe-volumes) or DBInstances \
                     (rds describe-db-instances), found keys: {}",
                    keys(&root)
                ),
            ))
        }
        several => {
            return Err(ImportError::invalid(
                path,
                None,
                None,
                format!(
                    "holds several describe outputs ({}); give one per file",
                    several
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
        }
    };
    let reader = Reader {
        path,
        account,
        region,
    };
    let mut resources = Vec::new();
    let mut seen = HashMap::new();
    for (i, item) in reader.list(&root, "", key)?.iter().enumerate() {
        let at = format!("{key}[{i}]");
        match kind {
            ResourceKind::Ec2Instance => {
                reader.reservation(item, &at, &mut resources, &mut seen)?;
            }
            ResourceKind::EbsVolume => {
                let record = reader.volume(item, &at)?;
                reader.unique(&mut seen, &record, format!("{at}.VolumeId"))?;
                resources.push(record);
            }
            ResourceKind::RdsInstance => {
                let record = reader.db_instance(item, &at)?;
                reader.unique(&mut seen, &record, format!("{at}.DBInstanceIdentifier"))?;
                resources.push(record);
            }
        }
    }
    Ok(InventoryFile {
        kind,
        account_id: common(account, resources.iter().map(|r| &r.account_id)),
        region: common(region, resources.iter().map(|r| &r.region)),
        resources,
    })
}

/// An option's value, trimmed; empty or with spaces inside is an error.
fn option<'a>(
    path: &Path,
    name: &str,
    value: Option<&'a str>,
) -> Result<Option<&'a str>, ImportError> {
    match value.map(str::trim) {
        None => Ok(None),
        Some(v) if v.is_empty() || v.chars().any(char::is_whitespace) => Err(ImportError::invalid(
            path,
            None,
            Some(name),
            format!("'{v}' is not usable"),
        )),
        Some(v) => Ok(Some(v)),
    }
}

/// The option, else the one value every resource that has one shares.
fn common<'a>(
    option: Option<&str>,
    values: impl Iterator<Item = &'a Option<String>>,
) -> Option<String> {
    if let Some(o) = option {
        return Some(o.to_string());
    }
    let distinct: BTreeSet<&String> = values.flatten().collect();
    match distinct.len() {
        1 => distinct.into_iter().next().cloned(),
        _ => None,
    }
}

/// The region of an availability zone: `us-east-1a` → `us-east-1`, `us-gov-west-1b` →
/// `us-gov-west-1`, Local and Wavelength Zones (`us-west-2-lax-1a`) → their parent region.
/// Zone ids (`use1-az1`) name no region.
pub(crate) fn region_of_zone(zone: &str) -> Option<String> {
    let parts: Vec<&str> = zone.split('-').collect();
    let at = parts
        .iter()
        .position(|p| p.starts_with(|c: char| c.is_ascii_digit()))?;
    if at < 2 {
        return None;
    }
    let number: String = parts[at].chars().take_while(char::is_ascii_digit).collect();
    Some(format!("{}-{number}", parts[..at].join("-")))
}

/// The ARN partition of a region.
fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

fn arn(
    service: &str,
    region: Option<&str>,
    account: Option<&str>,
    resource: &str,
) -> Option<String> {
    let (region, account) = (region?, account?);
    Some(format!(
        "arn:{}:{service}:{region}:{account}:{resource}",
        partition(region)
    ))
}

/// The time in an EC2 `StateTransitionReason`: "User initiated (2016-07-23 22:35:06 GMT)".
pub(crate) fn transition_time(reason: &str) -> Option<DateTime<Utc>> {
    let open = reason.rfind('(')?;
    let close = open + reason[open..].find(')')?;
    parse_time_text(&reason[open + 1..close])
}

/// The EC2 state names by code (the low byte of `State.Code`).
fn ec2_state_name(code: i64) -> Option<&'static str> {
    Some(match code & 0xff {
        0 => "pending",
        16 => "running",
        32 => "shutting-down",
        48 => "terminated",
        64 => "stopping",
        80 => "stopped",
        _ => return None,
    })
}

fn path(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

struct Reader<'a> {
    path: &'a Path,
    account: Option<&'a str>,
    region: Option<&'a str>,
}

impl Reader<'_> {
    fn error(&self, field: &str, message: impl Into<String>) -> ImportError {
        ImportError::invalid(self.path, None, Some(field), message)
    }

    fn list<'v>(&self, item: &'v Value, at: &str, key: &str) -> Result<&'v [Value], ImportError> {
        match item.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.error(&path(at, key), "expected a list")),
        }
    }

    fn object<'v>(&self, item: &'v Value, at: &str) -> Result<&'v Value, ImportError> {
        if item.is_object() {
            Ok(item)
        } else {
            Err(self.error(at, "expected an object"))
        }
    }

    /// A text field, trimmed; absent, null or empty is None.
    fn text(&self, item: &Value, at: &str, key: &str) -> Result<Option<String>, ImportError> {
        match item.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                let s = s.trim();
                Ok((!s.is_empty()).then(|| s.to_string()))
            }
            Some(other) => Err(self.error(&path(at, key), format!("expected text, found {other}"))),
        }
    }

    fn required(&self, item: &Value, at: &str, key: &str) -> Result<String, ImportError> {
        self.text(item, at, key)?
            .ok_or_else(|| self.error(&path(at, key), "missing"))
    }

    /// An id with its expected prefix (`i-`, `vol-`).
    fn id(&self, item: &Value, at: &str, key: &str, prefix: &str) -> Result<String, ImportError> {
        let id = self.required(item, at, key)?;
        if !id.starts_with(prefix) || id.chars().any(char::is_whitespace) {
            return Err(self.error(&path(at, key), format!("'{id}' is not a {prefix}… id")));
        }
        Ok(id)
    }

    /// A whole number, not negative.
    fn count(&self, item: &Value, at: &str, key: &str) -> Result<Option<i64>, ImportError> {
        match item.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if n >= 0 => Ok(Some(n)),
                _ => Err(self.error(
                    &path(at, key),
                    format!("{v} is not a whole number of at least 0"),
                )),
            },
        }
    }

    fn flag(&self, item: &Value, at: &str, key: &str) -> Result<Option<bool>, ImportError> {
        match item.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.error(&path(at, key), format!("{v} is not true or false"))),
        }
    }

    fn time(
        &self,
        item: &Value,
        at: &str,
        key: &str,
    ) -> Result<Option<DateTime<Utc>>, ImportError> {
        match item.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => aws_time(v)
                .map(Some)
                .ok_or_else(|| self.error(&path(at, key), format!("unreadable time {v}"))),
        }
    }

    /// `[{"Key": …, "Value": …}]` as a map; a missing value is empty.
    fn tags(
        &self,
        item: &Value,
        at: &str,
        key: &str,
    ) -> Result<BTreeMap<String, String>, ImportError> {
        let mut tags = BTreeMap::new();
        for (i, tag) in self.list(item, at, key)?.iter().enumerate() {
            let at = format!("{}[{i}]", path(at, key));
            self.object(tag, &at)?;
            let name = match tag.get("Key") {
                Some(Value::String(k)) if !k.is_empty() => k.clone(),
                _ => return Err(self.error(&format!("{at}.Key"), "missing")),
            };
            let value = match tag.get("Value") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(v)) => v.clone(),
                Some(v) => {
                    return Err(
                        self.error(&format!("{at}.Value"), format!("expected text, found {v}"))
                    )
                }
            };
            if tags.insert(name.clone(), value).is_some() {
                return Err(
                    self.error(&format!("{at}.Key"), format!("tag '{name}' is given twice"))
                );
            }
        }
        Ok(tags)
    }

    /// The account the output carries, checked against the option, else the option.
    fn account(&self, carried: Option<String>, field: &str) -> Result<Option<String>, ImportError> {
        match (carried, self.account) {
            (Some(c), Some(o)) if c != o => Err(self.error(
                field,
                format!("the file says account {c}, but the account given is {o}"),
            )),
            (Some(c), _) => Ok(Some(c)),
            (None, o) => Ok(o.map(str::to_string)),
        }
    }

    /// The region the output carries, checked against the option, else the option.
    fn region(&self, carried: Option<String>, field: &str) -> Result<Option<String>, ImportError> {
        match (carried, self.region) {
            (Some(c), Some(o)) if c != o => Err(self.error(
                field,
                format!("the file says region {c}, but the region given is {o}"),
            )),
            (Some(c), _) => Ok(Some(c)),
            (None, o) => Ok(o.map(str::to_string)),
        }
    }

    /// A resource listed twice (pages concatenated by hand, say) is an error.
    fn unique(
        &self,
        seen: &mut HashMap<String, String>,
        record: &ResourceRecord,
        field: String,
    ) -> Result<(), ImportError> {
        if let Some(first) = seen.get(&record.resource_id) {
            return Err(self.error(
                &field,
                format!("{} is listed twice (first at {first})", record.resource_id),
            ));
        }
        seen.insert(record.resource_id.clone(), field);
        Ok(())
    }

    fn reservation(
        &self,
        reservation: &Value,
        at: &str,
        out: &mut Vec<ResourceRecord>,
        seen: &mut HashMap<String, String>,
    ) -> Result<(), ImportError> {
        self.object(reservation, at)?;
        let owner = self.text(reservation, at, "OwnerId")?;
        let account = self.account(owner, &path(at, "OwnerId"))?;
        for (i, instance) in self.list(reservation, at, "Instances")?.iter().enumerate() {
            let at = format!("{at}.Instances[{i}]");
            let record = self.instance(instance, &at, account.clone())?;
            self.unique(seen, &record, format!("{at}.InstanceId"))?;
            out.push(record);
        }
        Ok(())
    }

    fn instance(
        &self,
        item: &Value,
        at: &str,
        account_id: Option<String>,
    ) -> Result<ResourceRecord, ImportError> {
        self.object(item, at)?;
        let resource_id = self.id(item, at, "InstanceId", "i-")?;
        let resource_type = self.required(item, at, "InstanceType")?;
        let placement = path(at, "Placement");
        let availability_zone = match item.get("Placement") {
            None | Some(Value::Null) => None,
            Some(p) => self.text(self.object(p, &placement)?, &placement, "AvailabilityZone")?,
        };
        let region = self.region(
            availability_zone.as_deref().and_then(region_of_zone),
            &path(&placement, "AvailabilityZone"),
        )?;
        let state = self.ec2_state(item, at)?;
        let tags = self.tags(item, at, "Tags")?;
        let reason = self.text(item, at, "StateTransitionReason")?;
        let mut attached_to = Vec::new();
        for (i, mapping) in self
            .list(item, at, "BlockDeviceMappings")?
            .iter()
            .enumerate()
        {
            let at = format!("{at}.BlockDeviceMappings[{i}]");
            self.object(mapping, &at)?;
            if let Some(ebs) = mapping.get("Ebs").filter(|e| !e.is_null()) {
                let at = format!("{at}.Ebs");
                let volume = self.text(self.object(ebs, &at)?, &at, "VolumeId")?;
                attached_to.extend(volume.filter(|v| !attached_to.contains(v)));
            }
        }
        let engine = match self.text(item, at, "PlatformDetails")? {
            Some(p) => Some(p),
            None => self.text(item, at, "Platform")?,
        };
        Ok(ResourceRecord {
            arn: arn(
                "ec2",
                region.as_deref(),
                account_id.as_deref(),
                &format!("instance/{resource_id}"),
            ),
            resource_id,
            kind: ResourceKind::Ec2Instance,
            account_id,
            region,
            availability_zone,
            resource_type,
            size_gib: None,
            iops: None,
            state,
            name: name(&tags),
            launched_at: self.time(item, at, "LaunchTime")?,
            state_changed_at: reason.as_deref().and_then(transition_time),
            tags,
            attached_to,
            engine,
            engine_version: None,
            storage_type: None,
            multi_az: None,
        })
    }

    /// `State.Name`, else the name of `State.Code`.
    fn ec2_state(&self, item: &Value, at: &str) -> Result<String, ImportError> {
        let field = path(at, "State");
        let state = match item.get("State") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(state @ Value::Object(_)) => match self.text(state, &field, "Name")? {
                Some(name) => Some(name),
                None => state
                    .get("Code")
                    .and_then(Value::as_i64)
                    .and_then(ec2_state_name)
                    .map(str::to_string),
            },
            _ => None,
        };
        state
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| self.error(&path(&field, "Name"), "missing"))
    }

    fn volume(&self, item: &Value, at: &str) -> Result<ResourceRecord, ImportError> {
        self.object(item, at)?;
        let resource_id = self.id(item, at, "VolumeId", "vol-")?;
        let resource_type = self.required(item, at, "VolumeType")?;
        let size = self.count(item, at, "Size")?;
        if size.is_none() {
            return Err(self.error(&path(at, "Size"), "missing"));
        }
        let availability_zone = self.text(item, at, "AvailabilityZone")?;
        let region = self.region(
            availability_zone.as_deref().and_then(region_of_zone),
            &path(at, "AvailabilityZone"),
        )?;
        // describe-volumes carries no account: only the option can give it.
        let account_id = self.account.map(str::to_string);
        let tags = self.tags(item, at, "Tags")?;
        let mut attached_to = Vec::new();
        for (i, attachment) in self.list(item, at, "Attachments")?.iter().enumerate() {
            let at = format!("{at}.Attachments[{i}]");
            let instance = self.text(self.object(attachment, &at)?, &at, "InstanceId")?;
            attached_to.extend(instance.filter(|v| !attached_to.contains(v)));
        }
        Ok(ResourceRecord {
            arn: arn(
                "ec2",
                region.as_deref(),
                account_id.as_deref(),
                &format!("volume/{resource_id}"),
            ),
            resource_id,
            kind: ResourceKind::EbsVolume,
            account_id,
            region,
            availability_zone,
            storage_type: Some(resource_type.clone()),
            resource_type,
            size_gib: size,
            iops: self.count(item, at, "Iops")?,
            state: self.required(item, at, "State")?.to_ascii_lowercase(),
            name: name(&tags),
            tags,
            launched_at: self.time(item, at, "CreateTime")?,
            state_changed_at: None,
            attached_to,
            engine: None,
            engine_version: None,
            multi_az: None,
        })
    }

    fn db_instance(&self, item: &Value, at: &str) -> Result<ResourceRecord, ImportError> {
        self.object(item, at)?;
        let resource_id = self.required(item, at, "DBInstanceIdentifier")?;
        let resource_type = self.required(item, at, "DBInstanceClass")?;
        let availability_zone = self.text(item, at, "AvailabilityZone")?;
        let arn_field = path(at, "DBInstanceArn");
        let given_arn = self.text(item, at, "DBInstanceArn")?;
        let (account_id, region) = match &given_arn {
            Some(arn) => {
                // arn:partition:rds:region:account:db:identifier
                let parts: Vec<&str> = arn.splitn(7, ':').collect();
                let shape = parts.len() == 7
                    && parts[0] == "arn"
                    && parts[2] == "rds"
                    && parts[5] == "db"
                    && !parts[3].is_empty()
                    && !parts[4].is_empty();
                if !shape {
                    return Err(
                        self.error(&arn_field, format!("'{arn}' is not an RDS instance ARN"))
                    );
                }
                if !parts[6].eq_ignore_ascii_case(&resource_id) {
                    return Err(self.error(
                        &arn_field,
                        format!("'{arn}' names another instance than '{resource_id}'"),
                    ));
                }
                (
                    self.account(Some(parts[4].to_string()), &arn_field)?,
                    self.region(Some(parts[3].to_string()), &arn_field)?,
                )
            }
            // Without an ARN the zone gives the region. (With one, the ARN wins: recorded
            // responses exist whose zones were edited to another region.)
            None => (
                self.account(None, &arn_field)?,
                self.region(
                    availability_zone.as_deref().and_then(region_of_zone),
                    &path(at, "AvailabilityZone"),
                )?,
            ),
        };
        let tags = self.tags(item, at, "TagList")?;
        Ok(ResourceRecord {
            arn: given_arn.or_else(|| {
                arn(
                    "rds",
                    region.as_deref(),
                    account_id.as_deref(),
                    &format!("db:{resource_id}"),
                )
            }),
            resource_id,
            kind: ResourceKind::RdsInstance,
            account_id,
            region,
            availability_zone,
            resource_type,
            size_gib: self.count(item, at, "AllocatedStorage")?,
            iops: self.count(item, at, "Iops")?,
            state: self
                .required(item, at, "DBInstanceStatus")?
                .to_ascii_lowercase(),
            name: name(&tags),
            tags,
            launched_at: self.time(item, at, "InstanceCreateTime")?,
            state_changed_at: None,
            attached_to: Vec::new(),
            engine: self.text(item, at, "Engine")?,
            engine_version: self.text(item, at, "EngineVersion")?,
            storage_type: self.text(item, at, "StorageType")?,
            multi_az: self.flag(item, at, "MultiAZ")?,
        })
    }
}

/// The `Name` tag, when not blank.
fn name(tags: &BTreeMap<String, String>) -> Option<String> {
    tags.get("Name")
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}
