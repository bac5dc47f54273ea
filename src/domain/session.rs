use rand::RngCore;
use std::fmt;

/// A shopper's session: the key of their cart and the owner of their orders.
/// New ids are 128 random bits in hex; ids from older clients (UUIDs and the like) are accepted
/// when they are made of safe characters, so their carts keep working.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

impl SessionId {
    pub fn new_random() -> Self {
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        SessionId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// `None` for anything that is not a plausible id; the caller then starts a new session.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok_len = (16..=64).contains(&raw.len());
        let ok_chars = raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (ok_len && ok_chars).then(|| SessionId(raw.to_owned()))
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
