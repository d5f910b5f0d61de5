//! Identity-provider tokens over real HTTP: RS256/ES256 checked against a JWKS served by a local
//! test server (key rotation, refetch limits, the server down), and the attacks a bearer-token
//! endpoint must refuse with 401 UNAUTHENTICATED.
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::*;

const VIEWER: &str = "query { viewer { subject role tenantOuIds } }";
const ISSUER: &str = "https://idp.example.com/pool";
const AUDIENCE: &str = "consoleai-client";

/// A stand-in identity provider: serves a JWKS it can rotate, counts fetches, can go down.
struct Idp {
    url: String,
    jwks: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
    up: Arc<AtomicBool>,
    server: tokio::task::JoinHandle<()>,
}

impl Idp {
    async fn start(keys: Vec<Value>) -> Idp {
        let jwks = Arc::new(Mutex::new(json!({ "keys": keys })));
        let fetches = Arc::new(AtomicUsize::new(0));
        let up = Arc::new(AtomicBool::new(true));
        let (j, f, u) = (jwks.clone(), fetches.clone(), up.clone());
        let router = axum::Router::new().route(
            "/.well-known/jwks.json",
            axum::routing::get(move || {
                let (j, f, u) = (j.clone(), f.clone(), u.clone());
                async move {
                    f.fetch_add(1, Ordering::SeqCst);
                    if !u.load(Ordering::SeqCst) {
                        return (
                            axum::http::StatusCode::SERVICE_UNAVAILABLE,
                            axum::Json(json!({})),
                        );
                    }
                    let body = j.lock().unwrap().clone();
                    (axum::http::StatusCode::OK, axum::Json(body))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://{}/.well-known/jwks.json",
            listener.local_addr().unwrap()
        );
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Idp {
            url,
            jwks,
            fetches,
            up,
            server,
        }
    }

    fn rotate(&self, keys: Vec<Value>) {
        *self.jwks.lock().unwrap() = json!({ "keys": keys });
    }

    fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }

    /// Answers 503 on open connections and refuses new ones.
    fn stop(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.server.abort();
    }
}

fn rsa(pem: &str) -> EncodingKey {
    EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
}

fn ec(pem: &str) -> EncodingKey {
    EncodingKey::from_ec_pem(pem.as_bytes()).unwrap()
}

/// The public JWK of a private key, as an identity provider publishes it.
fn jwk(key: &EncodingKey, algorithm: Algorithm, kid: &str) -> Value {
    let mut jwk = Jwk::from_encoding_key(key, algorithm).unwrap();
    jwk.common.key_id = Some(kid.into());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    serde_json::to_value(jwk).unwrap()
}

fn key_a() -> Value {
    jwk(&rsa(RSA_A), Algorithm::RS256, "a")
}

fn key_b() -> Value {
    jwk(&rsa(RSA_B), Algorithm::RS256, "b")
}

fn key_c() -> Value {
    jwk(&ec(EC_C), Algorithm::ES256, "c")
}

/// The server trusting the stand-in identity provider only (no shared secret), with
/// Cognito-style claim names.
async fn idp_app(idp: &Idp, refresh_secs: u64) -> TestApp {
    let url = idp.url.clone();
    spawn_app_configured(fresh_db().await, move |s| {
        s.jwt.secret = None;
        s.jwt.algorithms = "RS256,ES256".into();
        s.jwt.jwks_url = Some(url);
        s.jwt.jwks_refresh_secs = refresh_secs;
        s.jwt.jwks_timeout_ms = 1000;
        s.jwt.issuer = ISSUER.into();
        s.jwt.audience = AUDIENCE.into();
        s.jwt.roles_claim = "cognito:groups".into();
        s.jwt.tenants_claim = "custom:tenants".into();
    })
    .await
}

/// The identity provider with keys a (RS256) and c (ES256), and the server trusting it.
async fn idp_and_app() -> (Idp, TestApp) {
    let idp = Idp::start(vec![key_a(), key_c()]).await;
    let app = idp_app(&idp, 60).await;
    (idp, app)
}

fn claims(overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": "someone", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600,
        "cognito:groups": ["devops"], "custom:tenants": ["ou-t001-aaaaaaaa"]
    });
    for (k, v) in overrides.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

fn header(algorithm: Algorithm, kid: &str) -> Header {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.into());
    header
}

