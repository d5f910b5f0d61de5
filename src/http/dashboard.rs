//! The browser dashboard: the files `npm run build` writes to `dashboard/dist`, served at `/`.
//!
//! Vite names every asset after its content (`/assets/index-3f9a1c.js`), so those are cached for
//! a year and never revalidated; `index.html` names the current assets, so it is revalidated on
//! every load (`no-cache`) and a new build reaches browsers at once. Any other GET path that is
//! neither an API route nor a built file answers `index.html`: the dashboard routes in the
//! browser. Every answer carries a content security policy that allows only this origin (plus
//! the identity provider's, for the token exchange), so an injected script has nowhere to run
//! from and nowhere to send what it reads.
use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::AppState;
use crate::config::DashboardSettings;

/// Where the dashboard lives and the headers its answers carry.
pub struct DashboardSite {
    dir: PathBuf,
    csp: HeaderValue,
    auth: serde_json::Value,
}

impl DashboardSite {
    pub fn new(settings: &DashboardSettings) -> Result<DashboardSite, String> {
        let oidc = settings.oidc()?;
        // Where the page may connect: this origin (HTTP and its WebSocket), the identity
        // provider's (discovery and the token exchange) and any configured extra.
        let mut connect = vec!["'self'".to_string(), "ws:".into(), "wss:".into()];
        connect.extend(oidc.map(|(issuer, _)| origin(issuer)));
        for extra in settings.connect_origins.iter().flat_map(|o| o.split(',')) {
            let extra = extra.trim();
            if extra.is_empty() {
                continue;
            }
            if !(extra.starts_with("https://") || extra.starts_with("http://"))
                || extra.contains([' ', ';', '\'', '"'])
            {
                return Err(format!(
                    "CONSOLEAI_DASHBOARD_CONNECT_ORIGINS: {extra:?} is not an http(s) origin"
                ));
            }
            connect.push(origin(extra));
        }
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
             font-src 'self'; connect-src {}; frame-ancestors 'none'; \
             base-uri 'self'; form-action 'self'; object-src 'none'",
            connect.join(" ")
        );
        let auth = match oidc {
            None => serde_json::json!({ "mode": "token" }),
            Some((issuer, client_id)) => serde_json::json!({
                "mode": "oidc",
                "issuer": issuer,
                "clientId": client_id,
                "scope": settings.oidc_scope,
                "audience": settings.oidc_audience,
            }),
        };
        Ok(DashboardSite {
            dir: settings.dashboard_dir.clone(),
            csp: HeaderValue::from_str(&csp)
                .map_err(|e| format!("content security policy: {e}"))?,
            auth,
        })
    }
}

/// `scheme://host[:port]` of a URL (the CSP names origins, not paths).
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("https", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}")
}

/// `GET /auth/config`: how the dashboard signs in.
pub async fn auth_config(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Json(state.dashboard.auth.clone()),
    )
}

/// Every request no other route took.
pub async fn serve(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::NOT_FOUND.into_response();
    }
    let site = &state.dashboard;
    let Some(relative) = safe_relative(uri.path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let immutable = relative.starts_with("assets");
    let wanted = site.dir.join(&relative);
    let (path, cache) = if !relative.as_os_str().is_empty() && wanted.is_file() {
        let cache = if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        (wanted, cache)
    } else if immutable || has_extension(&relative) {
        // A missing hashed asset or file is a 404, not the page: a stale `index.html` asking for
        // last build's script must fail loudly rather than get HTML back as JavaScript.
        return StatusCode::NOT_FOUND.into_response();
    } else {
        (site.dir.join("index.html"), "no-cache")
    };
    let body = match tokio::fs::read(&path).await {
        Ok(body) => body,
        Err(_) => return not_built(&site.dir),
    };
    let mut response = Response::new(if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(body)
    });
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&path)),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, site.csp.clone());
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The request path as a path under the dashboard folder; `None` when it tries to leave it.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path.trim_start_matches('/'))?;
    let relative = Path::new(&decoded);
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| relative.to_path_buf())
}

fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out).ok()?;
    (!decoded.contains('\\') && !decoded.contains('\0')).then_some(decoded)
}

fn has_extension(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.contains('.'))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The dashboard has not been built: say how, rather than a bare 404.
fn not_built(dir: &Path) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-cache")],
        format!(
            "The dashboard is not built ({} has no index.html). Build it with \
             `npm ci && npm run build` in dashboard/, or point CONSOLEAI_DASHBOARD_DIR at a built copy. \
             The API is at /graphql, GraphiQL at /graphiql.\n",
            dir.display()
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_folder_are_refused() {
        assert_eq!(safe_relative("/assets/a.js"), Some("assets/a.js".into()));
        assert_eq!(safe_relative("/"), Some("".into()));
        assert_eq!(
            safe_relative("/tenants/ou-1/finops"),
            Some("tenants/ou-1/finops".into())
        );
        for bad in [
            "/../secret",
            "/assets/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2E%2E/x",
            "/..%5c..%5cwin.ini",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_policy_names_the_identity_provider_only_when_configured() {
        let site = DashboardSite::new(&DashboardSettings::default()).unwrap();
        let csp = site.csp.to_str().unwrap();
        assert!(csp.contains("connect-src 'self' ws: wss:;"), "{csp}");
        assert!(csp.contains("script-src 'self';"));
        assert_eq!(site.auth, serde_json::json!({ "mode": "token" }));

        let settings = DashboardSettings {
            oidc_issuer: Some("https://login.example.com/realms/acme".into()),
            oidc_client_id: Some("dashboard".into()),
            ..Default::default()
        };
        let site = DashboardSite::new(&settings).unwrap();
        let csp = site.csp.to_str().unwrap();
        assert!(
            csp.contains("connect-src 'self' ws: wss: https://login.example.com;"),
            "{csp}"
        );
        assert_eq!(site.auth["mode"], "oidc");
        assert_eq!(site.auth["clientId"], "dashboard");

        let cognito = DashboardSettings {
            oidc_issuer: Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc".into()),
            oidc_client_id: Some("dashboard".into()),
            connect_origins: Some(
                "https://acme.auth.eu-west-1.amazoncognito.com/oauth2/token".into(),
            ),
            ..Default::default()
        };
        let csp = DashboardSite::new(&cognito)
            .unwrap()
            .csp
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            csp.contains("connect-src 'self' ws: wss: https://cognito-idp.eu-west-1.amazonaws.com https://acme.auth.eu-west-1.amazoncognito.com;"),
            "{csp}"
        );
        let injected = DashboardSettings {
            connect_origins: Some("https://x.example; script-src *".into()),
            ..Default::default()
        };
        assert!(DashboardSite::new(&injected).is_err());

        let half = DashboardSettings {
            oidc_issuer: Some("https://login.example.com".into()),
            ..Default::default()
        };
        assert!(DashboardSite::new(&half)
            .err()
            .unwrap()
            .contains("CONSOLEAI_OIDC_CLIENT_ID"));
    }
}
