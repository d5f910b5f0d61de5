//! Bearer tokens: HS* with the shared secret, or RS*/PS*/ES*/EdDSA with the identity provider's
//! keys (JWKS). The accepted algorithms come from configuration and are never read from a token;
//! minting is for local use (`consoleai token`, the demo).
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde_json::{Map, Value};

use super::jwks::{JwksCache, KeyKind};
use super::{Principal, Role};
use crate::config::JwtSettings;
use crate::error::AppError;

/// Longer tokens are refused before any parsing.
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Checks tokens. Built once at start-up from [`JwtSettings`].
#[derive(Clone)]
pub struct JwtVerifier {
    /// The shared secret, when an HS algorithm is allowed.
    hmac: Option<(DecodingKey, EncodingKey)>,
    algorithms: Vec<Algorithm>,
    validation: Validation,
    jwks: Option<Arc<JwksCache>>,
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

/// A token checked against the cached keys: a caller, or a `kid` the cache does not hold.
enum Checked {
    Caller(Principal),
    UnknownKey,
}

fn refused(reason: &str) -> AppError {
    AppError::Unauthenticated(format!("invalid token: {reason}"))
}

impl JwtVerifier {
    pub fn new(settings: &JwtSettings) -> Result<JwtVerifier, String> {
        let secret = settings.secret()?;
        let algorithms = settings.algorithms()?;
        // The algorithm comes from here, never from the token's header; `validation.algorithms`
        // is narrowed per token to the one allowed algorithm its key is checked with.
        let mut validation = Validation::new(algorithms[0]);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = settings.leeway_secs;
        validation.validate_nbf = true;
        let jwks = if algorithms.iter().any(|a| !JwtSettings::is_hmac(*a)) {
            let url = settings.jwks_url.as_deref().unwrap_or_default();
            Some(Arc::new(JwksCache::new(
                url,
                Duration::from_secs(settings.jwks_refresh_secs),
                Duration::from_millis(settings.jwks_timeout_ms.max(1)),
            )?))
        } else {
            None
        };
        Ok(JwtVerifier {
            hmac: secret.map(|s| {
                (
                    DecodingKey::from_secret(s.as_bytes()),
                    EncodingKey::from_secret(s.as_bytes()),
                )
            }),
            algorithms,
            validation,
            jwks,
            settings: settings.clone(),
        })
    }

    /// Loads the identity provider's keys ahead of the first token (no-op without a JWKS URL).
    /// A failure is logged; tokens then trigger a refetch, at most once per interval.
    pub async fn prefetch(&self) {
        if let Some(jwks) = &self.jwks {
            jwks.refresh_if_due().await;
        }
    }

    /// Verifies a bearer token against the keys at hand, without fetching: a `kid` the cached
    /// JWKS lacks is refused. Request handlers use [`JwtVerifier::verify_async`].
    pub fn verify(&self, token: &str) -> Result<Principal, AppError> {
        match self.check(token)? {
            Checked::Caller(principal) => Ok(principal),
            Checked::UnknownKey => Err(refused("unknown signing key")),
        }
    }

    /// Verifies a bearer token; a `kid` the cached JWKS lacks triggers one refetch of the JWKS,
    /// unless one happened within the configured interval.
    pub async fn verify_async(&self, token: &str) -> Result<Principal, AppError> {
        match self.check(token)? {
            Checked::Caller(principal) => Ok(principal),
            Checked::UnknownKey => {
                if let Some(jwks) = &self.jwks {
                    jwks.refresh_if_due().await;
                }
                self.verify(token)
            }
        }
    }

