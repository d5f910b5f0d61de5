//! The identity provider's signing keys (a JWKS document), fetched from the configured URL only,
//! cached, and refetched at most once per interval when a token names a `kid` the cache lacks.
//! A token's `jku`, `x5u` or embedded `jwk` header is never looked at.
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

/// At most this much JWKS is read.
const MAX_JWKS_BYTES: usize = 1 << 20;

/// The kind of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    Ec,
    Ed,
    Hmac,
}

impl KeyKind {
    pub(crate) fn of(algorithm: Algorithm) -> KeyKind {
        use Algorithm::*;
        match algorithm {
            HS256 | HS384 | HS512 => KeyKind::Hmac,
            RS256 | RS384 | RS512 | PS256 | PS384 | PS512 => KeyKind::Rsa,
            ES256 | ES384 => KeyKind::Ec,
            EdDSA => KeyKind::Ed,
        }
    }
}

/// One usable public key of the set.
pub(crate) struct Key {
    pub decoding: DecodingKey,
    pub kind: KeyKind,
    /// The key's own `alg`, when the JWKS states it: the token's must then be the same.
    pub algorithm: Option<Algorithm>,
}

pub(crate) struct JwksCache {
    url: String,
    client: reqwest::Client,
    refresh: Duration,
    keys: RwLock<HashMap<String, Arc<Key>>>,
    /// When the last fetch started; held across the fetch so fetches never overlap.
    last_fetch: tokio::sync::Mutex<Option<Instant>>,
}

impl JwksCache {
    pub(crate) fn new(url: &str, refresh: Duration, timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the JWKS client: {e}"))?;
        Ok(JwksCache {
            url: url.trim().to_string(),
            client,
            refresh,
            keys: RwLock::new(HashMap::new()),
            last_fetch: tokio::sync::Mutex::new(None),
        })
    }

    /// The cached key with this `kid`; never fetches.
    pub(crate) fn get(&self, kid: &str) -> Option<Arc<Key>> {
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(kid)
            .cloned()
    }

    /// Fetches the JWKS unless the last fetch started less than the interval ago. On failure (or
    /// an empty set) the cached keys stay. Returns whether a fetch was attempted.
    pub(crate) async fn refresh_if_due(&self) -> bool {
        let mut last = self.last_fetch.lock().await;
        if matches!(*last, Some(at) if at.elapsed() < self.refresh) {
            return false;
        }
        *last = Some(Instant::now());
        match self.fetch().await {
            Ok(keys) if !keys.is_empty() => {
                tracing::info!(url = %self.url, keys = keys.len(), "JWKS fetched");
                *self.keys.write().unwrap_or_else(|e| e.into_inner()) = keys;
            }
            Ok(_) => {
                tracing::warn!(url = %self.url, "JWKS holds no usable key; keeping the cached keys")
            }
            Err(err) => {
                tracing::warn!(url = %self.url, error = %err, "JWKS fetch failed; keeping the cached keys")
            }
        }
        true
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<Key>>, String> {
        let response = self
            .client
            .get(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_JWKS_BYTES as u64)
        {
            return Err("JWKS too large".into());
        }
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if body.len() > MAX_JWKS_BYTES {
            return Err("JWKS too large".into());
        }
        parse(&body)
    }
}

/// The usable signing keys of a JWKS document, by `kid`. Keys without a `kid`, meant for
/// encryption, symmetric (`oct`), of an unknown type or with an unknown `alg` are skipped.
pub(crate) fn parse(body: &[u8]) -> Result<HashMap<String, Arc<Key>>, String> {
    let document: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let entries = document
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("no 'keys' array")?;
    let mut keys = HashMap::new();
    for entry in entries {
        let Ok(jwk) = serde_json::from_value::<Jwk>(entry.clone()) else {
            continue;
        };
        let Some(kid) = jwk.common.key_id.clone().filter(|k| !k.is_empty()) else {
            continue;
        };
        if matches!(&jwk.common.public_key_use, Some(u) if *u != PublicKeyUse::Signature) {
            continue;
        }
        let algorithm = match jwk.common.key_algorithm {
            None => None,
            Some(alg) => match alg.to_string().parse::<Algorithm>() {
                Ok(alg) => Some(alg),
                Err(_) => continue,
            },
        };
        let kind = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => KeyKind::Rsa,
            AlgorithmParameters::EllipticCurve(_) => KeyKind::Ec,
            AlgorithmParameters::OctetKeyPair(_) => KeyKind::Ed,
            AlgorithmParameters::OctetKey(_) => continue,
        };
        if algorithm.is_some_and(|a| KeyKind::of(a) != kind) {
            continue;
        }
        let Ok(decoding) = DecodingKey::from_jwk(&jwk) else {
            continue;
        };
        keys.insert(
            kid,
            Arc::new(Key {
                decoding,
                kind,
                algorithm,
            }),
        );
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa(extra: Value) -> Value {
        let mut key = serde_json::json!({"kty": "RSA", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw", "e": "AQAB"});
        for (k, v) in extra.as_object().unwrap() {
            key[k] = v.clone();
        }
        key
    }

    #[test]
    fn only_usable_signing_keys_are_kept() {
        let body = serde_json::json!({"keys": [
            rsa(serde_json::json!({"kid": "good", "alg": "RS256", "use": "sig"})),
            rsa(serde_json::json!({"kid": "no-alg"})),
            rsa(serde_json::json!({"alg": "RS256"})),
            rsa(serde_json::json!({"kid": "", "alg": "RS256"})),
            rsa(serde_json::json!({"kid": "enc", "alg": "RS256", "use": "enc"})),
            rsa(serde_json::json!({"kid": "wrong-alg", "alg": "ES256"})),
            rsa(serde_json::json!({"kid": "bad-alg", "alg": "none"})),
            {"kid": "oct", "kty": "oct", "k": "c2VjcmV0", "alg": "HS256"},
            {"kid": "odd", "kty": "XYZ"},
        ]});
        let keys = parse(body.to_string().as_bytes()).unwrap();
        let mut kids = keys.keys().cloned().collect::<Vec<_>>();
        kids.sort();
        assert_eq!(kids, ["good", "no-alg"]);
        assert_eq!(keys["good"].algorithm, Some(Algorithm::RS256));
        assert_eq!(keys["good"].kind, KeyKind::Rsa);
        assert_eq!(keys["no-alg"].algorithm, None);
    }

    #[test]
    fn a_document_without_keys_is_an_error() {
        assert!(parse(b"not json").is_err());
        assert!(parse(b"{\"keys\": 3}").is_err());
        assert!(parse(b"{\"keys\": []}").unwrap().is_empty());
    }

    #[tokio::test]
    async fn refetches_at_most_once_per_interval_and_keeps_keys_when_down() {
        // Nothing listens on port 9 of localhost: every fetch fails.
        let cache = JwksCache::new(
            "http://127.0.0.1:9/jwks.json",
            Duration::from_secs(60),
            Duration::from_millis(500),
        )
        .unwrap();
        let body = serde_json::json!({"keys": [rsa(serde_json::json!({"kid": "a"}))]});
        *cache.keys.write().unwrap() = parse(body.to_string().as_bytes()).unwrap();
        assert!(cache.refresh_if_due().await, "the first refetch is due");
        assert!(
            cache.get("a").is_some(),
            "a failed fetch keeps the cached keys"
        );
        assert!(
            !cache.refresh_if_due().await,
            "no second fetch within the interval"
        );
        assert!(cache.get("b").is_none());
    }
}
