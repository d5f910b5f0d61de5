//! Importing inventory snapshots and utilisation.
//!
//! A describe output is a snapshot of one account and region: resources in it are inserted or
//! updated (and seen now); resources of the same kind, account and region that it no longer lists
//! are marked `terminated` — kept, not deleted, so their history and cost stay explainable.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};

use super::parse::{read_inventory, read_utilization, ResourceKind, ResourceRecord};
use crate::audit;
use crate::cost::cache::{BUMP_SQL, UNALLOCATED};
use crate::ingest::ImportError;
use entity::{account, resource, resource_utilization};

/// How a resource kind is stored.
pub fn kind_name(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Ec2Instance => "EC2_INSTANCE",
        ResourceKind::EbsVolume => "EBS_VOLUME",
        ResourceKind::RdsInstance => "RDS_INSTANCE",
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryReport {
    pub resources: usize,
    /// Resources the snapshots no longer list, now marked terminated.
    pub terminated: u64,
    pub unallocated: usize,
}

/// Imports describe outputs (EC2 instances, EBS volumes, RDS instances) in one transaction.
pub async fn import_inventory(
    db: &DatabaseConnection,
    files: &[PathBuf],
    account: Option<&str>,
    region: Option<&str>,
    actor: &str,
) -> Result<InventoryReport, ImportError> {
    let snapshots = files
        .iter()
        .map(|f| read_inventory(f, account, region))
        .collect::<Result<Vec<_>, _>>()?;
    let tenants: HashMap<String, Option<String>> = account::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.tenant_id))
        .collect();
    let now = Utc::now();
    let txn = db.begin().await?;
    let mut report = InventoryReport::default();
    let mut touched: BTreeSet<Option<String>> = BTreeSet::new();
    for snapshot in &snapshots {
        // Each (account, region) the snapshot covers is replaced whole.
        let mut listed: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for record in &snapshot.resources {
            let account_id = record.account_id.clone().unwrap_or_default();
            let region = record.region.clone().unwrap_or_default();
            let tenant_id = tenants.get(&account_id).cloned().flatten();
            report.unallocated += tenant_id.is_none() as usize;
            touched.insert(tenant_id.clone());
            upsert(&txn, record, &account_id, &region, tenant_id, now).await?;
            listed
                .entry((account_id, region))
                .or_default()
                .push(record.resource_id.clone());
            report.resources += 1;
        }
        for ((account_id, region), ids) in listed {
            let gone = resource::Entity::update_many()
                .col_expr(resource::Column::State, "terminated".into())
                .col_expr(resource::Column::StateChangedAt, Some(now).into())
                .filter(resource::Column::Kind.eq(kind_name(snapshot.kind)))
                .filter(resource::Column::AccountId.eq(account_id))
                .filter(resource::Column::Region.eq(region))
                .filter(resource::Column::State.ne("terminated"))
                .filter(resource::Column::ResourceId.is_not_in(ids))
                .exec(&txn)
                .await?;
            report.terminated += gone.rows_affected;
        }
    }
    bump(&txn, &touched).await?;
    audit::record_event(
        &txn,
        audit::Event {
            actor,
            role: None,
            action: "inventory.import",
            tenant_id: None,
            target: Some(
                &files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            before: None,
            after: Some(
                serde_json::json!({"resources": report.resources, "terminated": report.terminated}),
            ),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

async fn upsert(
    db: &impl ConnectionTrait,
    r: &ResourceRecord,
    account_id: &str,
    region: &str,
    tenant_id: Option<String>,
    now: chrono::DateTime<Utc>,
) -> Result<(), ImportError> {
    let tags = (!r.tags.is_empty()).then(|| serde_json::to_string(&r.tags).unwrap_or_default());
    let attached = (!r.attached_to.is_empty())
        .then(|| serde_json::to_string(&r.attached_to).unwrap_or_default());
    let model = resource::ActiveModel {
        id: Default::default(),
        tenant_id: Set(tenant_id),
        account_id: Set(account_id.to_string()),
        region: Set(region.to_string()),
        resource_id: Set(r.resource_id.clone()),
        arn: Set(r.arn.clone()),
        kind: Set(kind_name(r.kind).to_string()),
        resource_type: Set(r.resource_type.clone()),
        size_gib: Set(r.size_gib),
        iops: Set(r.iops),
        state: Set(r.state.clone()),
        name: Set(r.name.clone()),
        tags: Set(tags),
        launched_at: Set(r.launched_at),
        state_changed_at: Set(r.state_changed_at),
        attached_to: Set(attached),
        engine: Set(r.engine.clone()),
        storage_type: Set(r.storage_type.clone()),
        multi_az: Set(r.multi_az),
        first_seen_at: Set(now),
        last_seen_at: Set(now),
    };
    use resource::Column as C;
    resource::Entity::insert(model)
        .on_conflict(
            OnConflict::columns([C::AccountId, C::Region, C::ResourceId])
                .update_columns([
                    C::TenantId,
                    C::Arn,
                    C::Kind,
                    C::ResourceType,
                    C::SizeGib,
                    C::Iops,
                    C::State,
                    C::Name,
                    C::Tags,
                    C::LaunchedAt,
                    C::StateChangedAt,
                    C::AttachedTo,
                    C::Engine,
                    C::StorageType,
                    C::MultiAz,
                    C::LastSeenAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Bumps the data versions of the owners whose answers changed.
async fn bump(
    db: &impl ConnectionTrait,
    owners: &BTreeSet<Option<String>>,
) -> Result<(), ImportError> {
    for owner in owners {
        let key = owner.clone().unwrap_or_else(|| UNALLOCATED.to_string());
        crate::ingest::execute_sql(db, BUMP_SQL, vec![key.into()]).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UtilizationReport {
    pub records: usize,
    /// Records of resources not (yet) in the inventory: kept, shown once the resource appears.
    pub unknown_resources: usize,
}

/// Imports utilisation (CSV or CloudWatch JSON); the latest window per resource and metric wins.
pub async fn import_utilization(
    db: &DatabaseConnection,
    files: &[PathBuf],
    resource_option: Option<&str>,
    actor: &str,
) -> Result<UtilizationReport, ImportError> {
    let mut records = Vec::new();
    for file in files {
        records.extend(read_utilization(file, resource_option)?);
    }
    let ids: BTreeSet<String> = records.iter().map(|r| r.resource_id.clone()).collect();
    let mut known: HashMap<String, Option<String>> = HashMap::new();
    for chunk in ids.iter().cloned().collect::<Vec<_>>().chunks(500) {
        for r in resource::Entity::find()
            .filter(resource::Column::ResourceId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            known.insert(r.resource_id, r.tenant_id);
        }
    }
    let now = Utc::now();
    let txn = db.begin().await?;
    let mut report = UtilizationReport {
        records: records.len(),
        unknown_resources: 0,
    };
    for record in &records {
        if !known.contains_key(&record.resource_id) {
            report.unknown_resources += 1;
        }
        let model = resource_utilization::ActiveModel {
            resource_id: Set(record.resource_id.clone()),
            metric: Set(record.metric.as_str().to_string()),
            p95: Set(record.p95.normalize().to_string()),
            max: Set(record.max.normalize().to_string()),
            window_start: Set(record.window_start),
            window_end: Set(record.window_end),
            samples: Set(record.samples as i32),
            imported_at: Set(now),
        };
        use resource_utilization::Column as C;
        resource_utilization::Entity::insert(model)
            .on_conflict(
                OnConflict::columns([C::ResourceId, C::Metric])
                    .update_columns([
                        C::P95,
                        C::Max,
                        C::WindowStart,
                        C::WindowEnd,
                        C::Samples,
                        C::ImportedAt,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
    }
    let touched: BTreeSet<Option<String>> = known.into_values().collect();
    bump(&txn, &touched).await?;
    audit::record_event(
        &txn,
        audit::Event {
            actor,
            role: None,
            action: "utilization.import",
            tenant_id: None,
            target: Some(&files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(",")),
            before: None,
            after: Some(serde_json::json!({"records": report.records, "unknownResources": report.unknown_resources})),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}
