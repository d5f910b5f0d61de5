//! Cached cost answers.
//!
//! An answer is keyed by everything that shapes it: its owner (a tenant, or the unallocated
//! cost), that owner's data version, the view, its arguments and the day it was computed for. The
//! data version lives in the database (`data_versions`) and every import or organisation change
//! bumps the versions of the owners it touches, in the same transaction, so an answer cached
//! before a change is never served after it — whichever process made the change. Entries also
//! expire after a TTL (1 h by default). Reading a version is one indexed statement per request
//! (one for all tenants of a batch), far cheaper than the aggregate it saves.
//!
//! Two levels: this process's memory, then — with `CONSOLEAI_REDIS_URL` — the Redis store all
//! replicas share (the `cached` crate's `AsyncRedisCache`, MessagePack values under
//! `<prefix>:cost:`), so an answer one replica computed is a hit on every other. Invalidation
//! needs no message between replicas: a change bumps the owner's version in the database, every
//! replica reads that version before it looks anything up, and the old entries are simply never
//! asked for again (they expire with the TTL). Redis trouble degrades to computing the answer; it
//! never fails a request.
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use cached::stores::{AsyncRedisCache, LruTtlCache};
use cached::{Cached, ConcurrentCachedAsync};
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};

use super::report::{CostReport, CostSeries, CostSnapshot, CostTrend};
use crate::metrics::{record_cache, CacheOutcome};
use crate::tenancy::{CostOwner, TenantRef};

/// The owner key of the unallocated cost.
pub const UNALLOCATED: &str = "*unallocated*";

/// A cached answer.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum CachedAnswer {
    Report(CostReport),
    Trend(CostTrend),
    Snapshot(CostSnapshot),
    Series(Vec<CostSeries>),
    Resources(Vec<crate::inventory::view::ResourceView>),
    Outlook(super::outlook::Outlook),
}

/// The cache: process memory, and the shared Redis store when configured. A TTL of zero
/// disables both.
pub struct CostCache {
    store: Option<Mutex<LruTtlCache<String, CachedAnswer>>>,
    shared: Option<AsyncRedisCache<String, CachedAnswer>>,
}

impl CostCache {
    /// The process-local cache alone.
    pub fn new(ttl_secs: u64, entries: usize) -> CostCache {
        let store = (ttl_secs > 0 && entries > 0)
            .then(|| Mutex::new(LruTtlCache::new(entries, Duration::from_secs(ttl_secs))));
        CostCache {
            store,
            shared: None,
        }
    }

    /// The local cache, backed by the Redis store at `redis_url` when one is given.
    pub async fn connect(
        ttl_secs: u64,
        entries: usize,
        redis_url: Option<&str>,
        prefix: &str,
    ) -> Result<CostCache, String> {
        let mut cache = CostCache::new(ttl_secs, entries);
        if let (Some(url), true) = (redis_url.filter(|u| !u.is_empty()), cache.enabled()) {
            let shared = AsyncRedisCache::builder("cost")
                .namespace(prefix)
                .connection_string(url)
                .ttl(Duration::from_secs(ttl_secs))
                .build()
                .await
                .map_err(|e| {
                    format!("CONSOLEAI_REDIS_URL: cannot reach Redis for the shared cache: {e}")
                })?;
            cache.shared = Some(shared);
        }
        Ok(cache)
    }

    fn local(&self, key: &str) -> Option<CachedAnswer> {
        let store = self.store.as_ref()?;
        let mut store = store.lock().unwrap_or_else(|p| p.into_inner());
        store.cache_get(key).cloned()
    }

    fn put_local(&self, key: String, value: CachedAnswer) {
        if let Some(store) = &self.store {
            store
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .cache_set(key, value);
        }
    }

    /// The answer under `key`: from memory, else from the shared store (kept in memory after).
    pub async fn get(&self, key: &str) -> Option<CachedAnswer> {
        if let Some(hit) = self.local(key) {
            record_cache(CacheOutcome::LocalHit);
            return Some(hit);
        }
        let found = match &self.shared {
            Some(shared) => match shared.async_cache_get(&key.to_string()).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(error = %e, "shared cache unreadable; computing the answer");
                    None
                }
            },
            None => None,
        };
        match found {
            Some(hit) => {
                record_cache(CacheOutcome::SharedHit);
                self.put_local(key.to_string(), hit.clone());
                Some(hit)
            }
            None => {
                record_cache(CacheOutcome::Miss);
                None
            }
        }
    }

    /// Stores `value` in memory and in the shared store.
    pub async fn put(&self, key: String, value: CachedAnswer) {
        if let Some(shared) = &self.shared {
            if let Err(e) = shared.async_cache_set(key.clone(), value.clone()).await {
                tracing::warn!(error = %e, "shared cache unwritable");
            }
        }
        self.put_local(key, value);
    }
}

/// The key an owner's data version is stored under.
pub fn owner_key(owner: &CostOwner) -> &str {
    owner.tenant_id().unwrap_or(UNALLOCATED)
}

