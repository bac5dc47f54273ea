use super::layering::checked_queue_name;
use super::*;

fn serve_args() -> ServeArgs {
    ServeArgs::default()
}

#[test]
fn defaults_apply_when_nothing_is_set() {
    let s = Settings::load(serve_args()).unwrap();
    assert_eq!(s.bind.to_string(), DEFAULT_BIND);
    assert_eq!(s.data_dir, PathBuf::from(DEFAULT_DATA_DIR));
    assert!(s.run_worker);
    assert_eq!(s.dead_letter_queue(), "orders.dlq");
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
    let mut args = serve_args();
    args.bind = Some("127.0.0.1:9002".into());
    args.common.config = Some(path);
    let s = Settings::load(args).unwrap();
    assert_eq!(s.bind.port(), 9002);
    assert_eq!(s.data_dir, PathBuf::from("/from/file"));
    assert!(!s.run_worker);
}

#[test]
fn service_urls_come_from_flags_or_the_file_and_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "redis_url = \"redis://127.0.0.1:6379\"\n").unwrap();
    let mut args = serve_args();
    args.common.config = Some(path);
    args.common.database_url = Some("postgres://shop:pw@127.0.0.1/carstore".into());
    let s = Settings::load(args).unwrap();
    assert_eq!(
        s.database_url.unwrap().to_string(),
        "postgres://shop:***@127.0.0.1/carstore"
    );
    assert_eq!(s.redis_url.unwrap().expose(), "redis://127.0.0.1:6379");
    let mut args = serve_args();
    args.common.amqp_url = Some("http://rabbit".into());
    assert!(format!("{:#}", Settings::load(args).unwrap_err())
        .contains("AMQP URL must start with amqp://"));
}

#[test]
fn bad_values_are_one_clear_error() {
    for bind in ["nonsense", "127.0.0.1:99999", ":"] {
        let mut args = serve_args();
        args.bind = Some(bind.into());
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
    let mut args = serve_args();
    args.common.config = Some(path);
    let err = Settings::load(args).unwrap_err();
    assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
}

#[test]
fn queue_names_are_checked() {
    assert!(checked_queue_name("orders-test_1.x".into()).is_ok());
    assert!(checked_queue_name("orders; rm -rf /".into()).is_err());
    assert!(checked_queue_name(String::new()).is_err());
}

#[test]
fn a_worker_listens_on_its_metrics_bind_from_the_flag_the_file_or_the_default() {
    let s = Settings::load_worker(WorkerArgs::default()).unwrap();
    assert_eq!(s.bind.to_string(), DEFAULT_METRICS_BIND);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    // One file for both commands: serve reads `bind`, the worker `metrics_bind`.
    std::fs::write(
        &path,
        "bind = \"127.0.0.1:9001\"\nmetrics_bind = \"0.0.0.0:9465\"\n",
    )
    .unwrap();
    let mut args = WorkerArgs::default();
    args.common.config = Some(path.clone());
    assert_eq!(
        Settings::load_worker(args.clone()).unwrap().bind.port(),
        9465
    );
    let mut serve = serve_args();
    serve.common.config = Some(path);
    assert_eq!(Settings::load(serve).unwrap().bind.port(), 9001);
    args.metrics_bind = Some("127.0.0.1:9466".into());
    assert_eq!(
        Settings::load_worker(args.clone()).unwrap().bind.port(),
        9466
    );
    args.metrics_bind = Some("9466".into());
    let err = format!("{:#}", Settings::load_worker(args).unwrap_err());
    assert!(err.contains("metrics bind address \"9466\""), "{err}");
}

#[test]
fn retentions_come_from_the_file_or_default_and_a_bad_one_is_one_clear_error() {
    assert_eq!(
        Settings::load(serve_args()).unwrap().retention,
        Retention::default()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "outbox_retention = \"60s\"\ncart_retention = \"2h\"\n",
    )
    .unwrap();
    let mut args = serve_args();
    args.common.config = Some(path.clone());
    let r = Settings::load(args.clone()).unwrap().retention;
    assert_eq!(r.sent_outbox, std::time::Duration::from_secs(60));
    assert_eq!(r.carts, std::time::Duration::from_secs(7200));
    assert_eq!(r.idempotency_keys, Retention::default().idempotency_keys);
    std::fs::write(&path, "idempotency_retention = \"forever\"\n").unwrap();
    let err = format!("{:#}", Settings::load(args).unwrap_err());
    assert!(
        err.starts_with("idempotency retention \"forever\""),
        "{err}"
    );
    assert!(!err.contains('\n'), "{err}");
}

#[test]
fn every_variable_carstore_has_read_is_known_from_the_flags() {
    for var in [
        "CARSTORE_BIND",
        "CARSTORE_METRICS_BIND",
        "CARSTORE_DATA_DIR",
        "CARSTORE_CONFIG",
        "CARSTORE_NO_WORKER",
        "CARSTORE_LOG",
        "CARSTORE_DATABASE_URL",
        "CARSTORE_REDIS_URL",
        "CARSTORE_AMQP_URL",
        "CARSTORE_REDIS_PREFIX",
        "CARSTORE_ORDERS_QUEUE",
        "CARSTORE_ADMIN_TOKEN",
        "CARSTORE_ADMIN_TOKEN_FILE",
        "CARSTORE_TRUSTED_PROXIES",
        "CARSTORE_RABBIT_MANAGEMENT_URL",
        "CARSTORE_RABBIT_MANAGEMENT_URL_FILE",
        "CARSTORE_CART_RETENTION",
        "CARSTORE_IDEMPOTENCY_RETENTION",
        "CARSTORE_OUTBOX_RETENTION",
        "CARSTORE_ACCOUNT_RETENTION",
        "CARSTORE_INSTANCE",
        "CARSTORE_DRAIN",
        "DATABASE_URL_FILE",
        "DOCKER_HOST",
    ] {
        assert!(super::is_known_env(var), "{var}");
    }
    assert!(!super::is_known_env("CARSTORE_REDIS_PREFX"));
}

#[test]
fn the_file_takes_every_flag_by_its_name_and_a_flag_wins_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    let file = "bind = \"127.0.0.1:0\"\nredis_prefix = \"file:\"\norders_queue = \"from-file\"\n\
                drain = \"1s\"\nconfig = \"nested.toml\"\n";
    std::fs::write(&path, file).unwrap();
    let mut args = serve_args();
    args.common.config = Some(path.clone());
    let err = format!("{:#}", Settings::load(args).unwrap_err());
    assert!(err.contains("unknown field `config`"), "{err}");
    std::fs::write(&path, file.replace("config = \"nested.toml\"\n", "")).unwrap();
    let mut args = serve_args();
    args.common.config = Some(path);
    args.common.redis_prefix = Some("flag:".into());
    args.common.orders_queue = Some(String::new());
    let settings = Settings::load(args).unwrap();
    assert_eq!(settings.redis_prefix, "flag:");
    assert_eq!(
        settings.orders_queue, "from-file",
        "an empty value is not given"
    );
    assert_eq!(settings.drain, std::time::Duration::from_secs(1));
}
