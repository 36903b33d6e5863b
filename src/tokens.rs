//! Random tokens, their stored hashes, and CSRF tokens.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    rand::fill(&mut buf[..]);
    buf
}

pub fn to_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // A nibble is below 16, so `from_digit` always gives a (lowercase) digit.
        hex.extend(char::from_digit(u32::from(b >> 4), 16));
        hex.extend(char::from_digit(u32::from(b & 0x0f), 16));
    }
    hex
}

/// 256 random bits, hex-encoded: session tokens and CSRF nonces.
pub fn random_token() -> String {
    to_hex(&random_bytes(32))
}

/// What the database keeps of a session token: a stolen table does not sign
/// anyone in.
pub fn token_hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

fn mac(secret: &[u8], nonce: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(nonce.as_bytes());
    to_hex(&mac.finalize().into_bytes())
}

/// A CSRF token is `nonce.mac`: the cookie and the form field carry the same
/// token, and the MAC stops a cookie planted by a sibling domain from passing.
pub fn new_csrf_token(secret: &[u8]) -> String {
    let nonce = to_hex(&random_bytes(16));
    let mac = mac(secret, &nonce);
    format!("{nonce}.{mac}")
}

pub fn csrf_token_is_valid(secret: &[u8], token: &str) -> bool {
    let Some((nonce, given)) = token.split_once('.') else {
        return false;
    };
    let expected = mac(secret, nonce);
    !nonce.is_empty() && constant_time_eq(expected.as_bytes(), given.as_bytes())
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
