//! The monthly cost impact of a change, computed by the server from the tenant's own prices and
//! the catalog — a client never sends it.
//!
//! Monthly means `hourly × 730`, as everywhere in the catalog. Prices come from the tenant's
//! [`PriceBook`]: the list unit price it was billed for a type in a region when its bill has one,
//! the built-in catalog otherwise. RDS Multi-AZ instances cost twice the Single-AZ price.
use rust_decimal::Decimal;

use crate::error::AppError;
use crate::inventory::view::ResourceView;
use crate::rightsizing::{self, PriceBook, PriceSource};

/// Most instances one PROVISION request may ask for.
pub const MAX_COUNT: i32 = 1000;
/// Largest monthly budget accepted (the fixed-point columns hold up to ±9.2 million).
pub const MAX_BUDGET: i64 = 9_000_000;

/// Current and proposed monthly cost (USD) of what a request changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    pub current: Decimal,
    pub proposed: Decimal,
    /// Where the price that decides the proposal came from; `None` for a budget change.
    pub price_source: Option<PriceSource>,
}

impl Impact {
    /// `proposed − current`: positive when the change costs more.
    pub fn delta(&self) -> Decimal {
        self.proposed - self.current
    }
}

/// `count` new instances of `instance_type` in `region`.
pub fn provision(
    prices: &PriceBook,
    instance_type: &str,
    count: i32,
    region: &str,
) -> Result<Impact, AppError> {
    if !(1..=MAX_COUNT).contains(&count) {
        return Err(AppError::bad_input(format!(
            "provision.count must be between 1 and {MAX_COUNT}, got {count}"
        )));
    }
    let (monthly, source) = prices.monthly(instance_type, region).ok_or_else(|| {
        AppError::bad_input(format!(
            "provision.instanceType: no price for {instance_type:?} in {region:?} (neither the catalog nor the tenant's bill lists it)"
        ))
    })?;
    Ok(Impact {
        current: Decimal::ZERO,
        proposed: monthly * Decimal::from(count),
        price_source: Some(source),
    })
}

/// The resource moved to `target_type`.
pub fn resize(
    prices: &PriceBook,
    resource: &ResourceView,
    target_type: &str,
) -> Result<Impact, AppError> {
    let m = &resource.model;
    let rds = match m.kind.as_str() {
        "EC2_INSTANCE" => false,
        "RDS_INSTANCE" => true,
        _ => {
            return Err(AppError::bad_input(
                "resize.resourceId: only EC2 instances and RDS DB instances can be resized",
            ))
        }
    };
    live(resource, "resize.resourceId")?;
    if target_type == m.resource_type {
        return Err(AppError::bad_input(format!(
            "resize.targetType: the resource already is a {target_type}"
        )));
    }
    if target_type.starts_with("db.") != rds {
        return Err(AppError::bad_input(format!(
            "resize.targetType: {target_type:?} is not a {} type",
            if rds {
                "DB instance (db.*)"
            } else {
                "EC2 instance"
            }
        )));
    }
    let copies = copies(resource);
    let (current, _) = prices.monthly(&m.resource_type, &m.region).ok_or_else(|| {
        AppError::bad_input(format!(
            "resize.resourceId: no price for its current type {:?} in {:?}",
            m.resource_type, m.region
        ))
    })?;
    let (proposed, source) = prices.monthly(target_type, &m.region).ok_or_else(|| {
        AppError::bad_input(format!(
            "resize.targetType: no price for {target_type:?} in {:?}",
            m.region
        ))
    })?;
    Ok(Impact {
        current: current * copies,
        proposed: proposed * copies,
        price_source: Some(source),
    })
}

/// The resource terminated: it stops costing what it costs now — its own cost of the last 30
/// days when the bill has one, its list price otherwise (nothing for a stopped instance, whose
/// compute is not billed).
pub fn terminate(prices: &PriceBook, resource: &ResourceView) -> Result<Impact, AppError> {
    live(resource, "terminate.resourceId")?;
    let m = &resource.model;
    let billed = resource.cost_usd();
    let (current, source) = if billed > Decimal::ZERO {
        (billed, PriceSource::Observed)
    } else {
        let state = m.state.to_ascii_lowercase();
        match m.kind.as_str() {
            "EBS_VOLUME" => rightsizing::volume_monthly(
                prices.catalog,
                &m.resource_type,
                &m.region,
                m.size_gib.unwrap_or(0),
                m.iops,
            )
            .map(|(storage, iops)| (storage + iops, PriceSource::Catalog))
            .unwrap_or((Decimal::ZERO, PriceSource::Catalog)),
            _ if state == "stopped" => (Decimal::ZERO, PriceSource::Catalog),
            _ => prices
                .monthly(&m.resource_type, &m.region)
                .map(|(p, s)| (p * copies(resource), s))
                .unwrap_or((Decimal::ZERO, PriceSource::Catalog)),
        }
    };
    Ok(Impact {
        current,
        proposed: Decimal::ZERO,
        price_source: Some(source),
    })
}

