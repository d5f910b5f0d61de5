//! AWS Organizations import: roots, OUs and accounts, as the AWS CLI prints them.
//!
//! Accepted files (several may be given at once, and are merged):
//! - `aws organizations list-roots` → `{"Roots": [...]}`
//! - `aws organizations list-organizational-units-for-parent` → `{"OrganizationalUnits": [...]}`
//! - `aws organizations list-accounts` / `list-accounts-for-parent` → `{"Accounts": [...]}`
//! - one combined file holding any of those keys, where each OU and account may carry its
//!   `"ParentId"` (and OUs their `"Tags"`, as `list-tags-for-resource` prints them);
//! - recorded API responses wrapped as `{"status_code": 200, "data": {...}}`.
//!
//! A parent is taken from, in order: the item's `ParentId`, the `--parent` option (what was passed
//! to `…-for-parent --parent-id`), the item's `Path`/`Paths` (the last `ou-`/`r-` segment above it).
//! An import adds and updates; it never forgets OUs or accounts that a file does not mention,
//! because the CLI prints an organisation one parent at a time.
//!
//! Tenants are OUs tagged `consoleai:tenant` = `true`, or named by `--tenant` (id or name). Every
//! account belongs to the nearest tenant OU above it; an account with none is unallocated.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait,
};
use serde_json::Value;

use super::sql::execute;
use super::ImportError;
use crate::audit;
use entity::{account, organizational_unit as ou, tenant};

/// The tag that marks an OU as a tenant.
pub const TENANT_TAG: &str = "consoleai:tenant";

