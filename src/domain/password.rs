//! A shopper's password: checked when an account is made, kept only as an Argon2id hash with a
//! salt of its own, and never logged, returned or counted. `Debug` shows stars.

use super::Invalid;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Argon2id with the first parameter set OWASP's password storage guidance gives: 19 MiB of
/// memory, 2 passes, 1 lane, a 32-byte hash. Memory-hard enough that guessing on a GPU costs,
/// light enough that a sign-in stays in the tens of milliseconds on a small machine.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;
const HASH_BYTES: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// 10 to 128 characters, counted as characters (not bytes), taken as typed: spaces count,
    /// and nothing is trimmed, so a passphrase is what its owner chose.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let chars = raw.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
            return Err(Invalid(format!(
                "password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
            )));
        }
        if raw.chars().any(char::is_control) {
            return Err(Invalid(
                "password must not contain control characters".into(),
            ));
        }
        Ok(Password(raw.to_owned()))
    }

    /// What was typed at a sign-in, unchecked: the length and character rules are for choosing
    /// a password, and an attempt that breaks them must still cost what any other costs.
    pub fn typed(raw: &str) -> Self {
        Password(raw.to_owned())
    }

    /// The PHC string to store: algorithm, parameters, salt and hash, e.g.
    /// `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
    pub fn hash(&self) -> String {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(self.0.as_bytes(), &salt)
            .expect("Argon2id with fixed, valid parameters always hashes")
            .to_string()
    }

    /// Whether this is the password `stored` was made from. A stored text that is not a hash
    /// never matches.
    pub fn matches(&self, stored: &str) -> bool {
        PasswordHash::new(stored)
            .is_ok_and(|hash| hasher().verify_password(self.0.as_bytes(), &hash).is_ok())
    }

    /// The same work as [`Password::matches`] for an email no account has, so an unknown email
    /// and a wrong password take the same time and nobody can tell which accounts exist.
    pub fn match_nobody(&self) {
        static NOBODY: OnceLock<String> = OnceLock::new();
        let stored = NOBODY.get_or_init(|| Password("nobody's password".into()).hash());
        let _ = self.matches(stored);
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, Some(HASH_BYTES))
        .expect("the stated Argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_10_to_128_characters_as_typed() {
        assert!(Password::parse("123456789").is_err());
        assert!(Password::parse("1234567890").is_ok());
        assert!(Password::parse(&"x".repeat(128)).is_ok());
        assert!(Password::parse(&"x".repeat(129)).is_err());
        // Characters, not bytes: ten accented letters are ten characters.
        assert!(Password::parse("éééééééééé").is_ok());
        assert!(Password::parse("correct\nhorse battery").is_err());
        assert!(Password::parse("  spaces count too  ").is_ok());
    }

    #[test]
    fn a_hash_matches_its_password_only_and_names_its_parameters() {
        let password = Password::parse("correct horse battery").unwrap();
        let stored = password.hash();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(password.matches(&stored));
        assert!(!Password::parse("correct horse batterz")
            .unwrap()
            .matches(&stored));
        assert!(!password.matches("not a hash"));
        // A salt of its own each time.
        assert_ne!(stored, password.hash());
        password.match_nobody();
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("hunter2hunter2").unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
    }
}
