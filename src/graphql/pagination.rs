//! Relay connections: `first`/`after`, `pageInfo`, `totalCount`, at most 100 per page.
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::AppError;

pub const MAX_PAGE: i32 = 100;

/// The extra field every connection has.
#[derive(SimpleObject)]
pub struct Totals {
    /// Items in the whole list, not only this page.
    pub total_count: u64,
}

/// A cursor: the opaque form of the last item's sort key.
pub struct KeyCursor(pub String);

impl CursorType for KeyCursor {
    type Error = String;
    fn decode_cursor(s: &str) -> Result<Self, String> {
        URL_SAFE_NO_PAD
            .decode(s)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| t.strip_prefix("k:").map(str::to_string))
            .map(KeyCursor)
            .ok_or_else(|| "invalid cursor".to_string())
    }
    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("k:{}", self.0))
    }
}

pub type KeyConnection<T> = Connection<KeyCursor, T, Totals>;

/// The complexity of a page: its items' complexity times the page size asked for (default 50,
/// at most 100), so a query's cost grows with what it can return.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    first.unwrap_or(50).clamp(1, MAX_PAGE) as usize * child_complexity + 1
}

/// Checks `first` and `after`: the page size (1..=100) and the key to start after.
pub fn page_args(
    first: Option<i32>,
    after: Option<String>,
) -> Result<(u64, Option<String>), AppError> {
    let first = first.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(AppError::bad_input(format!(
            "first must be between 1 and {MAX_PAGE}, got {first}"
        )));
    }
    let after = match after {
        None => None,
        Some(cursor) => Some(
            KeyCursor::decode_cursor(&cursor)
                .map_err(|_| AppError::bad_input("after is not a cursor from this list"))?
                .0,
        ),
    };
    Ok((first as u64, after))
}

/// `page_args` for lists whose cursor is a row id.
pub fn id_page_args(
    first: Option<i32>,
    after: Option<String>,
) -> Result<(u64, Option<i64>), AppError> {
    let (limit, after) = page_args(first, after)?;
    let after = after
        .map(|a| {
            a.parse::<i64>()
                .map_err(|_| AppError::bad_input("after is not a cursor from this list"))
        })
        .transpose()?;
    Ok((limit, after))
}

/// A connection from one page of rows, each given its cursor key and its node by `node`.
pub fn page_connection<M, T: OutputType>(
    page: crate::db::Page<M>,
    had_after: bool,
    node: impl Fn(M) -> (String, T),
) -> KeyConnection<T> {
    connection(
        page.items.into_iter().map(node).collect(),
        had_after,
        page.has_next,
        page.total_count,
    )
}

/// Builds a connection from one page of items and their keys.
pub fn connection<T: OutputType>(
    items: Vec<(String, T)>,
    had_after: bool,
    has_next: bool,
    total_count: u64,
) -> KeyConnection<T> {
    let mut connection =
        Connection::with_additional_fields(had_after, has_next, Totals { total_count });
    connection.edges.extend(
        items
            .into_iter()
            .map(|(key, node)| Edge::new(KeyCursor(key), node)),
    );
    connection
}