#[derive(Debug, Clone, Default)]
pub struct OrgImportOptions {
    /// OU ids or names to mark as tenants.
    pub tenants: Vec<String>,
    /// The parent of the listed items, for `…-for-parent` outputs.
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgImportReport {
    pub organizational_units: usize,
    pub accounts: usize,
    pub tenants: usize,
    pub unallocated_accounts: usize,
    /// Accounts whose tenant changed; their cost moved with them.
    pub reassigned_accounts: usize,
}

#[derive(Debug, Default)]
struct Snapshot {
    units: BTreeMap<String, Unit>,
    accounts: BTreeMap<String, Account>,
}

#[derive(Debug, Clone)]
struct Unit {
    name: String,
    parent: Option<Parent>,
    kind: &'static str,
    tagged_tenant: bool,
}

/// A parent id, and whether the file said it outright (`ParentId`, `--parent`) or it was read off a
/// path. A path only fills in an unknown parent: it never moves something already placed, because
/// paths in the wild are not always right (the CLI documentation's own example is wrong).
#[derive(Debug, Clone)]
struct Parent {
    id: String,
    explicit: bool,
}

#[derive(Debug, Clone)]
struct Account {
    name: String,
    email: Option<String>,
    status: Option<String>,
    parent: Option<Parent>,
    joined_at: Option<DateTime<Utc>>,
}

/// Imports organisation files in one transaction, then re-derives every account's tenant and moves
/// already-imported cost to its (possibly new) tenant.
pub async fn import_org(
    db: &DatabaseConnection,
    files: &[PathBuf],
    options: &OrgImportOptions,
    actor: &str,
) -> Result<OrgImportReport, ImportError> {
    let mut snapshot = Snapshot::default();
    for file in files {
        read_file(file, options.parent.as_deref(), &mut snapshot)?;
    }
    let txn = db.begin().await?;
    let now = Utc::now();
    store(&txn, &snapshot, now).await?;
    mark_tenants(&txn, &options.tenants, files.first().map(PathBuf::as_path)).await?;
    let (report, changes) = derive_tenants(&txn, now).await?;
    audit::record_event(
        &txn,
        audit::Event {
            actor,
            role: None,
            action: "org.import",
            tenant_id: None,
            target: Some(
                &files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            before: None,
            after: Some(serde_json::json!({
                "organizationalUnits": report.organizational_units,
                "accounts": report.accounts,
                "tenants": report.tenants,
                "unallocatedAccounts": report.unallocated_accounts,
                "reassigned": changes,
            })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

fn read_file(file: &Path, parent: Option<&str>, out: &mut Snapshot) -> Result<(), ImportError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| ImportError::Io(file.display().to_string(), e))?;
    let mut root: Value = serde_json::from_str(&text).map_err(|e| {
        ImportError::invalid(
            file,
            Some(e.line() as u64),
            None,
            format!("not valid JSON: {e}"),
        )
    })?;
    // Recorded API responses wrap the payload.
    if let Some(data) = root.get_mut("data").filter(|_| root_has_status(&text)) {
        root = data.take();
    }
    let Some(object) = root.as_object() else {
        return Err(ImportError::invalid(
            file,
            None,
            None,
            "expected a JSON object",
        ));
    };
    let known = [
        "Roots",
        "OrganizationalUnits",
        "Accounts",
        "Organization",
        "ResponseMetadata",
        "NextToken",
    ];
    if !object
        .keys()
        .any(|k| ["Roots", "OrganizationalUnits", "Accounts", "Organization"].contains(&k.as_str()))
    {
        return Err(ImportError::invalid(
            file,
            None,
            None,
            format!(
                "no Roots, OrganizationalUnits or Accounts in this file (keys: {})",
                keys(object)
            ),
        ));
    }
    if let Some(unknown) = object.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ImportError::invalid(
            file,
            None,
            Some(unknown),
            "unexpected key",
        ));
    }
    for (i, item) in list(file, object, "Roots")?.iter().enumerate() {
        let at = format!("Roots[{i}]");
        let id = required(file, item, &at, "Id")?;
        let name = optional(item, "Name").unwrap_or_else(|| "Root".into());
        out.units.insert(
            id,
            Unit {
                name,
                parent: None,
                kind: "ROOT",
                tagged_tenant: false,
            },
        );
    }
    for (i, item) in list(file, object, "OrganizationalUnits")?
        .iter()
        .enumerate()
    {
        let at = format!("OrganizationalUnits[{i}]");
        let id = required(file, item, &at, "Id")?;
        if !id.starts_with("ou-") {
            return Err(ImportError::invalid(
                file,
                None,
                Some(&format!("{at}.Id")),
                format!("'{id}' is not an OU id (ou-…)"),
            ));
        }
        let unit = Unit {
            name: required(file, item, &at, "Name")?,
            parent: parent_of(item, &id, parent),
            kind: "OU",
            tagged_tenant: tagged_tenant(item),
        };
        out.units.insert(id, unit);
    }
    for (i, item) in list(file, object, "Accounts")?.iter().enumerate() {
        let at = format!("Accounts[{i}]");
        let id = required(file, item, &at, "Id")?;
        // AWS account ids are 12 digits; anonymised samples shorten them, so only the shape is checked.
        if id.starts_with("ou-") || id.starts_with("r-") || id.chars().any(char::is_whitespace) {
            return Err(ImportError::invalid(
                file,
                None,
                Some(&format!("{at}.Id")),
                format!("'{id}' is not an account id"),
            ));
        }
        let joined_at = match item.get("JoinedTimestamp") {
            None | Some(Value::Null) => None,
            Some(v) => Some(timestamp(v).ok_or_else(|| {
                ImportError::invalid(
                    file,
                    None,
                    Some(&format!("{at}.JoinedTimestamp")),
                    format!("unreadable time {v}"),
                )
            })?),
        };
        let account = Account {
            name: required(file, item, &at, "Name")?,
            email: optional(item, "Email"),
            status: optional(item, "State").or_else(|| optional(item, "Status")),
            parent: parent_of(item, &id, parent),
            joined_at,
        };
        out.accounts.insert(id, account);
    }
    Ok(())
}

fn root_has_status(text: &str) -> bool {
    text.contains("\"status_code\"")
}

fn keys(object: &serde_json::Map<String, Value>) -> String {
    object.keys().cloned().collect::<Vec<_>>().join(", ")
}

fn list<'a>(
    file: &Path,
    object: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Result<&'a [Value], ImportError> {
    match object.get(key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ImportError::invalid(
            file,
            None,
            Some(key),
            "expected a list",
        )),
    }
}

