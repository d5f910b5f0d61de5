//! Per-tenant workflow settings: the approval threshold and the monthly budget.
use std::collections::HashMap;

use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde_json::json;

use crate::audit;
use crate::auth::{Principal, Role};
use crate::cost::money;
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantRef;
use entity::tenant_setting;

/// A tenant's settings, with the configured default filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    /// Monthly cost increase (USD) above which an ADMIN must approve after the MANAGER.
    pub approval_threshold: Decimal,
    /// True when the tenant has no threshold of its own and the configured default applies.
    pub threshold_is_default: bool,
    pub monthly_budget: Option<Decimal>,
}

/// The settings of `tenants`, in one statement.
pub async fn of_tenants(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    default_threshold: Decimal,
) -> Result<HashMap<TenantRef, TenantSettings>, DbErr> {
    let ids: Vec<String> = tenants.iter().map(|t| t.id().to_string()).collect();
    let rows: HashMap<String, tenant_setting::Model> = tenant_setting::Entity::find()
        .filter(tenant_setting::Column::TenantId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.tenant_id.clone(), r))
        .collect();
    Ok(tenants
        .iter()
        .map(|t| {
            let row = rows.get(t.id());
            let own = row.and_then(|r| r.approval_threshold);
            let settings = TenantSettings {
                approval_threshold: own
                    .map(|v| money::from_fixed(v as i128))
                    .unwrap_or(default_threshold),
                threshold_is_default: own.is_none(),
                monthly_budget: row
                    .and_then(|r| r.monthly_budget)
                    .map(|v| money::from_fixed(v as i128)),
            };
            (t.clone(), settings)
        })
        .collect())
}

/// One tenant's settings.
pub async fn of_tenant(
    db: &impl ConnectionTrait,
    tenant: &TenantRef,
    default_threshold: Decimal,
) -> Result<TenantSettings, DbErr> {
    let mut all = of_tenants(db, std::slice::from_ref(tenant), default_threshold).await?;
    Ok(all.remove(tenant).expect("one entry per tenant asked"))
}

/// What changes in a tenant's settings.
#[derive(Debug, Clone, Copy)]
pub enum Setting {
    /// `None`: back to the configured default.
    ApprovalThreshold(Option<Decimal>),
    MonthlyBudget(Decimal),
}

/// Writes one setting and its audit event in the caller's transaction.
pub async fn write(
    txn: &impl ConnectionTrait,
    tenant: &TenantRef,
    setting: Setting,
    principal: &Principal,
    before: &TenantSettings,
) -> AppResult<()> {
    let fixed = |d: Decimal| money::to_fixed(d).map_err(AppError::bad_input);
    let now = Utc::now();
    let mut row = tenant_setting::ActiveModel {
        tenant_id: Set(tenant.id().to_string()),
        approval_threshold: Set((!before.threshold_is_default)
            .then(|| fixed(before.approval_threshold))
            .transpose()?),
        monthly_budget: Set(before.monthly_budget.map(fixed).transpose()?),
        currency: Set("USD".into()),
        updated_by: Set(principal.subject.clone()),
        updated_at: Set(now),
    };
    let (column, action, before_json, after_json) = match setting {
        Setting::ApprovalThreshold(amount) => {
            row.approval_threshold = Set(amount.map(fixed).transpose()?);
            (
                tenant_setting::Column::ApprovalThreshold,
                "tenant.approval_threshold.set",
                json!({ "approvalThreshold": before.approval_threshold.normalize().to_string(), "default": before.threshold_is_default }),
                json!({ "approvalThreshold": amount.map(|a| a.normalize().to_string()), "default": amount.is_none() }),
            )
        }
        Setting::MonthlyBudget(amount) => {
            row.monthly_budget = Set(Some(fixed(amount)?));
            (
                tenant_setting::Column::MonthlyBudget,
                "tenant.budget.set",
                json!({ "monthlyBudget": before.monthly_budget.map(|b| b.normalize().to_string()) }),
                json!({ "monthlyBudget": amount.normalize().to_string() }),
            )
        }
    };
    tenant_setting::Entity::insert(row)
        .on_conflict(
            OnConflict::column(tenant_setting::Column::TenantId)
                .update_columns([
                    column,
                    tenant_setting::Column::UpdatedBy,
                    tenant_setting::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    audit::record_event(
        txn,
        audit::Event {
            actor: &principal.subject,
            role: Some(principal.role.as_str()),
            action,
            tenant_id: Some(tenant.id()),
            target: Some(&format!("Tenant:{}", tenant.id())),
            before: Some(before_json),
            after: Some(after_json),
        },
    )
    .await?;
    Ok(())
}

/// ADMIN: sets (or, with `None`, resets to the default) a tenant's approval threshold.
pub async fn set_approval_threshold(
    db: &sea_orm::DatabaseConnection,
    principal: &Principal,
    tenant: &TenantRef,
    amount: Option<Decimal>,
    default_threshold: Decimal,
) -> AppResult<TenantSettings> {
    principal.require(Role::Admin)?;
    if let Some(a) = amount {
        if a.is_sign_negative() || a > Decimal::from(super::impact::MAX_BUDGET) {
            return Err(AppError::bad_input(format!(
                "amount must be between 0 and {}, got {a}",
                super::impact::MAX_BUDGET
            )));
        }
    }
    let txn = db.begin().await?;
    let before = of_tenant(&txn, tenant, default_threshold).await?;
    write(
        &txn,
        tenant,
        Setting::ApprovalThreshold(amount),
        principal,
        &before,
    )
    .await?;
    txn.commit().await?;
    of_tenant(db, tenant, default_threshold)
        .await
        .map_err(AppError::from)
}

/// MANAGER of the tenant or ADMIN: sets the tenant's monthly budget (USD).
pub async fn set_monthly_budget(
    db: &sea_orm::DatabaseConnection,
    principal: &Principal,
    tenant: &TenantRef,
    amount: Decimal,
    default_threshold: Decimal,
) -> AppResult<TenantSettings> {
    principal.require(Role::Manager)?;
    super::impact::budget(None, amount)?;
    let before = of_tenant(db, tenant, default_threshold).await?;
    let txn = db.begin().await?;
    write(
        &txn,
        tenant,
        Setting::MonthlyBudget(amount),
        principal,
        &before,
    )
    .await?;
    txn.commit().await?;
    of_tenant(db, tenant, default_threshold)
        .await
        .map_err(AppError::from)
}
