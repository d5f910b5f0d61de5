//! Defense in depth on PostgreSQL: row-level security keyed by the caller's tenants.
//!
//! Every tenant-owned table has a policy (migration `m20261129_000007_row_security`) that lets a
//! session see and write only rows whose `tenant_id` is in `consoleai.tenants`, a setting this
//! module keeps equal to the current request's tenant set on every connection a request uses:
//! the request runs inside [`within`], which puts the set in a task-local, and the pool's
//! acquire and connect hooks ([`apply`]) copy it onto the connection before handing it over. A
//! query that forgets its tenant filter then still returns nothing of another tenant.
//!
//! `*` (an ADMIN's requests) and an unset value (code outside any request: imports, the budget
//! checker) are unrestricted. Policies bind only roles that do not bypass them: the server should
//! connect as a role that owns no table and is not a superuser (imports and migrations run as
//! the owner, which `COPY` needs).
use super::TenantScope;

tokio::task_local! {
    static TENANTS: String;
}

/// The setting a scope stands for: `*`, or the tenant ids comma-separated (`-` for none).
pub fn setting(scope: &TenantScope) -> String {
    match scope {
        TenantScope::All => "*".into(),
        TenantScope::Only(ids) if ids.is_empty() => "-".into(),
        TenantScope::Only(ids) => ids.iter().cloned().collect::<Vec<_>>().join(","),
    }
}

/// Runs `work` with the connections it takes restricted to `scope`.
pub async fn within<F: std::future::Future>(scope: &TenantScope, work: F) -> F::Output {
    TENANTS.scope(setting(scope), work).await
}

/// The current task's setting, if it runs inside [`within`].
pub fn current() -> Option<String> {
    TENANTS.try_with(Clone::clone).ok()
}

/// Spawns `work` on a new task that keeps the current task's restriction (DataLoaders batch on
/// tasks of their own).
pub fn spawn<F>(work: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    // The request's SQL tally goes along too (`/metrics`: statements per request).
    let work = crate::metrics::carry(work);
    match current() {
        Some(tenants) => tokio::spawn(TENANTS.scope(tenants, work)),
        None => tokio::spawn(work),
    }
}

/// Puts the current restriction on a connection (the pool calls this on every acquire).
pub async fn apply(
    connection: &mut sea_orm::sqlx::PgConnection,
) -> Result<(), sea_orm::sqlx::Error> {
    sea_orm::sqlx::query("SELECT set_config('consoleai.tenants', $1, false)")
        .bind(current().unwrap_or_default())
        .execute(connection)
        .await
        .map(|_| ())
}