fn required(file: &Path, item: &Value, at: &str, field: &str) -> Result<String, ImportError> {
    optional(item, field)
        .ok_or_else(|| ImportError::invalid(file, None, Some(&format!("{at}.{field}")), "missing"))
}

fn optional(item: &Value, field: &str) -> Option<String> {
    item.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `ParentId`, else the option given for the file, else the nearest OU or root in the item's path.
fn parent_of(item: &Value, id: &str, parent: Option<&str>) -> Option<Parent> {
    if let Some(p) = optional(item, "ParentId").or_else(|| parent.map(str::to_string)) {
        return Some(Parent {
            id: p,
            explicit: true,
        });
    }
    let path = optional(item, "Path").or_else(|| {
        item.get("Paths")
            .and_then(Value::as_array)
            .and_then(|p| p.first())
            .and_then(Value::as_str)
            .map(str::to_string)
    })?;
    path.split('/')
        .filter(|s| !s.is_empty() && *s != id)
        .rfind(|s| s.starts_with("ou-") || s.starts_with("r-"))
        .map(|p| Parent {
            id: p.to_string(),
            explicit: false,
        })
}

fn tagged_tenant(item: &Value) -> bool {
    item.get("Tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| {
            tags.iter().any(|t| {
                t.get("Key").and_then(Value::as_str) == Some(TENANT_TAG)
                    && t.get("Value")
                        .and_then(Value::as_str)
                        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            })
        })
}

/// The CLI prints ISO strings or epoch seconds; recorded responses carry `{"__class__": "datetime", …}`.
fn timestamp(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.with_timezone(&Utc)),
        Value::Number(n) => {
            let secs = n.as_f64()?;
            Utc.timestamp_opt(secs.trunc() as i64, ((secs.fract()) * 1e9) as u32)
                .single()
        }
        Value::Object(o) => {
            let part = |k: &str| o.get(k).and_then(Value::as_i64);
            Utc.with_ymd_and_hms(
                part("year")? as i32,
                part("month")? as u32,
                part("day")? as u32,
                part("hour").unwrap_or(0) as u32,
                part("minute").unwrap_or(0) as u32,
                part("second").unwrap_or(0) as u32,
            )
            .single()
        }
        _ => None,
    }
}

