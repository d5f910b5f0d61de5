//! GraphQL over HTTP as graphql-over-http.org specifies it: what a request may be, and how an
//! answer is shaped and given its status.
//!
//! * POST only with `Content-Type: application/json` (else 415): a browser cannot send that
//!   cross-site without a CORS preflight, so `text/plain` and form posts — the CSRF vectors —
//!   never reach the schema. A body that is not JSON, or not a GraphQL request, is 400; a JSON
//!   array (a batch) is 400 as batching is not offered.
//! * GET only for queries (a mutation or subscription is 405 with `Allow: POST`).
//! * The answer is `application/json` when that is all the client accepts, else
//!   `application/graphql-response+json`. Under the latter, a request error — the document does
//!   not parse, breaks a limit, fails validation, or its variables do not coerce — is 400 with no
//!   `data` key; under `application/json` such errors keep the legacy 200 (as the specification
//!   asks), except parse and limit errors, which are 400 in both.
use std::collections::HashMap;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The media type the answer is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphqlResponseJson,
    Json,
}

impl Media {
    /// `application/json` only when the client accepts that and not the GraphQL media type.
    pub fn negotiate(headers: &HeaderMap) -> Media {
        let accept = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|part| {
                part.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect::<Vec<_>>();
        let graphql = accept.iter().any(|m| m == GRAPHQL_RESPONSE_JSON);
        let json = accept.iter().any(|m| m == "application/json");
        if json && !graphql {
            Media::Json
        } else {
            Media::GraphqlResponseJson
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Media::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        })
    }
}

/// What a request body held.
pub enum Decoded {
    Single(Box<async_graphql::Request>),
    Batch(Vec<async_graphql::Request>),
}

/// A request refused before anything ran: its status and the error.
pub struct Refused {
    pub status: StatusCode,
    pub error: AppError,
    pub allow_post_only: bool,
}

impl Refused {
    fn new(status: StatusCode, message: impl Into<String>) -> Refused {
        Refused {
            status,
            error: AppError::BadUserInput(message.into()),
            allow_post_only: false,
        }
    }

    pub fn into_response(self, media: Media) -> Response {
        let body = self.error.body();
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, media.content_type())],
            body.to_string(),
        )
            .into_response();
        if self.allow_post_only {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// The GraphQL request(s) a POST body or a GET query string carries: one, or — when batching is
/// on (`max_batch` > 0) and the body is a JSON array — up to `max_batch`.
pub fn decode(
    method: &Method,
    headers: &HeaderMap,
    uri: &Uri,
    body: &Bytes,
    max_batch: usize,
) -> Result<Decoded, Refused> {
    match *method {
        Method::POST => {
            let json = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(';').next())
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
            if !json {
                return Err(Refused::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "POST bodies must be Content-Type: application/json",
                ));
            }
            let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
                Refused::new(
                    StatusCode::BAD_REQUEST,
                    format!("the body is not JSON: {e}"),
                )
            })?;
            let one = |value: serde_json::Value| {
                serde_json::from_value(value).map_err(|e| {
                    Refused::new(
                        StatusCode::BAD_REQUEST,
                        format!("the body is not a GraphQL request: {e}"),
                    )
                })
            };
            match value {
                serde_json::Value::Array(_) if max_batch == 0 => Err(Refused::new(
                    StatusCode::BAD_REQUEST,
                    "batched requests are not accepted: send one request per POST",
                )),
                serde_json::Value::Array(items) if items.is_empty() || items.len() > max_batch => {
                    Err(Refused::new(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "a batch holds 1 to {max_batch} requests, not {}",
                            items.len()
                        ),
                    ))
                }
                serde_json::Value::Array(items) => Ok(Decoded::Batch(
                    items.into_iter().map(one).collect::<Result<_, _>>()?,
                )),
                value => Ok(Decoded::Single(Box::new(one(value)?))),
            }
        }
        Method::GET => {
            let params: HashMap<String, String> = axum::extract::Query::try_from_uri(uri)
                .map(|q| q.0)
                .map_err(|e| {
                    Refused::new(StatusCode::BAD_REQUEST, format!("bad query string: {e}"))
                })?;
            let query = params.get("query").cloned().unwrap_or_default();
            let mut request = async_graphql::Request::new(query);
            request.operation_name = params.get("operationName").cloned();
            if let Some(variables) = params.get("variables").filter(|v| !v.is_empty()) {
                let value: serde_json::Value = serde_json::from_str(variables).map_err(|e| {
                    Refused::new(
                        StatusCode::BAD_REQUEST,
                        format!("the variables parameter is not JSON: {e}"),
                    )
                })?;
                request.variables = async_graphql::Variables::from_json(value);
            }
            if let Some(extensions) = params.get("extensions").filter(|v| !v.is_empty()) {
                request.extensions = serde_json::from_str(extensions).map_err(|e| {
                    Refused::new(
                        StatusCode::BAD_REQUEST,
                        format!("the extensions parameter is not a JSON object: {e}"),
                    )
                })?;
            }
            Ok(Decoded::Single(Box::new(request)))
        }
        _ => Err(Refused {
            allow_post_only: true,
            ..Refused::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "use POST (or GET for queries)",
            )
        }),
    }
}

