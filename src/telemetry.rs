//! Structured logs: JSON lines with the request id, subject, tenant, operation and duration.
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Installs the global subscriber, writing to stderr (stdout is for command output such as
/// `consoleai schema` and `consoleai token`). `RUST_LOG` filters (default `info`); `json` picks JSON lines.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init()
    } else {
        registry
            .with(fmt::layer().with_writer(std::io::stderr).with_target(false))
            .try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `future` with `id` as the current request id, so audit records written anywhere below it
/// carry the id the HTTP layer assigned.
pub async fn with_request_id<F: std::future::Future>(id: String, future: F) -> F::Output {
    REQUEST_ID.scope(id, future).await
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