    fn check(&self, token: &str) -> Result<Checked, AppError> {
        if token.len() > MAX_TOKEN_BYTES || token.split('.').count() != 3 {
            return Err(refused("malformed"));
        }
        // Only `alg`, `kid` and `crit` are read; `jku`, `x5u`, `x5c` and `jwk` are never used.
        let header = decode_header(token).map_err(|_| refused("malformed"))?;
        if header.crit.is_some() {
            return Err(refused("unsupported critical header"));
        }
        let algorithm = header.alg;
        if !self.algorithms.contains(&algorithm) {
            return Err(refused("algorithm not allowed"));
        }
        let key;
        let decoding = if JwtSettings::is_hmac(algorithm) {
            &self
                .hmac
                .as_ref()
                .ok_or_else(|| refused("algorithm not allowed"))?
                .0
        } else {
            let jwks = self
                .jwks
                .as_ref()
                .ok_or_else(|| refused("algorithm not allowed"))?;
            let kid = header
                .kid
                .as_deref()
                .filter(|k| !k.is_empty())
                .ok_or_else(|| refused("no 'kid'"))?;
            key = match jwks.get(kid) {
                Some(key) => key,
                None => return Ok(Checked::UnknownKey),
            };
            if key.kind != KeyKind::of(algorithm) || key.algorithm.is_some_and(|a| a != algorithm) {
                return Err(refused("algorithm does not match the key"));
            }
            &key.decoding
        };
        let mut validation = self.validation.clone();
        validation.algorithms = vec![algorithm];
        let data = decode::<Map<String, Value>>(token, decoding, &validation)
            .map_err(|e| refused(&describe(&e)))?;
        self.principal(data.claims).map(Checked::Caller)
    }

    fn principal(&self, claims: Map<String, Value>) -> Result<Principal, AppError> {
        let subject = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| refused("'sub' is empty"))?
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
        let algorithm = self
            .algorithms
            .iter()
            .copied()
            .find(|a| JwtSettings::is_hmac(*a));
        let (Some(algorithm), Some((_, encoding))) = (algorithm, &self.hmac) else {
            return Err(AppError::BadUserInput(
                "minting needs an HS algorithm in CONSOLEAI_JWT_ALGORITHMS and CONSOLEAI_JWT_SECRET"
                    .into(),
            ));
        };
        encode(&Header::new(algorithm), &claims, encoding).map_err(AppError::internal)
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
        InvalidClaimFormat(claim) => format!("claim '{claim}' is not a number"),
        _ => "malformed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> JwtSettings {
        JwtSettings {
            secret: Some("0123456789abcdef0123456789abcdef".into()),
            issuer: "consoleai".into(),
            audience: "consoleai".into(),
            leeway_secs: 5,
            roles_claim: "roles".into(),
            tenants_claim: "tenants".into(),
            algorithms: "HS256".into(),
            jwks_url: None,
            jwks_refresh_secs: 60,
            jwks_timeout_ms: 1000,
        }
    }

    #[test]
    fn the_settings_say_what_is_missing() {
        let mut s = settings();
        s.algorithms = "RS256,ES256".into();
        assert!(JwtVerifier::new(&s)
            .err()
            .unwrap()
            .contains("CONSOLEAI_JWT_JWKS_URL"));
        s.jwks_url = Some("https://idp.example.com/jwks.json".into());
        s.secret = None;
        assert!(JwtVerifier::new(&s).is_ok(), "no secret needed without HS");
        s.algorithms = "HS256,RS256".into();
        assert!(JwtVerifier::new(&s)
            .err()
            .unwrap()
            .contains("CONSOLEAI_JWT_SECRET"));
        for bad in ["none", "HS256,none", "rs256", ""] {
            let mut s = settings();
            s.algorithms = bad.into();
            assert!(JwtVerifier::new(&s).is_err(), "{bad}");
        }
        let mut s = settings();
        s.algorithms = " HS256 , HS256 ".into();
        assert_eq!(s.algorithms().unwrap(), [Algorithm::HS256]);
    }

    #[test]
    fn minting_needs_the_shared_secret() {
        let request = TokenRequest {
            subject: "me".into(),
            role: Role::Admin,
            tenants: vec![],
            ttl_secs: 60,
        };
        let verifier = JwtVerifier::new(&settings()).unwrap();
        let token = verifier.mint(&request).unwrap();
        assert_eq!(verifier.verify(&token).unwrap().role, Role::Admin);
        let mut s = settings();
        s.algorithms = "RS256".into();
        s.jwks_url = Some("https://idp.example.com/jwks.json".into());
        s.secret = None;
        let idp_only = JwtVerifier::new(&s).unwrap();
        assert!(idp_only.mint(&request).is_err());
        // An HS256 token is not even looked at by a server that only takes RS256.
        assert!(idp_only.verify(&token).is_err());
    }
}
