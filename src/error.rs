//! The one error type of the API.
//!
//! Every failure a client can see is one of these variants, mapped to a GraphQL
//! `extensions.code`. `AppError` deliberately does not implement `Display`: async-graphql turns any
//! `Display` type into an error *without* a code, so keeping it out forces every conversion through
//! [`From<AppError> for async_graphql::Error`], which is the only place codes are assigned and
//! internals are hidden (they are logged, never shown).
use async_graphql::ErrorExtensions;

#[derive(Debug)]
pub enum AppError {
    /// No token, a bad token or an expired one.
    Unauthenticated(String),
    /// A known caller lacking the role for what it asked.
    Forbidden(String),
    /// Does not exist, or belongs to a tenant the caller may not see (indistinguishable on purpose).
    NotFound(String),
    /// The request itself is wrong; the message names the argument.
    BadUserInput(String),
    Conflict(String),
    RateLimited,
    /// Anything else. The message is logged with the request id and never sent to the client.
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound(_) => "NOT_FOUND",
            AppError::BadUserInput(_) => "BAD_USER_INPUT",
            AppError::Conflict(_) => "CONFLICT",
            AppError::RateLimited => "RATE_LIMITED",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// The message a client may read.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Unauthenticated(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::BadUserInput(m)
            | AppError::Conflict(m) => m.clone(),
            AppError::RateLimited => "too many requests; retry later".into(),
            AppError::Internal(_) => "internal error".into(),
        }
    }

    /// The GraphQL-shaped body of an error answered outside GraphQL execution (401, 4xx of the
    /// transport, the report): `{"errors": [{message, extensions: {code}}]}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "errors": [{ "message": self.public_message(), "extensions": { "code": self.code() } }]
        })
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        AppError::BadUserInput(message.into())
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        AppError::Internal(message.to_string())
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        AppError::Internal(format!("database: {err}"))
    }
}

impl From<sea_orm::TransactionError<sea_orm::DbErr>> for AppError {
    fn from(err: sea_orm::TransactionError<sea_orm::DbErr>) -> Self {
        AppError::Internal(format!("database transaction: {err}"))
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(detail) = &err {
            tracing::error!(
                request_id = crate::telemetry::current_request_id().as_deref(),
                error = %detail,
                "internal error"
            );
        }
        let code = err.code();
        // The request id lets a client quote the failure; the details stay in the log under it.
        let request_id =
            crate::telemetry::current_request_id().filter(|_| matches!(err, AppError::Internal(_)));
        async_graphql::Error::new(err.public_message()).extend_with(|_, e| {
            e.set("code", code);
            if let Some(id) = &request_id {
                e.set("requestId", id.as_str());
            }
        })
    }
}
