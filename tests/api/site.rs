//! The browser dashboard served at `/`: hashed assets cached for good, the page revalidated, the
//! browser's own routes answered with the page, a content security policy on every answer, and
//! nothing outside the built folder reachable.
use std::path::PathBuf;

use crate::support::{fresh_db, spawn_app_configured};

/// A built dashboard as Vite lays it out: `index.html` naming a content-hashed script.
fn built_dashboard() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("consoleai-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        r#"<!doctype html><html><head><script type="module" src="/assets/index-3f9a1c.js"></script></head><body><div id="root"></div></body></html>"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("assets/index-3f9a1c.js"),
        "console.log('dashboard')",
    )
    .unwrap();
    std::fs::write(
        dir.join("assets/index-3f9a1c.css"),
        "body { margin: 0 }\n".repeat(200),
    )
    .unwrap();
    std::fs::write(
        dir.join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    // A file beside the folder that must stay out of reach.
    std::fs::write(dir.with_extension("secret"), "not for browsers").unwrap();
    dir
}

#[tokio::test]
async fn serves_the_built_dashboard_with_caching_and_policy_headers() {
    let dir = built_dashboard();
    let site = dir.clone();
    let app =
        spawn_app_configured(fresh_db().await, move |s| s.dashboard.dashboard_dir = site).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();

    let page = get("/").await.unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    let csp = headers["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self';",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("/assets/index-3f9a1c.js"));

    // The browser's own routes get the page, revalidated like it.
    let route = get("/tenants/ou-abcd-11111111/finops").await.unwrap();
    assert_eq!(route.status(), 200);
    assert_eq!(route.headers()["cache-control"], "no-cache");
    assert!(route.text().await.unwrap().contains("<div id=\"root\">"));

    let script = get("/assets/index-3f9a1c.js").await.unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(script.text().await.unwrap(), "console.log('dashboard')");
    // Bigger files go out gzipped to clients that take it.
    let style = app
        .client
        .get(format!("{}/assets/index-3f9a1c.css", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(style.headers()["content-encoding"], "gzip");
    assert_eq!(style.headers()["content-type"], "text/css; charset=utf-8");
    assert_eq!(
        style.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let icon = get("/favicon.svg").await.unwrap();
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert_eq!(icon.headers()["cache-control"], "no-cache");

    // Last build's script is a 404, not the page under a script's name.
    assert_eq!(get("/assets/index-000000.js").await.unwrap().status(), 404);
    assert_eq!(get("/robots.txt").await.unwrap().status(), 404);
    let name = dir.with_extension("secret");
    let name = name.file_name().unwrap().to_str().unwrap();
    for escape in [
        format!("/%2e%2e/{name}"),
        format!("/assets/%2E%2E/%2E%2E/{name}"),
    ] {
        let answer = get(&escape).await.unwrap();
        assert_eq!(answer.status(), 404, "{escape}");
        assert!(!answer.text().await.unwrap().contains("not for browsers"));
    }

    // The API routes are untouched by the fallback.
    assert_eq!(get("/healthz").await.unwrap().text().await.unwrap(), "ok");
    let config: serde_json::Value = get("/auth/config").await.unwrap().json().await.unwrap();
    assert_eq!(config, serde_json::json!({ "mode": "token" }));
    let unknown_post = app
        .client
        .post(format!("{}/nowhere", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown_post.status(), 404);
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_file(dir.with_extension("secret")).ok();
}

#[tokio::test]
async fn an_identity_provider_is_announced_and_allowed_by_the_policy() {
    let app = spawn_app_configured(fresh_db().await, |s| {
        s.dashboard.oidc_issuer = Some("https://login.example.com/realms/acme".into());
        s.dashboard.oidc_client_id = Some("consoleai-dashboard".into());
    })
    .await;
    let config: serde_json::Value = app
        .client
        .get(format!("{}/auth/config", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["mode"], "oidc");
    assert_eq!(config["issuer"], "https://login.example.com/realms/acme");
    assert_eq!(config["clientId"], "consoleai-dashboard");
    assert_eq!(config["scope"], "openid profile email");
    assert_eq!(config["audience"], serde_json::Value::Null);
}

#[tokio::test]
async fn an_unbuilt_dashboard_says_how_to_build_it() {
    let missing = std::env::temp_dir().join(format!("consoleai-unbuilt-{}", uuid::Uuid::new_v4()));
    let app = spawn_app_configured(fresh_db().await, move |s| {
        s.dashboard.dashboard_dir = missing
    })
    .await;
    let answer = app
        .client
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert!(answer
        .text()
        .await
        .unwrap()
        .contains("npm ci && npm run build"));
}
