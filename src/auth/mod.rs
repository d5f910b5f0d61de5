//! Who is calling: bearer tokens in, a [`Principal`] out.
mod jwks;
pub mod jwt;
pub mod principal;

pub use jwt::{JwtVerifier, TokenRequest};
pub use principal::{Principal, Role};
