use super::AccountId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// Hex digits in a signed-in session's id (192 bits); a guest's has 32 (128 bits). The length
/// alone tells a request whether its session may be signed in, so a guest's cart call never
/// asks the session store anything.
const SIGNED_IN_HEX: usize = 48;

/// Whose cart and orders: a browser's session (the `session_id` cookie), or a signed-in
/// account's own ([`SessionId::of_account`]), which every device signed into it shares.
/// New ids are random hex; ids from older clients (UUIDs and the like) are accepted when they
/// are made of safe characters, so their carts keep working.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    pub fn new_random() -> Self {
        Self::random_hex(16)
    }

    /// A new id for a session being signed in: never the one the browser had (no fixation).
    pub fn new_signed_in() -> Self {
        Self::random_hex(SIGNED_IN_HEX / 2)
    }

    fn random_hex(bytes: usize) -> Self {
        let mut raw = vec![0u8; bytes];
        rand::thread_rng().fill_bytes(&mut raw);
        SessionId(raw.iter().map(|b| format!("{b:02x}")).collect())
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
