//! Settings, layered: flags, then environment (both through clap), then the config file, then
//! defaults. Everything is checked here, before anything starts, so a bad value is one clear line.

use crate::cli::ServeArgs;
use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

pub const DEFAULT_BIND: &str = "127.0.0.1:8000";
pub const DEFAULT_DATA_DIR: &str = "./carstore-data";

/// The `CARSTORE_*` variables carstore reads; any other one is probably a typo and is warned about.
const KNOWN_ENV: &[&str] = &[
    "CARSTORE_BIND",
    "CARSTORE_DATA_DIR",
    "CARSTORE_CONFIG",
    "CARSTORE_NO_WORKER",
    "CARSTORE_LOG",
];

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    /// Run the outbox relay and the order processor in this process.
    pub run_worker: bool,
    pub log_filter: String,
}

/// The config file: the same settings as the flags, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    worker: Option<bool>,
    log: Option<String>,
}

impl Settings {
    pub fn load(args: ServeArgs) -> anyhow::Result<Settings> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let bind = args
            .bind
            .or(file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.into());
        Ok(Settings {
            bind: parse_bind(&bind)?,
            data_dir: args
                .data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| DEFAULT_DATA_DIR.into()),
            run_worker: !args.no_worker.unwrap_or(false) && file.worker.unwrap_or(true),
            log_filter: args.log.or(file.log).unwrap_or_else(|| "info".into()),
        })
    }

    /// Settings for tests and tools: an ephemeral port and the given data dir.
    pub fn for_tests(data_dir: &Path) -> Settings {
        Settings {
            bind: "127.0.0.1:0".parse().expect("literal address"),
            data_dir: data_dir.to_owned(),
            run_worker: true,
            log_filter: "warn".into(),
        }
    }

    /// `CARSTORE_*` variables set in the environment that carstore does not know.
    pub fn unknown_env_vars() -> Vec<String> {
        std::env::vars()
            .map(|(k, _)| k)
            .filter(|k| k.starts_with("CARSTORE_") && !KNOWN_ENV.contains(&k.as_str()))
            .collect()
    }
}

fn read_file(path: &Path) -> anyhow::Result<FileSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    toml::from_str(&text).map_err(|e| {
        let first = e.message().lines().next().unwrap_or("invalid").to_owned();
        anyhow::anyhow!("config file {}: {first}", path.display())
    })
}

fn parse_bind(raw: &str) -> anyhow::Result<SocketAddr> {
    if let Ok(addr) = raw.parse() {
        return Ok(addr);
    }
    if !raw.contains(':') {
        bail!("bind address {raw:?} must be HOST:PORT, e.g. {DEFAULT_BIND}");
    }
    let mut addrs = raw
        .to_socket_addrs()
        .with_context(|| format!("bind address {raw:?} is not a usable HOST:PORT"))?;
    addrs
        .next()
        .with_context(|| format!("bind address {raw:?} resolves to nothing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let s = Settings::load(ServeArgs::default()).unwrap();
        assert_eq!(s.bind.to_string(), DEFAULT_BIND);
        assert_eq!(s.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
        assert!(s.run_worker);
    }

    #[test]
    fn flags_win_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("carstore.toml");
        std::fs::write(
            &path,
            "bind = \"127.0.0.1:9001\"\ndata_dir = \"/from/file\"\nworker = false\n",
        )
        .unwrap();
        let args = ServeArgs {
            bind: Some("127.0.0.1:9002".into()),
            config: Some(path),
            ..Default::default()
        };
        let s = Settings::load(args).unwrap();
        assert_eq!(s.bind.port(), 9002);
        assert_eq!(s.data_dir, PathBuf::from("/from/file"));
        assert!(!s.run_worker);
    }

    #[test]
    fn bad_values_are_one_clear_error() {
        for bind in ["nonsense", "127.0.0.1:99999", ":"] {
            let args = ServeArgs {
                bind: Some(bind.into()),
                ..Default::default()
            };
            let err = format!("{:#}", Settings::load(args).unwrap_err());
            assert!(err.contains("bind address"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "bnid = \"x\"\n").unwrap();
        let err = Settings::load(ServeArgs {
            config: Some(path),
            ..Default::default()
        })
        .unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
    }
}
