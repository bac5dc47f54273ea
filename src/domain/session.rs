use super::AccountId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// Hex digits in a signed-in session's id (192 bits); a guest's has 64 (128 random bits and a
/// 128-bit tag). The length alone tells a request whether its session may be signed in, so a
/// guest's cart call never asks the session store anything.
const SIGNED_IN_HEX: usize = 48;
const GUEST_RANDOM_HEX: usize = 32;

/// The key guest session ids are tagged with, so the store honours only ids it issued: a
/// planted cookie (a random id, an old UUID) gets a fresh session instead. Kept in the session
/// store, so every replica and every restart knows it.
#[derive(Clone)]
pub struct GuestKey([u8; 32]);

impl GuestKey {
    /// A new key, as stored: 64 hex digits.
    pub fn new_hex() -> String {
        hex(&random_bytes(32))
    }

    /// `None` for anything but the 64 hex digits [`GuestKey::new_hex`] makes.
    pub fn from_hex(text: &str) -> Option<GuestKey> {
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(GuestKey(key))
    }

    /// SHA-256 over the key and the id's random part, cut to 128 bits: the key is secret and
    /// the message of fixed length, so the tag cannot be made without the key.
    fn tag(&self, random: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.0);
        hasher.update(random.as_bytes());
        hex(&hasher.finalize()[..16])
    }
}

impl fmt::Debug for GuestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GuestKey(***)")
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut raw = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut raw);
    raw
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whose cart and orders: a browser's session (the `session_id` cookie), or a signed-in
/// account's own ([`SessionId::of_account`]), which every device signed into it shares.
/// New ids are random hex; ids from older clients (UUIDs and the like) are accepted when they
/// are made of safe characters, so their carts keep working.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    /// An id nobody was given: the owner of an empty cart (a checkout naming a session the
    /// store never issued).
    pub fn new_random() -> Self {
        Self::random_hex(16)
    }

    /// A new guest's id, tagged with `key`.
    pub fn new_guest(key: &GuestKey) -> Self {
        let random = hex(&random_bytes(GUEST_RANDOM_HEX / 2));
        let tag = key.tag(&random);
        SessionId(format!("{random}{tag}"))
    }

    /// This guest id was issued by a store holding `key`.
    pub fn is_issued_guest(&self, key: &GuestKey) -> bool {
        use subtle::ConstantTimeEq;
        let ok_shape = self.0.len() == 2 * GUEST_RANDOM_HEX
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if !ok_shape {
            return false;
        }
        let (random, tag) = self.0.split_at(GUEST_RANDOM_HEX);
        key.tag(random).as_bytes().ct_eq(tag.as_bytes()).into()
    }

    /// A new id for a session being signed in: never the one the browser had (no fixation).
    pub fn new_signed_in() -> Self {
        Self::random_hex(SIGNED_IN_HEX / 2)
    }

    fn random_hex(bytes: usize) -> Self {
        SessionId(hex(&random_bytes(bytes)))
    }

    /// The account's cart and orders. The `:` cannot come from a cookie ([`SessionId::parse`]
    /// refuses it), so no browser can name an account's cart by writing its cookie.
    pub fn of_account(account: AccountId) -> Self {
        SessionId(format!("account:{}", account.0))
    }

    /// Shaped like a signed-in session's id: worth looking up in the session store.
    pub fn may_be_signed_in(&self) -> bool {
        self.0.len() == SIGNED_IN_HEX && self.0.bytes().all(|b| b.is_ascii_hexdigit())
    }

    /// What the session store keeps instead of the id: a copy of the store (a dump, a backup)
    /// signs nobody in.
    pub fn digest(&self) -> String {
        Sha256::digest(self.0.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `None` for anything that is not a plausible id; the caller then starts a new session.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok_len = (16..=64).contains(&raw.len());
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (ok_len && ok_chars).then(|| SessionId(raw.to_owned()))
    }

    /// An order's owner as the store keeps it: a browser's id, or an account's
    /// ([`SessionId::of_account`]), which a cookie can never carry but an order can.
    pub fn from_stored(raw: &str) -> Option<Self> {
        let account = raw
            .strip_prefix("account:")
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
        if account {
            return Some(SessionId(raw.to_owned()));
        }
        Self::parse(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Session ids are bearer secrets: never print one whole.
impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({}…)", &self.0[..4])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_128_bits_of_hex_and_differ() {
        let (a, b) = (SessionId::new_random(), SessionId::new_random());
        assert_eq!(a.as_str().len(), 32);
        assert_ne!(a, b);
        assert_eq!(SessionId::parse(a.as_str()), Some(a));
    }

    #[test]
    fn signed_in_ids_are_longer_and_accounts_cannot_be_named_by_a_cookie() {
        let signed_in = SessionId::new_signed_in();
        assert!(signed_in.may_be_signed_in());
        assert!(!SessionId::new_random().may_be_signed_in());
        assert_eq!(
            SessionId::parse(signed_in.as_str()),
            Some(signed_in.clone())
        );
        let account = SessionId::of_account(AccountId(42));
        assert_eq!(account.as_str(), "account:42");
        assert!(SessionId::parse(account.as_str()).is_none());
        assert_eq!(
            SessionId::from_stored(account.as_str()),
            Some(account.clone())
        );
        assert_eq!(SessionId::from_stored("account:"), None);
        assert_eq!(SessionId::from_stored("account:4x"), None);
        assert_eq!(signed_in.digest().len(), 64);
        assert_ne!(signed_in.digest(), signed_in.as_str());
    }

    #[test]
    fn only_ids_tagged_with_the_key_are_issued_guests() {
        let key = GuestKey::from_hex(&GuestKey::new_hex()).unwrap();
        let other = GuestKey::from_hex(&GuestKey::new_hex()).unwrap();
        let guest = SessionId::new_guest(&key);
        assert_eq!(guest.as_str().len(), 64);
        assert!(!guest.may_be_signed_in());
        assert!(guest.is_issued_guest(&key));
        assert!(!guest.is_issued_guest(&other));
        assert!(!SessionId::new_random().is_issued_guest(&key));
        let mut forged = guest.as_str().to_owned();
        forged.replace_range(0..1, if forged.starts_with('0') { "1" } else { "0" });
        assert!(!SessionId::parse(&forged).unwrap().is_issued_guest(&key));
        let upper = SessionId::parse(&guest.as_str().to_uppercase()).unwrap();
        assert!(!upper.is_issued_guest(&key));
        assert!(GuestKey::from_hex("zz").is_none());
    }

    #[test]
    fn uuid_from_an_older_client_is_accepted() {
        assert!(SessionId::parse("0b6f3e0c-6c1e-4f5a-9d84-2a7c1f0e9b11").is_some());
    }

    #[test]
    fn malformed_ids_are_refused() {
        for raw in [
            "",
            "short",
            "x".repeat(65).as_str(),
            "abc;def/../ghijklmnop",
            "ünïcödé-session-id-0000",
        ] {
            assert!(SessionId::parse(raw).is_none(), "{raw:?}");
        }
    }

    #[test]
    fn debug_does_not_reveal_the_id() {
        let id = SessionId::new_random();
        assert!(!format!("{id:?}").contains(id.as_str()));
    }
}
