//! How each service can be started and stopped, from the config file's `[control.<service>]`
//! tables. Only these configured strings ever reach a shell; request data never does.

use crate::service::PerService;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::PathBuf;

/// The config file's `[control.<service>]` tables; a service without one gets the default.
pub type ControlSettings = PerService<Option<ControlSpec>>;

/// One service's control backend.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "backend", rename_all = "lowercase", deny_unknown_fields)]
pub enum ControlSpec {
    /// No buttons: the service is embedded or run by someone else.
    None,
    /// A container on the Docker engine at `DOCKER_HOST` (else the local socket).
    Docker {
        /// Defaults to `carstore-postgres`, `carstore-redis` or `carstore-rabbitmq`.
        container: Option<String>,
    },
    /// Shell commands for a service installed on this host.
    Command {
        start: String,
        stop: String,
        /// Defaults to stop, then start.
        restart: Option<String>,
        /// The service's log file, followed for the dashboard.
        log_file: Option<PathBuf>,
    },
}

/// The dashboard's admin token. Never shown in `Debug` or logs, except in the one sign-in line
/// printed when carstore made the token itself.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminToken {
    token: String,
    /// SHA-256 of the token: what offered tokens are compared against.
    digest: [u8; 32],
}

impl AdminToken {
    /// Refuses a token a guesser would try first: short, a placeholder left in a manifest
    /// (`REPLACE-ME-...`, `changeme`), of few distinct characters (`aaaa…`), or half of it one
    /// run (`0123456789abcdef`). `carstore` makes a strong one when none is given.
    pub fn new(token: String) -> anyhow::Result<AdminToken> {
        if let Some(why) = weakness(&token) {
            anyhow::bail!(
                "the admin token is refused: {why}; set a random one of 32+ characters \
                 (e.g. `openssl rand -hex 32`), or leave it unset and carstore makes one"
            );
        }
        Ok(AdminToken::hashed(token))
    }

    pub fn generate() -> AdminToken {
        use rand::RngCore;
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        AdminToken::hashed(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
    }

    /// Compares in time that depends on neither where the tokens differ nor their lengths: both
    /// sides are hashed to 32 bytes first (a plain constant-time compare of unequal lengths
    /// returns early, telling a guesser the token's length), then compared with `subtle`, whose
    /// compare the optimiser cannot turn back into an early exit.
    pub fn matches(&self, offered: &str) -> bool {
        use subtle::ConstantTimeEq;
        let offered: [u8; 32] = Sha256::digest(offered.as_bytes()).into();
        self.digest.ct_eq(&offered).into()
    }

    pub fn expose(&self) -> &str {
        &self.token
    }

    fn hashed(token: String) -> AdminToken {
        let digest = Sha256::digest(token.as_bytes()).into();
        AdminToken { token, digest }
    }
}

/// Words that mark a value someone meant to replace.
const PLACEHOLDERS: &[&str] = &[
    "replace",
    "changeme",
    "change-me",
    "change_me",
    "example",
    "placeholder",
    "your-",
    "your_",
    "xxxx",
    "todo",
    "<",
    ">",
];

/// Why a token is too easy to guess, if it is.
fn weakness(token: &str) -> Option<&'static str> {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() < 16 {
        return Some("it must be at least 16 characters");
    }
    let lower = token.to_lowercase();
    if PLACEHOLDERS.iter().any(|p| lower.contains(p)) {
        return Some("it is a placeholder");
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 6 {
        return Some("it has fewer than 6 different characters");
    }
    let longest_run = chars
        .windows(2)
        .fold((1, 1), |(run, best), w| {
            let step = w[1] as i64 - w[0] as i64;
            let run = if step.abs() == 1 { run + 1 } else { 1 };
            (run, best.max(run))
        })
        .1;
    if 2 * longest_run >= chars.len() {
        return Some("it holds a run of consecutive characters");
    }
    None
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_tables_parse() {
        let text = r#"
            [redis]
            backend = "command"
            start = "redis-server --port 6390 --daemonize yes"
            stop = "redis-cli -p 6390 shutdown nosave"
            [postgres]
            backend = "none"
            [rabbit]
            backend = "docker"
        "#;
        let c: ControlSettings = toml::from_str(text).unwrap();
        assert!(matches!(
            c.redis,
            Some(ControlSpec::Command { restart: None, .. })
        ));
        assert_eq!(c.postgres, Some(ControlSpec::None));
        assert_eq!(c.rabbit, Some(ControlSpec::Docker { container: None }));
        assert!(toml::from_str::<ControlSettings>("[redis]\nbackend = \"ssh\"\n").is_err());
    }

    #[test]
    fn tokens_match_exactly_and_never_print() {
        let t = AdminToken::new("9f3c1a7e5b2d8046".into()).unwrap();
        assert!(t.matches("9f3c1a7e5b2d8046"));
        assert!(!t.matches("9f3c1a7e5b2d8046 "));
        assert!(!t.matches("9f3c"));
        assert!(!format!("{t:?}").contains("9f3c"));
        assert_eq!(AdminToken::generate().expose().len(), 48);
    }

    #[test]
    fn guessable_tokens_are_refused_with_the_reason() {
        for (token, why) in [
            ("short", "16 characters"),
            ("REPLACE-ME-with-a-long-random-token", "placeholder"),
            ("changeme-changeme-123", "placeholder"),
            ("<your admin token here>", "placeholder"),
            ("aaaaaaaaaaaaaaaaaaaaaaaa", "6 different"),
            ("abababababababab12", "6 different"),
            ("0123456789abcdef", "consecutive"),
            ("zyxwvutsrq-admin-1", "consecutive"),
        ] {
            let err = AdminToken::new(token.into()).unwrap_err().to_string();
            assert!(err.contains(why), "{token}: {err}");
            assert!(
                !err.contains(token),
                "the refusal must not echo the token: {err}"
            );
        }
        let generated = AdminToken::generate();
        assert!(AdminToken::new(generated.expose().into()).is_ok());
    }
}
