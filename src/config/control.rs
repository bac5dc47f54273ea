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
    pub fn new(token: String) -> anyhow::Result<AdminToken> {
        anyhow::ensure!(
            token.len() >= 16,
            "the admin token must be at least 16 characters"
        );
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
        let t = AdminToken::new("0123456789abcdef".into()).unwrap();
        assert!(t.matches("0123456789abcdef"));
        assert!(!t.matches("0123456789abcdeF"));
        assert!(!t.matches("0123"));
        assert!(!format!("{t:?}").contains("0123"));
        assert!(AdminToken::new("short".into()).is_err());
        assert_eq!(AdminToken::generate().expose().len(), 48);
    }
}