fn sign_with(header: &Header, claims: &Value, key: &EncodingKey) -> String {
    encode(header, claims, key).unwrap()
}

/// RS256 with key a: what the identity provider issues.
fn rs256(claims: &Value) -> String {
    sign_with(&header(Algorithm::RS256, "a"), claims, &rsa(RSA_A))
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A token put together by hand, for what jsonwebtoken refuses to produce.
fn raw(header: Value, claims: &Value, signature: &str) -> String {
    format!("{}.{}.{signature}", b64(&header), b64(claims))
}

/// POSTs the viewer query with these Authorization header values (none, one or several).
async fn call(app: &TestApp, authorization: &[&str]) -> Answer {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": VIEWER }));
    for value in authorization {
        request = request.header(reqwest::header::AUTHORIZATION, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let body = response.json().await.expect("JSON body");
    Answer { status, body }
}

async fn assert_refused(app: &TestApp, case: &str, token: &str) {
    assert_refused_header(app, case, &[&format!("Bearer {token}")]).await;
}

async fn assert_refused_header(app: &TestApp, case: &str, authorization: &[&str]) {
    let answer = call(app, authorization).await;
    assert_eq!(answer.status, 401, "{case}: {}", answer.body);
    assert_eq!(answer.error_code(), Some("UNAUTHENTICATED"), "{case}");
    assert!(answer.body.get("data").is_none(), "{case}: {}", answer.body);
}

async fn assert_accepted(app: &TestApp, case: &str, token: &str) -> Value {
    let answer = app.graphql(Some(token), VIEWER, json!({})).await;
    assert_eq!(answer.status, 200, "{case}: {}", answer.body);
    answer.data()["viewer"].clone()
}

#[tokio::test]
async fn identity_provider_tokens_are_accepted_with_configured_claims() {
    let (idp, app) = idp_and_app().await;
    let viewer = assert_accepted(
        &app,
        "RS256",
        &rs256(&claims(json!({"cognito:groups": ["Gestor", "other"]}))),
    )
    .await;
    assert_eq!(
        viewer,
        json!({"subject": "someone", "role": "MANAGER", "tenantOuIds": ["ou-t001-aaaaaaaa"]})
    );
    let es256 = sign_with(
        &header(Algorithm::ES256, "c"),
        &claims(json!({})),
        &ec(EC_C),
    );
    assert_accepted(&app, "ES256", &es256).await;
    // Within the leeway (5 s) an expired token still passes.
    let now = chrono::Utc::now().timestamp();
    assert_accepted(
        &app,
        "within leeway",
        &rs256(&claims(json!({"exp": now - 2}))),
    )
    .await;
    // All of it from the one fetch at start-up.
    assert_eq!(idp.fetches(), 1);
}

#[tokio::test]
async fn keys_rotate_with_one_refetch_per_interval_and_survive_the_idp_going_down() {
    let idp = Idp::start(vec![key_a()]).await;
    let app = idp_app(&idp, 1).await;
    assert_eq!(idp.fetches(), 1, "fetched at start-up");
    assert_accepted(&app, "kid a", &rs256(&claims(json!({})))).await;
    assert_eq!(idp.fetches(), 1, "a cached kid needs no fetch");

    // The provider rotates to key b; once the interval has passed, kid b costs one refetch.
    idp.rotate(vec![key_b()]);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let token_b = sign_with(
        &header(Algorithm::RS256, "b"),
        &claims(json!({})),
        &rsa(RSA_B),
    );
    assert_accepted(&app, "kid b after rotation", &token_b).await;
    assert_eq!(idp.fetches(), 2);
    assert_accepted(&app, "kid b again", &token_b).await;
    assert_eq!(idp.fetches(), 2);

    // Another unknown kid within the interval: refused, and no second fetch.
    let token_c = sign_with(
        &header(Algorithm::ES256, "c"),
        &claims(json!({})),
        &ec(EC_C),
    );
    assert_refused(&app, "unknown kid within the interval", &token_c).await;
    // Key a left the set with the rotation.
    assert_refused(&app, "rotated-out kid a", &rs256(&claims(json!({})))).await;
    assert_eq!(idp.fetches(), 2, "no fetch within the interval");

    // The provider goes down: the cached key b still works; an unknown kid is still refused.
    idp.stop();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_accepted(&app, "cached kid b, IdP down", &token_b).await;
    assert_refused(&app, "unknown kid, IdP down", &token_c).await;
    assert!(idp.fetches() <= 3, "at most one attempt while down");
    assert_accepted(&app, "cached kid b after a failed refetch", &token_b).await;
}

#[tokio::test]
async fn alg_none_is_refused() {
    let (_idp, app) = idp_and_app().await;
    for alg in ["none", "None", "NONE"] {
        let token = raw(
            json!({"alg": alg, "typ": "JWT", "kid": "a"}),
            &claims(json!({})),
            "",
        );
        assert_refused(&app, alg, &token).await;
    }
    // Also against the shared-secret default.
    let app = spawn_app().await;
    let token = raw(
        json!({"alg": "none", "typ": "JWT"}),
        &json!({"sub": "x", "iss": "consoleai", "aud": "consoleai", "exp": 9999999999u64, "roles": ["admin"]}),
        "",
    );
    assert_refused(&app, "none, HS256 server", &token).await;
}

#[tokio::test]
async fn an_empty_signature_is_refused() {
    let (_idp, app) = idp_and_app().await;
    let token = rs256(&claims(json!({})));
    let unsigned = format!("{}.", token.rsplit_once('.').unwrap().0);
    assert_refused(&app, "empty signature", &unsigned).await;
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let (_idp, app) = idp_and_app().await;
    let token = rs256(&claims(json!({})));
    let parts = token.split('.').collect::<Vec<_>>();
    let forged = b64(&claims(json!({"cognito:groups": ["admin"]})));
    let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
    assert_refused(&app, "tampered payload", &tampered).await;
}

#[tokio::test]
async fn a_token_signed_with_the_wrong_key_is_refused() {
    let (_idp, app) = idp_and_app().await;
    // Key b's signature under key a's kid.
    let token = sign_with(
        &header(Algorithm::RS256, "a"),
        &claims(json!({})),
        &rsa(RSA_B),
    );
    assert_refused(&app, "wrong RSA key", &token).await;
    // An EC signature under the RSA kid, and an RSA one under the EC kid.
    let token = sign_with(
        &header(Algorithm::ES256, "a"),
        &claims(json!({})),
        &ec(EC_C),
    );
    assert_refused(&app, "ES256 under an RSA kid", &token).await;
    let token = sign_with(
        &header(Algorithm::RS256, "c"),
        &claims(json!({})),
        &rsa(RSA_A),
    );
    assert_refused(&app, "RS256 under an EC kid", &token).await;
    // No kid at all.
    let token = sign_with(
        &Header::new(Algorithm::RS256),
        &claims(json!({})),
        &rsa(RSA_A),
    );
    assert_refused(&app, "no kid", &token).await;
}

#[tokio::test]
async fn algorithms_outside_the_allowlist_are_refused() {
    let (_idp, app) = idp_and_app().await;
    for algorithm in [Algorithm::RS384, Algorithm::RS512, Algorithm::PS256] {
        let token = sign_with(&header(algorithm, "a"), &claims(json!({})), &rsa(RSA_A));
        assert_refused(&app, &format!("{algorithm:?} on RS256,ES256"), &token).await;
    }
    let token = sign_with(
        &header(Algorithm::HS256, "a"),
        &claims(json!({})),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    );
    assert_refused(&app, "HS256 on RS256,ES256", &token).await;

    // The shared-secret default takes HS256 only.
    let app = spawn_app().await;
    let hs = |algorithm| {
        sign_with(
            &Header::new(algorithm),
            &json!({"sub": "x", "iss": "consoleai", "aud": "consoleai",
                    "exp": chrono::Utc::now().timestamp() + 600, "roles": ["admin"]}),
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
    };
    assert_accepted(&app, "HS256 on HS256", &hs(Algorithm::HS256)).await;
    assert_refused(&app, "HS512 on HS256", &hs(Algorithm::HS512)).await;
    assert_refused(&app, "HS384 on HS256", &hs(Algorithm::HS384)).await;
    let token = sign_with(
        &header(Algorithm::RS256, "a"),
        &json!({"sub": "x", "iss": "consoleai", "aud": "consoleai",
                "exp": chrono::Utc::now().timestamp() + 600, "roles": ["admin"]}),
        &rsa(RSA_A),
    );
    assert_refused(&app, "RS256 on HS256", &token).await;
}

#[tokio::test]
async fn rs_hs_confusion_is_refused() {
    // HS256 with the RSA public key's PEM as the HMAC secret: the classic key-confusion forgery.
    let forge = |claims: &Value| {
        sign_with(
            &header(Algorithm::HS256, "a"),
            claims,
            &EncodingKey::from_secret(RSA_A_PUBLIC.as_bytes()),
        )
    };
    let (_idp, app) = idp_and_app().await;
    assert_refused(
        &app,
        "HS256/public PEM on RS256",
        &forge(&claims(json!({}))),
    )
    .await;
    let trimmed = sign_with(
        &header(Algorithm::HS256, "a"),
        &claims(json!({})),
        &EncodingKey::from_secret(RSA_A_PUBLIC.trim().as_bytes()),
    );
    assert_refused(&app, "HS256/trimmed PEM on RS256", &trimmed).await;

    // A server taking both HS256 (shared secret) and RS256 (JWKS) checks HS256 with the secret only.
    let idp = Idp::start(vec![key_a()]).await;
    let url = idp.url.clone();
    let app = spawn_app_configured(fresh_db().await, move |s| {
        s.jwt.algorithms = "HS256,RS256".into();
        s.jwt.jwks_url = Some(url);
        s.jwt.issuer = ISSUER.into();
        s.jwt.audience = AUDIENCE.into();
        s.jwt.roles_claim = "cognito:groups".into();
        s.jwt.tenants_claim = "custom:tenants".into();
    })
    .await;
    assert_accepted(&app, "RS256 on HS256,RS256", &rs256(&claims(json!({})))).await;
    assert_refused(
        &app,
        "HS256/public PEM on HS256,RS256",
        &forge(&claims(json!({}))),
    )
    .await;
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused() {
    let (_idp, app) = idp_and_app().await;
    let now = chrono::Utc::now().timestamp();
    assert_refused(
        &app,
        "expired beyond leeway",
        &rs256(&claims(json!({"exp": now - 60}))),
    )
    .await;
    assert_refused(
        &app,
        "nbf in the future",
        &rs256(&claims(json!({"nbf": now + 3600}))),
    )
    .await;
}

#[tokio::test]
async fn string_exp_and_nbf_are_refused() {
    let (_idp, app) = idp_and_app().await;
    let now = chrono::Utc::now().timestamp();
    for (case, overrides) in [
        ("string exp", json!({"exp": (now + 600).to_string()})),
        ("string nbf", json!({"nbf": (now - 60).to_string()})),
        ("float-string exp", json!({"exp": "9999999999.0"})),
        ("null-ish exp", json!({"exp": false})),
    ] {
        assert_refused(&app, case, &rs256(&claims(overrides))).await;
    }
}

#[tokio::test]
async fn missing_or_wrong_iss_aud_sub_are_refused() {
    let (_idp, app) = idp_and_app().await;
    for (case, overrides) in [
        ("no iss", json!({"iss": null})),
        ("wrong iss", json!({"iss": "https://evil.example.com/pool"})),
        ("no aud", json!({"aud": null})),
        ("wrong aud", json!({"aud": "another-client"})),
        ("no sub", json!({"sub": null})),
        ("empty sub", json!({"sub": ""})),
        ("numeric sub", json!({"sub": 42})),
        ("no exp", json!({"exp": null})),
        ("no role", json!({"cognito:groups": ["viewer"]})),
    ] {
        assert_refused(&app, case, &rs256(&claims(overrides))).await;
    }
}

#[tokio::test]
async fn an_unknown_crit_header_is_refused() {
    let (_idp, app) = idp_and_app().await;
    let mut with_crit = header(Algorithm::RS256, "a");
    with_crit.crit = Some(vec!["x-policy".into()]);
    with_crit.extras.insert("x-policy".into(), "strict".into());
    assert_refused(
        &app,
        "crit x-policy",
        &sign_with(&with_crit, &claims(json!({})), &rsa(RSA_A)),
    )
    .await;
}

#[tokio::test]
async fn jku_x5u_and_embedded_jwk_headers_are_ignored() {
    let (idp, app) = idp_and_app().await;
    // The attacker's own JWKS, with its key under a kid the real provider does not have.
    let evil = Idp::start(vec![jwk(&rsa(RSA_B), Algorithm::RS256, "evil")]).await;
    let mut forged = header(Algorithm::RS256, "evil");
    forged.jku = Some(evil.url.clone());
    forged.x5u = Some(evil.url.clone());
    forged.jwk = Some(serde_json::from_value(jwk(&rsa(RSA_B), Algorithm::RS256, "evil")).unwrap());
    let token = sign_with(
        &forged,
        &claims(json!({"cognito:groups": ["admin"]})),
        &rsa(RSA_B),
    );
    assert_refused(&app, "jku/x5u/jwk to the attacker's key", &token).await;
    // The same under the real kid.
    forged.kid = Some("a".into());
    let token = sign_with(
        &forged,
        &claims(json!({"cognito:groups": ["admin"]})),
        &rsa(RSA_B),
    );
    assert_refused(&app, "embedded jwk under a real kid", &token).await;
    assert_eq!(evil.fetches(), 0, "the token's URLs are never fetched");
    assert!(idp.fetches() <= 2, "only the configured JWKS is fetched");
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    let (_idp, app) = idp_and_app().await;
    let token = rs256(&claims(json!({})));
    let (head_payload, _) = token.rsplit_once('.').unwrap();
    for (case, bad) in [
        ("2 segments", head_payload.to_string()),
        ("4 segments", format!("{token}.{}", b64(&json!({})))),
        ("trailing dot", format!("{token}.")),
        ("garbage", "not-a-jwt".to_string()),
        ("garbage segments", "%%%.$$$.###".to_string()),
        (
            "JSON header not base64",
            format!(
                "{{\"alg\":\"RS256\"}}.{}",
                &token[token.find('.').unwrap() + 1..]
            ),
        ),
        (
            "huge",
            "a".repeat(20_000) + "." + &"b".repeat(20_000) + ".c",
        ),
    ] {
        assert_refused(&app, case, &bad).await;
    }
}

#[tokio::test]
async fn bad_authorization_headers_are_refused() {
    let (_idp, app) = idp_and_app().await;
    let token = rs256(&claims(json!({})));
    assert_refused_header(&app, "no header", &[]).await;
    assert_refused_header(&app, "empty token", &["Bearer "]).await;
    assert_refused_header(&app, "blank token", &["Bearer    "]).await;
    assert_refused_header(&app, "empty header", &[""]).await;
    assert_refused_header(&app, "Basic scheme", &["Basic dXNlcjpwYXNzd29yZA=="]).await;
    assert_refused_header(&app, "Basic with a JWT", &[&format!("Basic {token}")]).await;
    assert_refused_header(&app, "no scheme", &[&token]).await;
    let bearer = format!("Bearer {token}");
    assert_refused_header(&app, "two Authorization headers", &[&bearer, &bearer]).await;
    assert_refused_header(&app, "a good and a bad header", &[&bearer, "Bearer x.y.z"]).await;
    // The same token alone passes.
    let answer = call(&app, &[&bearer]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn a_valid_token_for_another_ou_sees_null_not_forbidden() {
    let (_idp, app) = idp_and_app().await;
    let scratch = Scratch::new();
    let org = scratch.write(
        "org.json",
        &json!({
            "Roots": [{"Id": "r-t001", "Name": "Root"}],
            "OrganizationalUnits": [
                {"Id": "ou-t001-aaaaaaaa", "Name": "Alpha", "ParentId": "r-t001"},
                {"Id": "ou-t001-bbbbbbbb", "Name": "Beta", "ParentId": "r-t001"}
            ],
            "Accounts": [
                {"Id": "111111111111", "Name": "alpha", "ParentId": "ou-t001-aaaaaaaa"},
                {"Id": "222222222222", "Name": "beta", "ParentId": "ou-t001-bbbbbbbb"}
            ]
        })
        .to_string(),
    );
    app.import_org(&[org], &["Alpha", "Beta"]).await;
    let query = "query($id: ID!) { tenant(id: $id) { id name } }";
    let token = rs256(&claims(json!({"custom:tenants": ["ou-t001-bbbbbbbb"]})));
    let answer = app
        .graphql(Some(&token), query, json!({"id": "ou-t001-aaaaaaaa"}))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.data()["tenant"], Value::Null, "{}", answer.body);
    // Their own OU is there, so the null above is isolation, not a broken token.
    let answer = app
        .graphql(Some(&token), query, json!({"id": "ou-t001-bbbbbbbb"}))
        .await;
    assert_eq!(answer.data()["tenant"]["name"], "Beta");
}

// Test-only keys, generated for these tests and used nowhere else.
const RSA_A: &str = "-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCvLq8axeEr/P6M
tQz4oyWg5FfFSAGWxphNhgcQm9nEQjoPdoYLCywfvGOFGUV5WB4v0AqoVYVoWVYa
0cZN/ZXLMW7rlfGj0Bbp7b3UNWH2ZNwlU9hnTJ7aPLT5JL7Qtf202evErNI9Wc1W
Yk0POZ+PrT5GeC755PaHozc6OSjO83y/BXFCh3g/UdrZqgJpKLxlLm0XaJ6+L3WE
8RiqQQMnhTLdEcvemcNlewKPJ2FeZ1q5G2FF/IQXwSaoS9EMEUSIXeSMKzUC33qM
iZnQKYaTmhRGNEdGCxZg4panXEYNXno2SUsYhgVXbN8ozL8UarhIslDeBydIVGp1
Zmrqe813AgMBAAECggEAM5AQJlc8MdBjtFLOIJkUyEittPm+zfxic98RUUguTuAX
atm+Fp4RPL4cpN6NXmwbZoNbv7R8cfxppbc9IVOUtZw1Q858s3Taabx6dW3JCdci
HTKSrcUVtLLNqc+xAomuxX6nMNqVf01hbR2+BM83MfkSLXfOi+tizQWzicWtR0xS
36zlwbIjKQLGr+r69bkiWxIGlEY6jYpK+JIYwU3IRt2Ki2XHuDrOxxBua57HGb+0
Tbh3bcXrBBX40wzkU2XZlAXUy4+Ue0923KzlQzt0iFxkd+OjOumMgV9J68biSfom
98NACMu2H5ttgxeggTUN2Io6aOT0qDbgPB0/O6VuwQKBgQDjPb7PmppyvywoOMQP
lkcJqXy4ousJNJ9mEy8ytLzFwb8ty67t43dVHICKky+GpA1pyolQKNYrMjH4O0xF
zYiCC+pAPxSixmdjUBELWcD+bnLyY4RNzG08ZNh+gGRFw6dhQqcT2R1jT6JemaDl
u+efTwLXzejs3oqZLo2xD8GDxwKBgQDFWlCeb7zBnebnHq+2CFzuy6rjYLSzj0je
AuBTG9Yg1FnXZx0FBkZ2ORBER33UgpNMWd7kM4HNJtcSfWDov6+8wTQ4tPg00nyS
+W2szHLi7AxXGVYkA9abR44LlWZ+4g/XmxX4IS4zhH4Se010868XM8/eTob/E2ZH
MNmVgZcI0QKBgEwsuZb8O4P1o8bD6K1U8fFCOIXoTyOh2UEtcyfrQFCGdyDR44zp
MGp+iHRrjIX03m41L7yIQ+rtA6Uzs4i+smDtv5PT0YYTPjsjbuNALhrcSXoJdCNk
QMX7BDu7rGFaifRnlHxpzpko68QMecwpJibYJJrU8pzcqNdarLLLFlKnAoGAajTJ
cApH9ZaJfdXIz9i+UpBuncEcXgl9OGUp3e/8E1zUIJTQTDTtVJAvDd+/es7ugEdZ
KUwCzanaUowAzCDkbVs4RFA3xw2DlwD+oeDA7xgDKBhtgCJEqvoeGmPDbgMwbWJ7
tzX8DCOASWfr7kV5862hb0ypX7pL74H9hnTgGBECgYA8UsSc/0NqFqRUyaf9wQtA
Mm/6SO03RotmN9if/9wruIPmjaXDkonl+bzprXAfeKBPe8dYRP5xWvPqkw5GkKvh
3iEhoQULbYtEjv/AHACyaMOOca7M+0nZDayPr6dG2YM3AFx7e4gj9Nc8PwD4WSIO
eEQxBqbAEMJ/XMzYI2Nr/Q==
-----END PRIVATE KEY-----
";
const RSA_B: &str = "-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC0jBF74NoxNE8X
oWgcN5EPYIz2cRIFg1ykQKw4CU6sc8A2oiCPNroVTwpsFzcwiJVY508ZRf8zmjUw
baMFivlPetyz4ybrmAlc/yc1bCtkRQk5TUAgg0iZALVbNOznHKKlwFRrfKO91K92
qfUaCsjeDxBuj1OKLL9n+Wd4F7J8PZxpbCEmtvld0FAI+X48FD4Z4lyf9qMIavmG
rKLWb6PE3HN+X0zWCHuo5YFbheSC1oDmvIoVntbDp+xalRvNx4uUVExdHJw2gY+M
S+ybs7cyoenWscy4oi6xmoIxM33IHNEqOx8P+O+ZErREbHDfZ0l3JYru9gzoEw1f
embOe+XdAgMBAAECggEALcjtcCA7xMmSmxf76lfvCdq+tIpE+y/uUNrzsXwuvs3V
uyUPI7JJqzixmGqkvMKOOQ7jgLG+/2uGPIM5GaE+CvlJubaLeqhCC5rK6yHEuTdG
mQjtj7ErOl2zH++CejNJTcZBwkZH0c57NpjwBowglytzy8297ibd3TSimBJOWXHr
Rwf6hXpWwzFI7MsTKmXdDnNkRh6p6FZCXx3xDgVcOZLjj/1/4NpEBJkkDK1i2z2k
4cMP01t13iIEgLKI/T1ZCQZzFtR3oBFM4uuxsR3DatP4p6F4k7DwlC1UGTigrFb7
MwnWgM8ed7+Cl6pQeMI0tIvh6Usf1xjMApBYVPQ30wKBgQDa+fVv1x+vt8BQazQc
diGlRGGwQ38RMwz8lMT8z3Gt/Qt8vU7Ax2fIrTSovJ7/p8yC3DZQOabVhqZ3PVyR
htw14w2KLVYrheQiIwzgb+rXXdgW9AcUiKVrcwyUb7ROGS8lQFG5WiL0Snux2SeT
/ziNPAOwNcDVSfc0tX/ah6emcwKBgQDTEsLJGjg8coN+Kc4Z2rIiOLPbIFcRUj/L
N2K6cgKCD+NOteVlXZePIiawZ5yaF6MCfoOlAgTZFGdRwHuipCrc1IUiNVPIxGD/
8yVMd/LLcXHSxLCGAAM6X7o7oMDEyGtBpN9Kuog2Xc0f7fpEz3GeRGF4zNTdoF0A
fAJIPAHebwKBgAfU+NpPL2rxf4dgzjRWZU2r7HKJd3n+AXDnQURphv9aFZcYjkCG
4UdkKoX+eRFbxwzHI4orBbSNZFbPcwghcq7auBlBFdvopggyiLteRV/+k0P+5mHt
oTz+mGyWsjQ44l7KtiGS/70NDO+HfMrmTfd/NgKPaZ43Twgrla8TOwPRAoGAfDLm
4PSHsLHlQ8CPoND5zn80/bR65xtRpF8zvefGKAf3ReJsWAgJXVTIFTbyhA1ygs40
4kxc0+tYnFc5qMsW2ZhHuohMg69iMFk/Uk6mVCWtx0qrYD3zqE6Zw+pkY6ZWzmqY
ZV17Nxpcz/P1NrYl8e3kuPM2Mi7hap6NrTl6FAsCgYAq2PaKDTxpHwLTWR1Tgj9H
1lIw6IRcDlbaI2aBi0Qrg77HRflnNdPlEnP1pQCx3Bagv6J6gWsSQb9z7zwaNZNH
EaVOJgQABAiMOOR0AzTmmD0AaiQVKdYIyE5UR9uU2qpblKu/zv3yw+2qfWevf4QT
FFZrSEnkM50ci1czU3ZILw==
-----END PRIVATE KEY-----
";
const EC_C: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZo4xjArTBsJkqYrv
TGbGukw1hefXXgGREKts2aPqdU6hRANCAATrZmgGDOUeSxzrFqqDUP15j/p3znTr
+hp2+1h5lSMMIL8KgihubTLCmTsX/zbVZkwZ9PlRmjITLPOs6qh8XofV
-----END PRIVATE KEY-----
";
const RSA_A_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAry6vGsXhK/z+jLUM+KMl
oORXxUgBlsaYTYYHEJvZxEI6D3aGCwssH7xjhRlFeVgeL9AKqFWFaFlWGtHGTf2V
yzFu65Xxo9AW6e291DVh9mTcJVPYZ0ye2jy0+SS+0LX9tNnrxKzSPVnNVmJNDzmf
j60+Rngu+eT2h6M3OjkozvN8vwVxQod4P1Ha2aoCaSi8ZS5tF2ievi91hPEYqkED
J4Uy3RHL3pnDZXsCjydhXmdauRthRfyEF8EmqEvRDBFEiF3kjCs1At96jImZ0CmG
k5oURjRHRgsWYOKWp1xGDV56NklLGIYFV2zfKMy/FGq4SLJQ3gcnSFRqdWZq6nvN
dwIDAQAB
-----END PUBLIC KEY-----
";
