//! Opaque global IDs (`node(id:)`): base64url of `Type:key`, so clients treat them as strings.
use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

pub fn encode(kind: &str, key: &str) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{key}")))
}

/// `(kind, key)` of a global ID, or `None` if it is not one of ours.
pub fn decode(id: &str) -> Option<(String, String)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, key) = text.split_once(':')?;
    Some((kind.to_string(), key.to_string()))
}

/// The OU id a tenant argument names: a `Tenant` global ID or the OU id itself.
pub fn tenant_ou(id: &str) -> Option<String> {
    match decode(id) {
        Some((kind, key)) if kind == "Tenant" => Some(key),
        _ if id.starts_with("ou-") => Some(id.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips() {
        let id = super::encode("Tenant", "ou-ab12-cd34ef56");
        assert_eq!(
            super::decode(&id).unwrap(),
            ("Tenant".into(), "ou-ab12-cd34ef56".into())
        );
        assert!(super::decode("not an id!").is_none());
    }
}