async fn store(
    db: &impl ConnectionTrait,
    snapshot: &Snapshot,
    now: DateTime<Utc>,
) -> Result<(), ImportError> {
    for (id, unit) in &snapshot.units {
        let model = ou::ActiveModel {
            id: Set(id.clone()),
            name: Set(unit.name.clone()),
            parent_id: Set(unit.parent.as_ref().map(|p| p.id.clone())),
            kind: Set(unit.kind.to_string()),
            is_tenant: Set(unit.tagged_tenant),
            updated_at: Set(now),
        };
        let mut update = vec![ou::Column::Name, ou::Column::Kind, ou::Column::UpdatedAt];
        if unit.parent.as_ref().is_some_and(|p| p.explicit) {
            update.push(ou::Column::ParentId);
        }
        if unit.tagged_tenant {
            update.push(ou::Column::IsTenant);
        }
        ou::Entity::insert(model)
            .on_conflict(
                OnConflict::column(ou::Column::Id)
                    .update_columns(update)
                    .to_owned(),
            )
            .exec(db)
            .await?;
    }
    for (id, acc) in &snapshot.accounts {
        let model = account::ActiveModel {
            id: Set(id.clone()),
            name: Set(acc.name.clone()),
            email: Set(acc.email.clone()),
            status: Set(acc.status.clone()),
            parent_id: Set(acc.parent.as_ref().map(|p| p.id.clone())),
            tenant_id: Set(None),
            joined_at: Set(acc.joined_at),
            updated_at: Set(now),
        };
        let mut update = vec![account::Column::Name, account::Column::UpdatedAt];
        for (present, column) in [
            (
                acc.parent.as_ref().is_some_and(|p| p.explicit),
                account::Column::ParentId,
            ),
            (acc.email.is_some(), account::Column::Email),
            (acc.status.is_some(), account::Column::Status),
            (acc.joined_at.is_some(), account::Column::JoinedAt),
        ] {
            if present {
                update.push(column);
            }
        }
        account::Entity::insert(model)
            .on_conflict(
                OnConflict::column(account::Column::Id)
                    .update_columns(update)
                    .to_owned(),
            )
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Marks the OUs named by `--tenant` (id or name). A name that matches nothing, or several OUs, is an error.
async fn mark_tenants(
    db: &impl ConnectionTrait,
    names: &[String],
    file: Option<&Path>,
) -> Result<(), ImportError> {
    if names.is_empty() {
        return Ok(());
    }
    let units = ou::Entity::find().all(db).await?;
    for name in names {
        let matches: Vec<_> = units
            .iter()
            .filter(|u| u.kind == "OU" && (&u.id == name || &u.name == name))
            .collect();
        let file = file.unwrap_or(Path::new("--tenant"));
        match matches.as_slice() {
            [unit] => {
                ou::Entity::update(ou::ActiveModel {
                    id: Set(unit.id.clone()),
                    is_tenant: Set(true),
                    ..Default::default()
                })
                .exec(db)
                .await?;
            }
            [] => {
                return Err(ImportError::invalid(
                    file,
                    None,
                    Some("--tenant"),
                    format!("no OU has the id or name '{name}'"),
                ))
            }
            _ => {
                return Err(ImportError::invalid(
                    file,
                    None,
                    Some("--tenant"),
                    format!("'{name}' names several OUs; use the OU id"),
                ))
            }
        }
    }
    Ok(())
}

/// Walks every account up to its nearest tenant OU, refreshes `tenants` and `accounts.tenant_id`,
/// and moves the cost of every account whose tenant changed. Returns the report and the changes.
pub(crate) async fn derive_tenants(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<(OrgImportReport, Vec<serde_json::Value>), ImportError> {
    let units: HashMap<String, ou::Model> = ou::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    for unit in units.values().filter(|u| u.is_tenant) {
        let model = tenant::ActiveModel {
            id: Set(unit.id.clone()),
            name: Set(unit.name.clone()),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
        };
        tenant::Entity::insert(model)
            .on_conflict(
                OnConflict::column(tenant::Column::Id)
                    .update_columns([
                        tenant::Column::Name,
                        tenant::Column::Active,
                        tenant::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(db)
            .await?;
    }
    let tenant_ids: BTreeSet<&str> = units
        .values()
        .filter(|u| u.is_tenant)
        .map(|u| u.id.as_str())
        .collect();
    let stale: Vec<String> = tenant::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|t| t.active && !tenant_ids.contains(t.id.as_str()))
        .map(|t| t.id)
        .collect();
    for id in stale {
        tenant::Entity::update(tenant::ActiveModel {
            id: Set(id),
            active: Set(false),
            updated_at: Set(now),
            ..Default::default()
        })
        .exec(db)
        .await?;
    }

    let accounts = account::Entity::find().all(db).await?;
    let mut changes = Vec::new();
    let mut moved: Vec<String> = Vec::new();
    let mut unallocated = 0;
    for acc in &accounts {
        let tenant = nearest_tenant(&units, acc.parent_id.as_deref());
        if tenant.is_none() {
            unallocated += 1;
        }
        if tenant != acc.tenant_id {
            account::Entity::update(account::ActiveModel {
                id: Set(acc.id.clone()),
                tenant_id: Set(tenant.clone()),
                ..Default::default()
            })
            .exec(db)
            .await?;
            moved.push(acc.id.clone());
            // The cost of both owners changed: their cached answers must go.
            for owner in [&acc.tenant_id, &tenant] {
                let key = owner
                    .clone()
                    .unwrap_or_else(|| crate::cost::cache::UNALLOCATED.to_string());
                execute(db, crate::cost::cache::BUMP_SQL, vec![key.into()]).await?;
            }
            changes
                .push(serde_json::json!({"account": acc.id, "from": acc.tenant_id, "to": tenant}));
        }
    }
    move_cost(db, &moved).await?;
    let report = OrgImportReport {
        organizational_units: units.values().filter(|u| u.kind == "OU").count(),
        accounts: accounts.len(),
        tenants: tenant_ids.len(),
        unallocated_accounts: unallocated,
        reassigned_accounts: changes.len(),
    };
    Ok((report, changes))
}

/// Re-stamps the rows of moved accounts with their accounts' new tenant: one statement per table
/// for a few hundred accounts at a time (a set-based update, so the cost tables need no index on
/// the account; moving accounts is rare, loading cost is not).
async fn move_cost(db: &impl ConnectionTrait, moved: &[String]) -> Result<(), ImportError> {
    for chunk in moved.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        for table in [
            "cost_lines",
            "cost_daily",
            "cost_daily_tags",
            "cost_resource_daily",
            "resources",
        ] {
            execute(
                db,
                &format!(
                    "UPDATE {table} SET tenant_id = (SELECT tenant_id FROM accounts WHERE accounts.id = {table}.account_id) \
                     WHERE account_id IN ({list})"
                ),
                chunk.iter().map(|id| id.clone().into()).collect(),
            )
            .await?;
        }
        // The per-dimension rollup has no account on its total, service or region rows: derive
        // the moved accounts' scopes again.
        let scopes = db
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                format!(
                    "SELECT DISTINCT provider, billing_account_id, billing_period_start FROM cost_daily \
                     WHERE account_id IN ({list})"
                ),
                chunk.iter().map(|id| id.clone().into()).collect::<Vec<sea_orm::Value>>(),
            ))
            .await?;
        for row in scopes {
            let scope: Vec<sea_orm::Value> = vec![
                row.try_get::<String>("", "provider")?.into(),
                row.try_get::<String>("", "billing_account_id")?.into(),
                row.try_get::<chrono::NaiveDate>("", "billing_period_start")?
                    .into(),
            ];
            execute(
                db,
                &format!("DELETE FROM cost_daily_by WHERE {}", super::rollup::SCOPE),
                scope.clone(),
            )
            .await?;
            execute(db, &super::rollup::by_dimension_sql(), scope).await?;
        }
    }
    Ok(())
}

/// The nearest tenant OU at or above `parent`. A cycle in bad data ends the walk (unallocated).
fn nearest_tenant<'a>(
    units: &'a HashMap<String, ou::Model>,
    mut parent: Option<&'a str>,
) -> Option<String> {
    let mut seen = BTreeSet::new();
    while let Some(id) = parent {
        if !seen.insert(id) {
            return None;
        }
        let unit = units.get(id)?;
        if unit.is_tenant {
            return Some(unit.id.clone());
        }
        parent = unit.parent_id.as_deref();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parents_come_from_the_id_the_option_or_the_path() {
        let id = |p: Option<Parent>| p.map(|p| (p.id, p.explicit));
        let item = json!({"Id": "ou-a-1", "ParentId": "r-x"});
        assert_eq!(
            id(parent_of(&item, "ou-a-1", Some("ou-b"))),
            Some(("r-x".into(), true))
        );
        let item = json!({"Id": "ou-a-1", "Path": "o-1/r-x/ou-a-0/ou-a-1/"});
        assert_eq!(
            id(parent_of(&item, "ou-a-1", None)),
            Some(("ou-a-0".into(), false))
        );
        assert_eq!(
            id(parent_of(&item, "ou-a-1", Some("ou-z"))),
            Some(("ou-z".into(), true))
        );
        let item = json!({"Id": "333333333333", "Paths": ["o-1/r-x/111111111111/"]});
        assert_eq!(
            id(parent_of(&item, "333333333333", None)),
            Some(("r-x".into(), false))
        );
    }

    #[test]
    fn reads_the_three_time_shapes() {
        assert!(timestamp(&json!(1481835795.536)).is_some());
        assert!(timestamp(&json!("2021-03-04T10:00:00.000000+00:00")).is_some());
        let t = timestamp(&json!({"__class__": "datetime", "year": 2021, "month": 8, "day": 10, "hour": 13, "minute": 24, "second": 25})).unwrap();
        assert_eq!(t.to_rfc3339(), "2021-08-10T13:24:25+00:00");
    }
}