/// Refuses a GET whose selected operation is not a query.
pub fn check_get(
    method: &Method,
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<(), Refused> {
    if *method != Method::GET {
        return Ok(());
    }
    let ty = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    };
    match ty {
        Some(OperationType::Query) | None => Ok(()),
        Some(_) => Err(Refused {
            allow_post_only: true,
            ..Refused::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "only queries may be sent with GET; send mutations with POST",
            )
        }),
    }
}

/// The answer with the status and shape its media type calls for.
pub fn answer(response: async_graphql::Response, media: Media) -> Response {
    let (status, body) = shaped(response, media);
    (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        body.to_string(),
    )
        .into_response()
}

/// The answers of a batch, in order, as one JSON array (200: each answer carries its errors).
pub fn answer_batch(responses: Vec<async_graphql::Response>, media: Media) -> Response {
    let bodies: Vec<serde_json::Value> =
        responses.into_iter().map(|r| shaped(r, media).1).collect();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, media.content_type())],
        serde_json::Value::Array(bodies).to_string(),
    )
        .into_response()
}

/// One answer's status and body.
fn shaped(response: async_graphql::Response, media: Media) -> (StatusCode, serde_json::Value) {
    let rate_limited = response
        .errors
        .iter()
        .any(|e| code_of(e) == Some(AppError::RateLimited.code()));
    // Nothing ran: no data, and errors that belong to no field.
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    let status = if rate_limited {
        StatusCode::TOO_MANY_REQUESTS
    } else if request_error && media == Media::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = response;
    for error in &mut response.errors {
        // Parse, validation and variable errors come from the GraphQL engine without a code;
        // they are the client's to fix.
        if code_of(error).is_none() {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", AppError::bad_input("").code());
        }
    }
    let mut body = serde_json::to_value(&response).unwrap_or_default();
    if request_error && media == Media::GraphqlResponseJson {
        if let Some(object) = body.as_object_mut() {
            object.remove("data");
        }
    }
    (status, body)
}

fn code_of(error: &async_graphql::ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

/// A document refused by the limits or the parser: 400 whatever the media type.
pub fn refused_document(error: crate::graphql::limits::LimitError) -> Refused {
    match error {
        crate::graphql::limits::LimitError::Parse(message) => Refused::new(
            StatusCode::BAD_REQUEST,
            format!("the document does not parse: {message}"),
        ),
        crate::graphql::limits::LimitError::Limit(message) => {
            Refused::new(StatusCode::BAD_REQUEST, message)
        }
    }
}

/// Automatic persisted queries (Apollo's protocol): a client sends a document's SHA-256 instead of
/// the document; the server answers `PersistedQueryNotFound` the first time, the client resends
/// hash and document, and from then on the hash alone is enough. The documents are kept per
/// process, the most recently used first.
pub struct PersistedQueries(std::sync::Mutex<cached::stores::LruCache<String, String>>);

/// Documents remembered per process.
const PERSISTED_QUERIES: usize = 10_000;

impl Default for PersistedQueries {
    fn default() -> Self {
        PersistedQueries(std::sync::Mutex::new(cached::stores::LruCache::new(
            PERSISTED_QUERIES,
        )))
    }
}

impl PersistedQueries {
    /// Fills in the document of a request that names one by hash, or remembers the document a
    /// request sends with its hash. `Err` is the answer to give instead (not found: 200, as
    /// clients expect; a hash that does not match its document: 400).
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<(), Refused> {
        use cached::Cached;
        use sha2::{Digest, Sha256};
        let Some(async_graphql::Value::Object(persisted)) =
            request.extensions.0.get("persistedQuery")
        else {
            return Ok(());
        };
        let Some(async_graphql::Value::String(hash)) = persisted.get("sha256Hash") else {
            return Err(Refused::new(
                StatusCode::BAD_REQUEST,
                "extensions.persistedQuery.sha256Hash is missing",
            ));
        };
        let hash = hash.to_ascii_lowercase();
        let mut store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if request.query.is_empty() {
            return match store.cache_get(&hash) {
                Some(query) => {
                    request.query = query.clone();
                    Ok(())
                }
                None => Err(Refused::new(StatusCode::OK, "PersistedQueryNotFound")),
            };
        }
        let actual: String = Sha256::digest(request.query.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if actual != hash {
            return Err(Refused::new(
                StatusCode::BAD_REQUEST,
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query",
            ));
        }
        store.cache_set(hash, request.query.clone());
        Ok(())
    }
}