/// The data versions of `owners`, in one statement. An owner never changed has version 0.
pub async fn versions(
    db: &impl ConnectionTrait,
    owners: &[&str],
) -> Result<HashMap<String, i64>, DbErr> {
    let mut versions: HashMap<String, i64> = owners.iter().map(|o| (o.to_string(), 0)).collect();
    if owners.is_empty() {
        return Ok(versions);
    }
    let placeholders: Vec<String> = (1..=owners.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT owner, version FROM data_versions WHERE owner IN ({})",
        placeholders.join(", ")
    );
    let values: Vec<Value> = owners.iter().map(|o| Value::from(o.to_string())).collect();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await?;
    for row in rows {
        versions.insert(row.try_get("", "owner")?, row.try_get("", "version")?);
    }
    Ok(versions)
}

/// The statement that bumps one owner's version (`$1`), creating it at 1.
pub const BUMP_SQL: &str = "INSERT INTO data_versions (owner, version) VALUES ($1, 1) \
     ON CONFLICT (owner) DO UPDATE SET version = data_versions.version + 1";

/// The answers the cache holds, converted to and from [`CachedAnswer`].
pub trait Cacheable: Clone + Sized {
    fn wrap(self) -> CachedAnswer;
    fn unwrap(answer: CachedAnswer) -> Option<Self>;
}

macro_rules! cacheable {
    ($type:ty, $variant:ident) => {
        impl Cacheable for $type {
            fn wrap(self) -> CachedAnswer {
                CachedAnswer::$variant(self)
            }
            fn unwrap(answer: CachedAnswer) -> Option<Self> {
                match answer {
                    CachedAnswer::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
cacheable!(CostReport, Report);
cacheable!(CostTrend, Trend);
cacheable!(CostSnapshot, Snapshot);
cacheable!(Vec<CostSeries>, Series);
cacheable!(Vec<crate::inventory::view::ResourceView>, Resources);
cacheable!(super::outlook::Outlook, Outlook);

impl CostCache {
    async fn get_owned(&self, key: String) -> Option<CachedAnswer> {
        self.get(&key).await
    }

    pub fn enabled(&self) -> bool {
        self.store.is_some()
    }

    /// The full key: owner, its data version, then what the caller says shapes the answer.
    pub fn key(owner: &str, version: i64, shape: &str) -> String {
        format!("{owner}|v{version}|{shape}")
    }

    /// `owner`'s answer for `shape`, from the cache, or computed and cached.
    pub async fn get_or_compute<T, F, Fut>(
        &self,
        db: &impl ConnectionTrait,
        owner: &CostOwner,
        shape: String,
        compute: F,
    ) -> crate::error::AppResult<T>
    where
        T: Cacheable,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::error::AppResult<T>>,
    {
        if !self.enabled() {
            return compute().await;
        }
        let key = owner_key(owner);
        let version = versions(db, &[key]).await?.get(key).copied().unwrap_or(0);
        self.get_or_compute_at(version, owner, shape, compute).await
    }

    /// The same, for an owner whose data version the caller has read already (a request reads
    /// each owner's version once, however many of its fields are cached).
    pub async fn get_or_compute_at<T, F, Fut>(
        &self,
        version: i64,
        owner: &CostOwner,
        shape: String,
        compute: F,
    ) -> crate::error::AppResult<T>
    where
        T: Cacheable,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::error::AppResult<T>>,
    {
        if !self.enabled() {
            return compute().await;
        }
        let key = CostCache::key(owner_key(owner), version, &shape);
        if let Some(hit) = self.get(&key).await.and_then(T::unwrap) {
            return Ok(hit);
        }
        let value = compute().await?;
        self.put(key, value.clone().wrap()).await;
        Ok(value)
    }
}

impl CostCache {
    /// The batch form, for DataLoaders: one version read for all tenants, then one computation
    /// for the tenants not cached. Returns an answer per tenant id.
    pub async fn get_or_compute_many<T, F, Fut>(
        &self,
        db: &impl ConnectionTrait,
        tenants: &[TenantRef],
        shape: &str,
        compute: F,
    ) -> crate::error::AppResult<BTreeMap<String, T>>
    where
        T: Cacheable,
        F: FnOnce(Vec<TenantRef>) -> Fut,
        Fut: std::future::Future<Output = crate::error::AppResult<BTreeMap<String, T>>>,
    {
        if !self.enabled() {
            return compute(tenants.to_vec()).await;
        }
        let ids: Vec<&str> = tenants.iter().map(TenantRef::id).collect();
        let versions = versions(db, &ids).await?;
        let key = |id: &str| CostCache::key(id, versions.get(id).copied().unwrap_or(0), shape);
        let mut answers = BTreeMap::new();
        let mut missing = Vec::new();
        // The lookups go out together: with the shared store, one round trip's wait for all.
        let found = futures_util::future::join_all(
            tenants
                .iter()
                .map(|tenant| self.get_owned(key(tenant.id()))),
        )
        .await;
        for (tenant, found) in tenants.iter().zip(found) {
            match found.and_then(T::unwrap) {
                Some(hit) => {
                    answers.insert(tenant.id().to_string(), hit);
                }
                None => missing.push(tenant.clone()),
            }
        }
        if !missing.is_empty() {
            let computed = compute(missing).await?;
            futures_util::future::join_all(
                computed
                    .iter()
                    .map(|(id, value)| self.put(key(id), value.clone().wrap())),
            )
            .await;
            answers.extend(computed);
        }
        Ok(answers)
    }
}
