//! Process metrics in the Prometheus text format, served at `/metrics`.
//!
//! Counters and histograms are plain atomics in one process-wide registry: recording is a few
//! relaxed increments on the request path, and only a scrape takes locks. SQL statements are
//! counted by the database connection's metric callback ([`record_statement`]); the statements
//! of one GraphQL request are also summed in a task-local that the request and the DataLoader
//! tasks it spawns share ([`within_request`], [`carry`]), which gives the statements and SQL
//! time *per request*.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

/// Latency buckets, seconds.
const SECONDS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Statements-per-request buckets.
const STATEMENTS: [f64; 9] = [0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 500.0];
/// Operation names are chosen by clients: past this many distinct ones, the rest are counted
/// under `other`, so a client cannot grow the registry without bound.
const MAX_OPERATIONS: usize = 200;

/// A cumulative histogram with fixed upper bounds.
struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    /// Sum of observations, in millionths (µs for seconds).
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    fn observe(&self, value: f64) {
        if let Some(i) = self.bounds.iter().position(|b| value <= *b) {
            self.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        self.sum_micros
            .fetch_add((value * 1e6).round() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {cumulative}"
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{} {sum}", braces(labels));
        let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
    }
}

/// Where a cached answer came from.
#[derive(Clone, Copy, Debug)]
pub enum CacheOutcome {
    /// This process's memory.
    LocalHit,
    /// The cache replicas share (Redis).
    SharedHit,
    /// Computed from the database.
    Miss,
}

struct Registry {
    requests: Mutex<BTreeMap<String, Arc<Histogram>>>,
    request_errors: Mutex<BTreeMap<String, u64>>,
    statements_per_request: Histogram,
    sql_seconds_per_request: Histogram,
    statements: AtomicU64,
    failed_statements: AtomicU64,
    sql_micros: AtomicU64,
    cache: [AtomicU64; 3],
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| Registry {
    requests: Mutex::new(BTreeMap::new()),
    request_errors: Mutex::new(BTreeMap::new()),
    statements_per_request: Histogram::new(&STATEMENTS),
    sql_seconds_per_request: Histogram::new(&SECONDS),
    statements: AtomicU64::new(0),
    failed_statements: AtomicU64::new(0),
    sql_micros: AtomicU64::new(0),
    cache: Default::default(),
});

/// The SQL one request ran so far.
#[derive(Default, Debug)]
pub struct RequestSql {
    pub statements: AtomicU64,
    pub micros: AtomicU64,
}

tokio::task_local! {
    static REQUEST_SQL: Arc<RequestSql>;
}

/// Runs `future` counting its SQL into `sql`.
pub async fn within_request<F: std::future::Future>(sql: Arc<RequestSql>, future: F) -> F::Output {
    REQUEST_SQL.scope(sql, future).await
}

/// `work`, counting into the current request's SQL tally when there is one (for tasks a request
/// spawns, such as DataLoader batches).
pub fn carry<F: std::future::Future>(work: F) -> impl std::future::Future<Output = F::Output> {
    let current = REQUEST_SQL.try_with(Arc::clone).ok();
    async move {
        match current {
            Some(sql) => REQUEST_SQL.scope(sql, work).await,
            None => work.await,
        }
    }
}

/// The database connection's metric callback: one statement ran for `elapsed`.
pub fn record_statement(elapsed: Duration, failed: bool) {
    let micros = elapsed.as_micros() as u64;
    let r = &*REGISTRY;
    r.statements.fetch_add(1, Ordering::Relaxed);
    r.sql_micros.fetch_add(micros, Ordering::Relaxed);
    if failed {
        r.failed_statements.fetch_add(1, Ordering::Relaxed);
    }
    let _ = REQUEST_SQL.try_with(|sql| {
        sql.statements.fetch_add(1, Ordering::Relaxed);
        sql.micros.fetch_add(micros, Ordering::Relaxed);
    });
}

/// One GraphQL request finished.
pub fn record_request(operation: Option<&str>, elapsed: Duration, errors: bool, sql: &RequestSql) {
    let r = &*REGISTRY;
    let histogram = {
        let mut requests = r.requests.lock().unwrap_or_else(|p| p.into_inner());
        let name = operation.filter(|n| is_metric_safe(n)).unwrap_or("-");
        let name = if requests.contains_key(name) || requests.len() < MAX_OPERATIONS {
            name
        } else {
            "other"
        };
        if errors {
            *r.request_errors
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(name.to_string())
                .or_default() += 1;
        }
        match requests.get(name) {
            Some(histogram) => histogram.clone(),
            None => requests
                .entry(name.to_string())
                .or_insert_with(|| Arc::new(Histogram::new(&SECONDS)))
                .clone(),
        }
    };
    histogram.observe(elapsed.as_secs_f64());
    r.statements_per_request
        .observe(sql.statements.load(Ordering::Relaxed) as f64);
    r.sql_seconds_per_request
        .observe(sql.micros.load(Ordering::Relaxed) as f64 / 1e6);
}

/// A GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`) needs no escaping in a label.
fn is_metric_safe(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub fn record_cache(outcome: CacheOutcome) {
    REGISTRY.cache[outcome as usize].fetch_add(1, Ordering::Relaxed);
}

/// What a scrape reads from outside the registry: the pool and the import history.
#[derive(Debug, Default)]
pub struct Gauges {
    pub pool_size: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
    /// (kind, format) → rows loaded by finished imports.
    pub import_rows: Vec<(String, String, i64)>,
    /// (kind, status) → import batches.
    pub import_batches: Vec<(String, String, i64)>,
}

/// The exposition text.
pub fn render(gauges: &Gauges) -> String {
    let r = &*REGISTRY;
    let mut out = String::with_capacity(8 * 1024);
    out.push_str(
        "# HELP consoleai_graphql_request_duration_seconds GraphQL requests by operation name.\n",
    );
    out.push_str("# TYPE consoleai_graphql_request_duration_seconds histogram\n");
    let requests: Vec<(String, Arc<Histogram>)> = r
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (operation, histogram) in &requests {
        histogram.render(
            &mut out,
            "consoleai_graphql_request_duration_seconds",
            &format!("operation=\"{operation}\""),
        );
    }
    out.push_str(
        "# HELP consoleai_graphql_request_errors_total GraphQL requests answered with errors.\n",
    );
    out.push_str("# TYPE consoleai_graphql_request_errors_total counter\n");
    for (operation, count) in r
        .request_errors
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        let _ = writeln!(
            out,
            "consoleai_graphql_request_errors_total{{operation=\"{operation}\"}} {count}"
        );
    }
    out.push_str(
        "# HELP consoleai_sql_statements_per_request SQL statements one GraphQL request ran.\n",
    );
    out.push_str("# TYPE consoleai_sql_statements_per_request histogram\n");
    r.statements_per_request
        .render(&mut out, "consoleai_sql_statements_per_request", "");
    out.push_str("# HELP consoleai_sql_seconds_per_request Time one GraphQL request spent in SQL statements.\n");
    out.push_str("# TYPE consoleai_sql_seconds_per_request histogram\n");
    r.sql_seconds_per_request
        .render(&mut out, "consoleai_sql_seconds_per_request", "");
    let counters = [
        (
            "consoleai_sql_statements_total",
            "SQL statements run by this process.",
            r.statements.load(Ordering::Relaxed) as f64,
        ),
        (
            "consoleai_sql_failed_statements_total",
            "SQL statements that failed.",
            r.failed_statements.load(Ordering::Relaxed) as f64,
        ),
        (
            "consoleai_sql_seconds_total",
            "Time spent in SQL statements.",
            r.sql_micros.load(Ordering::Relaxed) as f64 / 1e6,
        ),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
        );
    }
    out.push_str(
        "# HELP consoleai_cache_requests_total Cached cost answers asked for, by outcome.\n",
    );
    out.push_str("# TYPE consoleai_cache_requests_total counter\n");
    for (label, i) in [("local_hit", 0), ("shared_hit", 1), ("miss", 2)] {
        let _ = writeln!(
            out,
            "consoleai_cache_requests_total{{outcome=\"{label}\"}} {}",
            r.cache[i].load(Ordering::Relaxed)
        );
    }
    let pool = [
        (
            "consoleai_db_pool_connections",
            "Open database connections.",
            gauges.pool_size,
        ),
        (
            "consoleai_db_pool_idle_connections",
            "Idle database connections.",
            gauges.pool_idle,
        ),
        (
            "consoleai_db_pool_max_connections",
            "The pool's limit.",
            gauges.pool_max,
        ),
    ];
    for (name, help, value) in pool {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
        );
    }
    out.push_str("# HELP consoleai_import_rows Rows loaded by finished imports (all processes), by kind and format.\n");
    out.push_str("# TYPE consoleai_import_rows gauge\n");
    for (kind, format, rows) in &gauges.import_rows {
        let _ = writeln!(
            out,
            "consoleai_import_rows{{kind=\"{}\",format=\"{}\"}} {rows}",
            label(kind),
            label(format)
        );
    }
    out.push_str(
        "# HELP consoleai_import_batches Import runs (all processes), by kind and status.\n",
    );
    out.push_str("# TYPE consoleai_import_batches gauge\n");
    for (kind, status, count) in &gauges.import_batches {
        let _ = writeln!(
            out,
            "consoleai_import_batches{{kind=\"{}\",status=\"{}\"}} {count}",
            label(kind),
            label(status)
        );
    }
    out
}

/// A label value with `\`, `"` and newlines escaped.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_with_sum_and_count() {
        let h = Histogram::new(&STATEMENTS);
        for v in [0.0, 1.0, 3.0, 3.0, 1000.0] {
            h.observe(v);
        }
        let mut out = String::new();
        h.render(&mut out, "x", "");
        assert!(out.contains("x_bucket{le=\"0\"} 1\n"), "{out}");
        assert!(out.contains("x_bucket{le=\"2\"} 2\n"));
        assert!(out.contains("x_bucket{le=\"5\"} 4\n"));
        assert!(out.contains("x_bucket{le=\"500\"} 4\n"));
        assert!(out.contains("x_bucket{le=\"+Inf\"} 5\n"));
        assert!(out.contains("x_sum 1007\n"));
        assert!(out.contains("x_count 5\n"));
    }

    #[test]
    fn client_chosen_names_cannot_break_the_format() {
        assert!(is_metric_safe("TenantFinops"));
        assert!(!is_metric_safe("a\"} 1\nevil{x=\"y"));
        assert!(!is_metric_safe(""));
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