/// The tenant's monthly budget set to `amount` (from `current`, none counting as zero).
pub fn budget(current: Option<Decimal>, amount: Decimal) -> Result<Impact, AppError> {
    if amount.is_sign_negative() || amount > Decimal::from(MAX_BUDGET) {
        return Err(AppError::bad_input(format!(
            "budgetChange.amount must be between 0 and {MAX_BUDGET}, got {amount}"
        )));
    }
    Ok(Impact {
        current: current.unwrap_or_default(),
        proposed: amount,
        price_source: None,
    })
}

fn live(resource: &ResourceView, field: &str) -> Result<(), AppError> {
    let state = resource.model.state.to_ascii_lowercase();
    if matches!(
        state.as_str(),
        "terminated" | "deleted" | "shutting-down" | "deleting"
    ) {
        return Err(AppError::bad_input(format!(
            "{field}: the resource is {state}"
        )));
    }
    Ok(())
}

/// A Multi-AZ DB instance runs (and bills) a standby beside the primary.
fn copies(resource: &ResourceView) -> Decimal {
    if resource.model.multi_az == Some(true) {
        Decimal::TWO
    } else {
        Decimal::ONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rightsizing::Catalog;
    use chrono::Utc;
    use std::collections::BTreeMap;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn view(kind: &str, resource_type: &str, state: &str) -> ResourceView {
        ResourceView {
            model: entity::resource::Model {
                id: 7,
                tenant_id: Some("ou-a".into()),
                account_id: "111111111111".into(),
                region: "us-east-1".into(),
                resource_id: "i-0abc".into(),
                arn: None,
                kind: kind.into(),
                resource_type: resource_type.into(),
                size_gib: Some(100),
                iops: None,
                state: state.into(),
                name: None,
                tags: None,
                launched_at: None,
                state_changed_at: None,
                attached_to: None,
                engine: None,
                storage_type: None,
                multi_az: None,
                first_seen_at: Utc::now(),
                last_seen_at: Utc::now(),
            },
            cost_30d: BTreeMap::new(),
            utilization: vec![],
            recommendation: None,
            hourly_billed: None,
        }
    }

    #[test]
    fn resize_m5_2xlarge_to_xlarge_in_us_east_1_is_the_catalog_difference() {
        let prices = PriceBook::new(Catalog::builtin());
        let impact = resize(
            &prices,
            &view("EC2_INSTANCE", "m5.2xlarge", "running"),
            "m5.xlarge",
        )
        .unwrap();
        // 0.384 and 0.192 USD/h × 730 h.
        assert_eq!(impact.current, dec("280.32"));
        assert_eq!(impact.proposed, dec("140.16"));
        assert_eq!(impact.delta(), dec("-140.16"));
        assert_eq!(impact.price_source, Some(PriceSource::Catalog));
    }

    #[test]
    fn the_tenants_own_price_beats_the_catalog() {
        let mut prices = PriceBook::new(Catalog::builtin());
        prices.observe("m5.xlarge", "us-east-1", dec("0.1"));
        let impact = provision(&prices, "m5.xlarge", 3, "us-east-1").unwrap();
        assert_eq!(impact.proposed, dec("219"));
        assert_eq!(impact.price_source, Some(PriceSource::Observed));
    }

    #[test]
    fn bad_changes_name_the_field() {
        let prices = PriceBook::new(Catalog::builtin());
        let err = provision(&prices, "m5.huge", 1, "us-east-1").unwrap_err();
        assert!(err.public_message().contains("provision.instanceType"));
        let err = provision(&prices, "m5.large", 0, "us-east-1").unwrap_err();
        assert!(err.public_message().contains("provision.count"));
        let vm = view("EC2_INSTANCE", "m5.large", "running");
        assert!(resize(&prices, &vm, "db.m5.large")
            .unwrap_err()
            .public_message()
            .contains("resize.targetType"));
        let gone = view("EC2_INSTANCE", "m5.large", "terminated");
        assert_eq!(
            terminate(&prices, &gone).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        assert!(budget(None, dec("-1")).is_err());
    }

    #[test]
    fn terminating_costs_what_the_bill_says_else_the_list_price() {
        let prices = PriceBook::new(Catalog::builtin());
        let mut billed = view("EC2_INSTANCE", "m5.large", "running");
        billed.cost_30d.insert(
            "USD".into(),
            crate::cost::money::to_fixed(dec("55.5")).unwrap() as i128,
        );
        let impact = terminate(&prices, &billed).unwrap();
        assert_eq!(
            (impact.current, impact.delta()),
            (dec("55.5"), dec("-55.5"))
        );
        let listed = terminate(&prices, &view("EC2_INSTANCE", "m5.large", "running")).unwrap();
        assert_eq!(listed.current, dec("70.08"));
        let stopped = terminate(&prices, &view("EC2_INSTANCE", "m5.large", "stopped")).unwrap();
        assert_eq!(stopped.current, Decimal::ZERO);
        let budget = budget(Some(dec("1000")), dec("1500")).unwrap();
        assert_eq!(budget.delta(), dec("500"));
    }
}
