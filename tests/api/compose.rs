//! compose.yaml, checked by a real Compose implementation and against what carstore reads: the
//! container names the dashboard looks for, the variables and ports carstore uses, and the
//! addresses Prometheus and Grafana are given.

use carstore::config::is_known_env;
use carstore::service::Service;
use serde_yaml::Value;
use std::process::Command;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn compose() -> Value {
    serde_yaml::from_str(&read("compose.yaml")).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn compose_yaml_is_valid_for_docker_compose() {
    let out = Command::new("docker-compose")
        .args(["-f", "compose.yaml", "config", "--quiet"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect(
            "docker-compose is missing: apt-get install docker-compose (ops/test.sh does this)",
        );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_stack_has_every_service_healthy_before_its_dependents() {
    let c = compose();
    let services = c["services"].as_mapping().unwrap();
    let names: Vec<&str> = services.keys().filter_map(Value::as_str).collect();
    for wanted in [
        "carstore",
        "postgres",
        "redis",
        "rabbitmq",
        "prometheus",
        "grafana",
    ] {
        assert!(names.contains(&wanted), "service {wanted} is missing");
    }
    // The one-shot secrets service runs before the rest and ends; every other is healthy first.
    let one_shot = "secrets";
    for (name, service) in services {
        let name = name.as_str().unwrap();
        assert!(
            name == one_shot || service["healthcheck"]["test"].is_sequence(),
            "{name} has no healthcheck"
        );
        if let Some(deps) = service["depends_on"].as_mapping() {
            for (dep, how) in deps {
                let wanted = match dep.as_str() == Some(one_shot) {
                    true => "service_completed_successfully",
                    false => "service_healthy",
                };
                assert_eq!(how["condition"], wanted, "{name} -> {dep:?}");
            }
        }
        let container = service["container_name"].as_str().unwrap();
        assert!(container.starts_with("carstore"), "{name}: {container}");
        // Nothing listens for other machines unless CARSTORE_PUBLISH_ADDRESS says so.
        for port in strings(&service["ports"]) {
            assert!(
                port.starts_with("${CARSTORE_PUBLISH_ADDRESS:-127.0.0.1}:"),
                "{name} publishes {port} beyond this machine"
            );
        }
    }
    let published = |service: &str| strings(&c["services"][service]["ports"]);
    let on_loopback = |port: &str| format!("${{CARSTORE_PUBLISH_ADDRESS:-127.0.0.1}}:{port}");
    assert!(published("grafana").contains(&on_loopback("3000:3000")));
    assert!(published("prometheus").contains(&on_loopback("9090:9090")));
    assert!(
        published("rabbitmq").contains(&on_loopback("${RABBITMQ_MANAGEMENT_PORT:-15672}:15672"))
    );
    assert!(c["services"]["rabbitmq"]["image"]
        .as_str()
        .unwrap()
        .contains("management"));
    // Named volumes are declared at the top.
    let declared = c["volumes"].as_mapping().unwrap();
    for (name, service) in services {
        for volume in strings(&service["volumes"]) {
            let source = volume.split(':').next().unwrap();
            if !source.starts_with('.') && !source.starts_with('/') {
                assert!(
                    declared.contains_key(source),
                    "{name:?}: volume {source} is not declared"
                );
            }
        }
    }
}

#[test]
fn carstore_in_the_stack_uses_only_what_it_reads_and_finds_its_siblings() {
    let c = compose();
    let carstore = &c["services"]["carstore"];
    // The dashboard's docker backend finds the services by these names with no config.
    for (service, key) in [
        (Service::Postgres, "postgres"),
        (Service::Redis, "redis"),
        (Service::Rabbit, "rabbitmq"),
    ] {
        assert_eq!(
            c["services"][key]["container_name"],
            service.default_container(),
            "{key}"
        );
    }
    let env = carstore["environment"].as_mapping().unwrap();
    for key in env.keys().map(|k| k.as_str().unwrap()) {
        assert!(is_known_env(key), "carstore does not read {key}");
    }
    let value = |k: &str| env[k].as_str().unwrap().to_owned();
    assert_eq!(value("CARSTORE_BIND"), "0.0.0.0:8000");
    assert!(value("CARSTORE_ADMIN_TOKEN").starts_with("${CARSTORE_ADMIN_TOKEN"));
    // Each URL holds a password: a file the secrets service writes, never the environment.
    let mounted = strings(&carstore["volumes"]);
    assert!(
        mounted.contains(&"carstore-secrets:/run/secrets:ro".to_owned()),
        "{mounted:?}"
    );
    let init = read("ops/stack/secrets/init.sh");
    for (var, file, scheme, host) in [
        (
            "DATABASE_URL",
            "database_url",
            "postgres://",
            "@postgres:5432/",
        ),
        ("REDIS_URL", "redis_url", "redis://", "@redis:6379"),
        ("AMQP_URL", "amqp_url", "amqp://", "@rabbitmq:5672/"),
        (
            "CARSTORE_RABBIT_MANAGEMENT_URL",
            "rabbit_management_url",
            "http://",
            "@rabbitmq:15672",
        ),
    ] {
        assert!(!env.contains_key(var), "{var} in carstore's environment");
        assert_eq!(
            value(&format!("{var}_FILE")),
            format!("/run/secrets/{file}")
        );
        let written = init
            .lines()
            .find(|l| l.contains(&format!("/carstore/{file}\"")))
            .unwrap_or_else(|| panic!("init.sh writes no {file}"));
        assert!(
            written.contains(scheme) && written.contains(host),
            "{written}"
        );
    }
    let ports = strings(&carstore["ports"]);
    assert!(
        ports.contains(&"${CARSTORE_PUBLISH_ADDRESS:-127.0.0.1}:8000:8000".to_owned())
            && ports.contains(&"${CARSTORE_PUBLISH_ADDRESS:-127.0.0.1}:8081:8000".to_owned()),
        "{ports:?}"
    );
    // carstore never sees the Docker socket: it asks docker-proxy, whatever the socket's group.
    let volumes = strings(&carstore["volumes"]);
    assert!(
        !volumes.iter().any(|v| v.contains("docker.sock")),
        "{volumes:?}"
    );
    assert!(carstore["group_add"].is_null());
    assert_eq!(value("DOCKER_HOST"), "tcp://docker-proxy:2375");
    assert!(strings(&carstore["networks"]["default"]["aliases"]).contains(&"backend".to_owned()));
    assert!(strings(&carstore["healthcheck"]["test"]).contains(&"healthcheck".to_owned()));
}

#[test]
fn the_docker_proxy_lets_through_only_the_dashboards_calls_on_the_three_containers() {
    let proxy = &compose()["services"]["docker-proxy"];
    let volumes = strings(&proxy["volumes"]);
    assert!(volumes.contains(&"/var/run/docker.sock:/var/run/docker.sock:ro".to_owned()));
    assert!(volumes.contains(
        &"./ops/docker-proxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro".to_owned()
    ));
    assert!(proxy["ports"].is_null(), "the proxy must not be published");
    // On an internal network that carstore alone joins besides it.
    let c = compose();
    assert_eq!(strings(&proxy["networks"]), ["docker-api"]);
    assert_eq!(c["networks"]["docker-api"]["internal"], true);
    for (name, service) in c["services"].as_mapping().unwrap() {
        let joins = service["networks"].get("docker-api").is_some()
            || strings(&service["networks"]).contains(&"docker-api".to_owned());
        let name = name.as_str().unwrap();
        assert_eq!(
            joins,
            ["carstore", "docker-proxy"].contains(&name),
            "{name}"
        );
    }
    let config = read("ops/docker-proxy/haproxy.cfg");
    let names = Service::ALL
        .iter()
        .map(|s| s.default_container().trim_start_matches("carstore-"))
        .collect::<Vec<_>>()
        .join("|");
    let lines: Vec<&str> = config.lines().map(str::trim).collect();
    // Every allowed call: the one API version carstore sends (or none), the three containers.
    let calls: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("acl ") && l.contains(" url_reg "))
        .collect();
    assert_eq!(calls.len(), 4, "{calls:?}");
    for call in &calls {
        let pattern = format!("^(/v1\\.41)?/containers/carstore-({names})/");
        assert!(call.contains(&pattern), "{call}");
        assert!(call.ends_with('$'), "anchored at the end: {call}");
    }
    // Bodies, chunks and upgrades refused before anything is allowed; everything else denied.
    let rules: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("http-request "))
        .collect();
    assert_eq!(
        rules,
        [
            "http-request deny deny_status 403 if chunked or upgrade or lengths or length !length_0",
            "http-request allow if get inspect or get logs or post start or post stop",
            "http-request deny deny_status 403",
        ]
    );
    assert!(
        lines.contains(&"acl get  method GET"),
        "upper-case GET only"
    );
    assert!(
        lines.contains(&"acl post method POST"),
        "upper-case POST only"
    );
}

#[test]
fn prometheus_grafana_and_the_image_point_where_compose_puts_things() {
    let prometheus: Value = serde_yaml::from_str(&read("ops/prometheus/prometheus.yml")).unwrap();
    let targets: Vec<String> = prometheus["scrape_configs"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|job| strings(&job["static_configs"][0]["targets"]))
        .collect();
    assert_eq!(targets, ["carstore:8000", "rabbitmq:15692"]);
    let datasource: Value =
        serde_yaml::from_str(&read("ops/grafana/provisioning/datasources/prometheus.yml")).unwrap();
    assert_eq!(
        datasource["datasources"][0]["url"],
        "http://prometheus:9090"
    );
    let provider: Value =
        serde_yaml::from_str(&read("ops/grafana/provisioning/dashboards/carstore.yml")).unwrap();
    let path = provider["providers"][0]["options"]["path"]
        .as_str()
        .unwrap();
    let grafana_volumes = strings(&compose()["services"]["grafana"]["volumes"]);
    assert!(
        grafana_volumes.contains(&format!("./ops/grafana/dashboards:{path}:ro")),
        "{grafana_volumes:?}"
    );
    let dockerfile = read("ops/Dockerfile");
    assert!(dockerfile.contains("USER carstore") && dockerfile.contains("EXPOSE 8000"));
    assert!(dockerfile.contains("CARSTORE_BIND=0.0.0.0:8000"));
}
