//! Who is calling: bearer tokens in, a [`Principal`] out.
pub mod jwt;
pub mod principal;

pub use jwt::{JwtVerifier, TokenRequest};
pub use principal::{Principal, Role};
