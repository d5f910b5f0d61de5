//! Authentication and tenant isolation over real HTTP.
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::support::*;

const VIEWER: &str = "query { viewer { subject role tenantOuIds } }";

fn claims(overrides: Value) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": "someone", "iss": "consoleai", "aud": "consoleai",
        "iat": now, "exp": now + 600, "roles": ["devops"], "tenants": ["ou-t001-aaaaaaaa"]
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

fn sign(claims: &Value, secret: &str, algorithm: Algorithm) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn bad_credentials_get_401_unauthenticated() {
    let app = spawn_app().await;
    let past = chrono::Utc::now().timestamp() - 3600;
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("garbage", Some("not-a-jwt".into())),
        (
            "expired",
            Some(sign(
                &claims(json!({"exp": past})),
                SECRET,
                Algorithm::HS256,
            )),
        ),
        (
            "wrong signature",
            Some(sign(
                &claims(json!({})),
                "another-secret-another-secret-another",
                Algorithm::HS256,
            )),
        ),
        (
            "wrong audience",
            Some(sign(
                &claims(json!({"aud": "someone-else"})),
                SECRET,
                Algorithm::HS256,
            )),
        ),
        (
            "wrong issuer",
            Some(sign(
                &claims(json!({"iss": "evil"})),
                SECRET,
                Algorithm::HS256,
            )),
        ),
        (
            "algorithm not pinned",
            Some(sign(&claims(json!({})), SECRET, Algorithm::HS512)),
        ),
        (
            "no subject",
            Some(sign(
                &claims(json!({"sub": null})),
                SECRET,
                Algorithm::HS256,
            )),
        ),
        (
            "no expiry",
            Some(sign(
                &claims(json!({"exp": null})),
                SECRET,
                Algorithm::HS256,
            )),
        ),
        (
            "no role",
            Some(sign(
                &claims(json!({"roles": ["viewer"]})),
                SECRET,
                Algorithm::HS256,
            )),
        ),
    ];
    for (case, token) in cases {
        let answer = app.graphql(token.as_deref(), VIEWER, json!({})).await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.body);
        assert_eq!(answer.error_code(), Some("UNAUTHENTICATED"), "{case}");
    }
    // The same claims, correctly signed, pass; roles may come as one string, and `gestor` is MANAGER.
    let good = sign(
        &claims(json!({"roles": "gestor"})),
        SECRET,
        Algorithm::HS256,
    );
    let answer = app.graphql(Some(&good), VIEWER, json!({})).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.data()["viewer"],
        json!({"subject": "someone", "role": "MANAGER", "tenantOuIds": ["ou-t001-aaaaaaaa"]})
    );
}

const TENANT: &str = "query($id: ID!) { tenant(id: $id) { id name } }";
const NODE: &str =
    "query($id: ID!) { node(id: $id) { id ... on Tenant { name } ... on Account { accountId } } }";

#[tokio::test]
async fn a_devops_of_one_tenant_sees_nothing_of_another() {
    let app = spawn_app().await;
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
                {"Id": "222222222222", "Name": "beta", "ParentId": "ou-t001-bbbbbbbb"},
                {"Id": "333333333333", "Name": "loose", "ParentId": "r-t001"}
            ]
        })
        .to_string(),
    );
    app.import_org(&[org], &["Alpha", "ou-t001-bbbbbbbb"]).await;
    let devops = app.token(role("devops"), &["ou-t001-aaaaaaaa"]);

    // Their own tenant, by global ID and by OU id.
    let answer = app
        .graphql(Some(&devops), TENANT, json!({"id": "ou-t001-aaaaaaaa"}))
        .await;
    let own_id = answer.data()["tenant"]["id"].as_str().unwrap().to_string();
    assert_eq!(answer.data()["tenant"]["name"], "Alpha");
    let answer = app
        .graphql(Some(&devops), NODE, json!({"id": own_id}))
        .await;
    assert_eq!(answer.data()["node"]["name"], "Alpha");

    // Another tenant's ID, from an admin's view: null for the devops, exactly like a made-up one.
    let admin = app.admin();
    let answer = app
        .graphql(Some(&admin), TENANT, json!({"id": "ou-t001-bbbbbbbb"}))
        .await;
    let other_id = answer.data()["tenant"]["id"].as_str().unwrap().to_string();
    for id in [other_id.as_str(), "ou-t001-bbbbbbbb", "ou-t001-zzzzzzzz"] {
        let answer = app.graphql(Some(&devops), TENANT, json!({"id": id})).await;
        assert_eq!(answer.data()["tenant"], Value::Null, "tenant({id})");
        let answer = app.graphql(Some(&devops), NODE, json!({"id": id})).await;
        assert_eq!(answer.data()["node"], Value::Null, "node({id})");
    }
    // Accounts follow their tenant; an unallocated account is the ADMIN's alone.
    for (account, visible) in [
        ("111111111111", true),
        ("222222222222", false),
        ("333333333333", false),
    ] {
        let id = base64_id("Account", account);
        let answer = app.graphql(Some(&devops), NODE, json!({"id": id})).await;
        assert_eq!(
            !answer.data()["node"].is_null(),
            visible,
            "account {account}"
        );
        let answer = app.graphql(Some(&admin), NODE, json!({"id": id})).await;
        assert_eq!(answer.data()["node"]["accountId"], account);
    }
    // The tenant list holds only their tenant.
    let answer = app
        .graphql(
            Some(&devops),
            "{ tenants { totalCount edges { node { ouId } } } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.data()["tenants"]["totalCount"], 1);
    assert_eq!(
        answer.data()["tenants"]["edges"][0]["node"]["ouId"],
        "ou-t001-aaaaaaaa"
    );

    // A role they lack is FORBIDDEN (they are known), not UNAUTHENTICATED.
    let answer = app
        .graphql(
            Some(&devops),
            "{ unallocatedCost { totals { amount } } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.error_code(), Some("FORBIDDEN"));
    let manager = app.token(role("manager"), &["ou-t001-aaaaaaaa"]);
    let answer = app
        .graphql(
            Some(&manager),
            "{ unallocatedCost { totals { amount } } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"));
    let answer = app
        .graphql(
            Some(&admin),
            "{ unallocatedCost { totals { amount } } }",
            json!({}),
        )
        .await;
    assert!(answer.body.get("errors").is_none(), "{}", answer.body);

    // Bad arguments say which one.
    let answer = app
        .graphql(
            Some(&admin),
            "{ tenants(first: 101) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(answer.error_code(), Some("BAD_USER_INPUT"));
    assert!(answer.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("first"));
}

fn base64_id(kind: &str, key: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{key}"))
}
