//! HS256 bearer tokens: verification with the algorithm pinned by configuration, and minting for
//! local use (`consoleai token`, the demo).
use std::collections::BTreeSet;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

use super::{Principal, Role};
use crate::config::JwtSettings;
use crate::error::AppError;

/// Checks tokens. Built once at start-up from [`JwtSettings`].
#[derive(Clone)]
pub struct JwtVerifier {
    decoding: DecodingKey,
    encoding: EncodingKey,
    validation: Validation,
    settings: JwtSettings,
}

/// What `consoleai token` mints.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub subject: String,
    pub role: Role,
    pub tenants: Vec<String>,
    pub ttl_secs: u64,
}

impl JwtVerifier {
    pub fn new(settings: &JwtSettings) -> Result<JwtVerifier, String> {
        let secret = settings.secret()?.as_bytes();
        // The algorithm comes from here, never from the token's header.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = settings.leeway_secs;
        validation.validate_nbf = true;
        Ok(JwtVerifier {
            decoding: DecodingKey::from_secret(secret),
            encoding: EncodingKey::from_secret(secret),
            validation,
            settings: settings.clone(),
        })
    }

    /// Verifies a bearer token and reads the caller out of it.
    pub fn verify(&self, token: &str) -> Result<Principal, AppError> {
        let data = decode::<Map<String, Value>>(token, &self.decoding, &self.validation)
            .map_err(|e| AppError::Unauthenticated(format!("invalid token: {}", describe(&e))))?;
        let claims = data.claims;
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| AppError::Unauthenticated("invalid token: 'sub' is empty".into()))?
            .to_string();
        let role = strings(claims.get(&self.settings.roles_claim))
            .iter()
            .filter_map(|name| Role::from_claim(name))
            .max()
            .ok_or_else(|| {
                AppError::Unauthenticated(format!(
                    "invalid token: claim '{}' names no role (devops, manager or admin)",
                    self.settings.roles_claim
                ))
            })?;
        let tenants = strings(claims.get(&self.settings.tenants_claim))
            .into_iter()
            .collect::<BTreeSet<_>>();
        Ok(Principal {
            subject,
            role,
            tenants,
        })
    }

    /// Mints a token that this verifier accepts.
    pub fn mint(&self, request: &TokenRequest) -> Result<String, AppError> {
        let now = chrono::Utc::now().timestamp();
        let mut claims = Map::new();
        claims.insert("sub".into(), request.subject.clone().into());
        claims.insert("iss".into(), self.settings.issuer.clone().into());
        claims.insert("aud".into(), self.settings.audience.clone().into());
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), (now + request.ttl_secs as i64).into());
        claims.insert(
            self.settings.roles_claim.clone(),
            Value::Array(vec![request.role.as_str().to_ascii_lowercase().into()]),
        );
        claims.insert(
            self.settings.tenants_claim.clone(),
            Value::Array(request.tenants.iter().cloned().map(Value::from).collect()),
        );
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(AppError::internal)
    }
}

/// A claim that may be one string or a list of strings (both appear in the wild).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => s
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn describe(err: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind::*;
    match err.kind() {
        ExpiredSignature => "expired".into(),
        InvalidSignature => "bad signature".into(),
        InvalidAudience => "wrong audience".into(),
        InvalidIssuer => "wrong issuer".into(),
        InvalidAlgorithm => "algorithm not allowed".into(),
        ImmatureSignature => "not valid yet".into(),
        MissingRequiredClaim(claim) => format!("missing claim '{claim}'"),
        _ => "malformed".into(),
    }
}
