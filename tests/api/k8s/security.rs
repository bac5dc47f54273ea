//! The security review's findings, closed in the rendered manifests: no committed token or
//! password (each overlay's Secret is the operator's secrets.env and nothing else), passwords
//! reach the services and carstore as files and agree with one another, carstore is no database
//! superuser nor RabbitMQ administrator, NetworkPolicies let only carstore reach its services and
//! only the ingress controller (and Prometheus) reach the store, the external Ingress has TLS,
//! the trusted proxies are not every private range, and carstore's containers are locked down.

use super::manifests::{overlays, pods, read_env, text, throwaway_secrets};
use carstore::config::AdminToken;
use carstore::queue::QueueNames;
use ipnet::IpNet;
use reqwest::Url;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

const NAMESPACE: &str = "carstore";

fn of_kind<'a>(objs: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    objs.iter().filter(move |o| o["kind"] == kind)
}

fn named<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    let found = objs
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name);
    found.unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// The workloads' pod templates, by workload name.
fn templates(objs: &[Value]) -> Vec<(String, &Value)> {
    let kinds = ["Deployment", "StatefulSet", "DaemonSet"];
    let workloads = objs
        .iter()
        .filter(|o| kinds.iter().any(|k| o["kind"] == *k));
    workloads
        .map(|w| (text(&w["metadata"]["name"]), &w["spec"]["template"]))
        .collect()
}

fn template<'a>(objs: &'a [Value], workload: &str) -> &'a Value {
    let found = templates(objs).into_iter().find(|(n, _)| n == workload);
    found.unwrap_or_else(|| panic!("no workload {workload}")).1
}

fn list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_default()
}

/// A pod's init containers and containers.
fn all_containers(template: &Value) -> Vec<Value> {
    let spec = &template["spec"];
    let mut all = list(&spec["initContainers"]);
    all.extend(list(&spec["containers"]));
    all
}

fn container(template: &Value, name: &str) -> Value {
    let found = all_containers(template)
        .into_iter()
        .find(|c| c["name"] == name);
    found.unwrap_or_else(|| panic!("no container {name}"))
}

fn base64_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut bits, mut count, mut out) = (0u32, 0, Vec::new());
    for c in text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
    {
        let value = ALPHABET.iter().position(|a| *a == c).expect("base64") as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

/// A Secret's keys and values, decoded; a ConfigMap's as they are.
fn data(obj: &Value) -> BTreeMap<String, String> {
    let entries = obj["data"].as_object().into_iter().flatten();
    entries
        .map(|(k, v)| {
            let value = if obj["kind"] == "Secret" {
                String::from_utf8(base64_decode(&text(v))).expect("UTF-8")
            } else {
                text(v)
            };
            (k.clone(), value)
        })
        .collect()
}

/// Every string in a value, keys of maps included.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out)
        }),
        _ => {}
    }
}

/// The runs of 64 hex digits in a text: the random values of throwaway-secrets.sh.
fn randoms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
        } else {
            if run.len() >= 64 {
                out.push(std::mem::take(&mut run));
            }
            run.clear();
        }
    }
    out
}

/// A password written into a URL, `scheme://user:PASSWORD@host`, in a text: a format's `%s`
/// is none.
fn url_passwords(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("://") {
        let rest = &text[at + 3..];
        let authority = rest
            .split(|c: char| c == '/' || c.is_whitespace() || c == '\'' || c == '"')
            .next()
            .unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if let Some((_, password)) = userinfo.split_once(':') {
                if !password.is_empty() && password != "%s" {
                    out.push(password.to_owned());
                }
            }
        }
    }
    out
}

#[test]
fn no_rendered_manifest_carries_a_committed_token_or_password() {
    let k8s = Path::new(env!("CARGO_MANIFEST_DIR")).join("ops/k8s/overlays");
    for (overlay, objs) in overlays() {
        let written: BTreeMap<String, String> =
            throwaway_secrets(overlay).iter().cloned().collect();
        // The one Secret is the operator's file, all of it and nothing besides: no literal, no
        // merge with a committed value.
        let secrets: Vec<&Value> = of_kind(objs, "Secret").collect();
        assert_eq!(secrets.len(), 1, "{overlay}: one Secret, from secrets.env");
        assert_eq!(
            data(secrets[0]),
            written,
            "{overlay}: the Secret is secrets.env as the operator wrote it"
        );
        // Every value of the file is the operator's to give: the example fixes none (the
        // throwaway file has a fresh random value in each, where the example left it blank or
        // wrote PASSWORD).
        let mut random = Vec::new();
        for (key, value) in &written {
            let found = randoms(value);
            assert!(
                !found.is_empty(),
                "{overlay}: {key} in secrets.env.example is a value of its own, not the operator's"
            );
            random.extend(found);
        }
        // Nothing else carries one of them, a password in a URL, or a placeholder.
        for obj in objs.iter().filter(|o| o["kind"] != "Secret") {
            let what = format!(
                "{overlay}: {} {}",
                text(&obj["kind"]),
                text(&obj["metadata"]["name"])
            );
            let mut all = Vec::new();
            strings(obj, &mut all);
            for s in all {
                for r in &random {
                    assert!(
                        !s.contains(r.as_str()),
                        "{what} holds a secret of secrets.env"
                    );
                }
                assert!(
                    !s.to_ascii_lowercase().contains("replace-me"),
                    "{what}: a placeholder: {s}"
                );
                assert!(
                    url_passwords(&s).is_empty(),
                    "{what}: a URL with a password: {s}"
                );
            }
        }
        // Passwords and the token reach containers as files, never as environment variables.
        for (workload, t) in templates(objs) {
            for c in all_containers(t) {
                let what = format!("{overlay}: {workload} container {}", text(&c["name"]));
                for e in list(&c["env"]) {
                    assert!(
                        e["valueFrom"]["secretKeyRef"].is_null(),
                        "{what}: {} from a Secret as an environment variable",
                        e["name"]
                    );
                }
                for from in list(&c["envFrom"]) {
                    assert!(from["secretRef"].is_null(), "{what}: envFrom a Secret");
                }
            }
        }
        // carstore refuses the example's token (left blank), and takes a random one.
        let example = read_env(&k8s.join(overlay).join("secrets.env.example"));
        let token = |vars: &[(String, String)]| {
            let found = vars.iter().find(|(k, _)| k == "CARSTORE_ADMIN_TOKEN");
            found
                .unwrap_or_else(|| panic!("{overlay}: no CARSTORE_ADMIN_TOKEN"))
                .1
                .clone()
        };
        assert!(
            AdminToken::new(token(&example)).is_err(),
            "{overlay}: secrets.env.example's token is usable"
        );
        assert!(
            AdminToken::new(token(throwaway_secrets(overlay))).is_ok(),
            "{overlay}: carstore refuses a token of `openssl rand -hex 32`'s kind"
        );
    }
}

#[test]
fn the_operators_secrets_files_stay_out_of_git() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(root).output();
    let Ok(tracked) = git(&["ls-files", "ops/k8s"]) else {
        return; // no git here: nothing to ask it
    };
    if !tracked.status.success() {
        return; // not a git checkout (a source archive)
    }
    let tracked = String::from_utf8(tracked.stdout).expect("UTF-8");
    for (overlay, _) in overlays() {
        let example = format!("ops/k8s/overlays/{overlay}/secrets.env.example");
        let real = format!("ops/k8s/overlays/{overlay}/secrets.env");
        assert!(
            tracked.lines().any(|l| l == example),
            "{example} is not committed"
        );
        assert!(!tracked.lines().any(|l| l == real), "{real} is committed");
        let ignored = git(&["check-ignore", "-q", "--no-index", &real]).expect("git runs");
        assert!(ignored.status.success(), "git does not ignore {real}");
    }
}

/// A pod's files as its containers see them: Secret and ConfigMap volumes from the rendered
/// objects, emptyDirs as the init containers leave them (run here with sh, their mounts in
/// temporary directories).
struct PodFiles<'a> {
    objs: &'a [Value],
    template: &'a Value,
    empty_dirs: HashMap<String, PathBuf>,
    scratch: tempfile::TempDir,
}

impl<'a> PodFiles<'a> {
    fn new(objs: &'a [Value], template: &'a Value) -> PodFiles<'a> {
        let scratch = tempfile::tempdir().expect("a temporary directory");
        let mut files = PodFiles {
            objs,
            template,
            empty_dirs: HashMap::new(),
            scratch,
        };
        let volumes = list(&template["spec"]["volumes"]);
        for v in volumes.iter().filter(|v| !v["emptyDir"].is_null()) {
            let dir = files.scratch.path().join(text(&v["name"]));
            std::fs::create_dir(&dir).expect("mkdir");
            files.empty_dirs.insert(text(&v["name"]), dir);
        }
        for init in list(&template["spec"]["initContainers"]) {
            files.run(&init);
        }
        files
    }

    /// Where a path of a container is: its volume and the path within it.
    fn mount(&self, container: &Value, path: &str) -> (Value, String) {
        let mounts = list(&container["volumeMounts"]);
        let found = mounts.iter().find_map(|m| {
            let rest = path.strip_prefix(&format!("{}/", text(&m["mountPath"])))?;
            Some((text(&m["name"]), rest.to_owned()))
        });
        let (volume, rest) = found
            .unwrap_or_else(|| panic!("container {}: {path} is on no volume", container["name"]));
        let volumes = list(&self.template["spec"]["volumes"]);
        let v = volumes.into_iter().find(|v| v["name"] == volume.as_str());
        (v.expect("the mount's volume"), rest)
    }

    /// A Secret or ConfigMap volume's files: (path, content).
    fn projected(&self, volume: &Value) -> Vec<(String, String)> {
        let (kind, source, name) = if !volume["secret"].is_null() {
            (
                "Secret",
                &volume["secret"],
                text(&volume["secret"]["secretName"]),
            )
        } else {
            (
                "ConfigMap",
                &volume["configMap"],
                text(&volume["configMap"]["name"]),
            )
        };
        let all = data(named(self.objs, kind, &name));
        match source["items"].as_array() {
            Some(items) => items
                .iter()
                .map(|i| (text(&i["path"]), all[&text(&i["key"])].clone()))
                .collect(),
            None => all.into_iter().collect(),
        }
    }

    /// The content of a file a container reads.
    fn read(&self, container: &Value, path: &str) -> String {
        let (volume, rest) = self.mount(container, path);
        if let Some(dir) = self.empty_dirs.get(&text(&volume["name"])) {
            let file = dir.join(&rest);
            return std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{path} (left by the init containers): {e}"));
        }
        let found = self
            .projected(&volume)
            .into_iter()
            .find(|(p, _)| *p == rest);
        found
            .unwrap_or_else(|| panic!("container {}: no file {path}", container["name"]))
            .1
    }

    /// Runs an init container's `sh SCRIPT` with its mounts in temporary directories.
    fn run(&self, init: &Value) {
        let mut paths: Vec<(String, PathBuf)> = Vec::new();
        for m in list(&init["volumeMounts"]) {
            let (volume, _) = self.mount(init, &format!("{}/x", text(&m["mountPath"])));
            let dir = match self.empty_dirs.get(&text(&volume["name"])) {
                Some(dir) => dir.clone(),
                None => {
                    let dir = self.scratch.path().join(format!(
                        "{}-{}",
                        text(&init["name"]),
                        text(&m["name"])
                    ));
                    std::fs::create_dir(&dir).expect("mkdir");
                    for (p, content) in self.projected(&volume) {
                        std::fs::write(dir.join(p), content).expect("write");
                    }
                    dir
                }
            };
            paths.push((text(&m["mountPath"]), dir));
        }
        let local = |s: &str| {
            let found = paths.iter().find_map(|(mount, dir)| {
                let rest = s.strip_prefix(mount.as_str())?;
                Some(format!("{}{rest}", dir.display()))
            });
            found.unwrap_or_else(|| s.to_owned())
        };
        let command: Vec<String> = list(&init["command"]).iter().map(text).collect();
        assert_eq!(
            command.len(),
            2,
            "init container {}: sh SCRIPT",
            init["name"]
        );
        assert_eq!(
            command[0], "sh",
            "init container {}: sh SCRIPT",
            init["name"]
        );
        let mut sh = Command::new("sh");
        sh.arg(local(&command[1]))
            .env_clear()
            .env("PATH", "/usr/bin:/bin");
        for e in list(&init["env"]) {
            sh.env(text(&e["name"]), local(&text(&e["value"])));
        }
        let out = sh.output().expect("sh runs");
        assert!(
            out.status.success(),
            "init container {}: {}",
            init["name"],
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The file a shell script `cat`s on the line that holds `marker`.
fn catted(script: &str, marker: &str) -> String {
    let line = script.lines().find(|l| l.contains(marker));
    let line = line.unwrap_or_else(|| panic!("no line with {marker} in {script}"));
    let after = &line[line
        .find("cat ")
        .unwrap_or_else(|| panic!("no cat in {line}"))
        + 4..];
    let path = after
        .split(|c: char| c == ')' || c == '`' || c.is_whitespace())
        .next();
    path.expect("a path").to_owned()
}

fn env_value(container: &Value, name: &str) -> Option<String> {
    let found = list(&container["env"])
        .into_iter()
        .find(|e| e["name"] == name);
    found.map(|e| text(&e["value"]))
}

/// A service URL a carstore container reads from its `*_FILE`.
fn url_of(files: &PodFiles, container: &Value, var: &str) -> Url {
    let path = env_value(container, &format!("{var}_FILE"))
        .unwrap_or_else(|| panic!("container {}: no {var}_FILE", container["name"]));
    let text = files.read(container, &path);
    let url = Url::parse(text.trim()).unwrap_or_else(|e| panic!("{var}: {e}"));
    assert!(
        url.password().is_some_and(|p| !p.is_empty()),
        "container {}: {var} has no password",
        container["name"]
    );
    url
}

#[test]
fn carstores_urls_carry_the_passwords_the_services_require() {
    for (overlay, objs) in overlays() {
        for (workload, t) in templates(objs) {
            let labels = &t["metadata"]["labels"];
            if labels["app.kubernetes.io/name"] != "carstore" {
                continue;
            }
            let files = PodFiles::new(objs, t);
            let main = &t["spec"]["containers"][0];
            let mut urls = HashMap::new();
            for var in ["DATABASE_URL", "REDIS_URL", "AMQP_URL"] {
                urls.insert(var, url_of(&files, main, var));
            }
            let store = labels["app.kubernetes.io/component"] == "store";
            if store {
                let path = env_value(main, "CARSTORE_ADMIN_TOKEN_FILE").expect("token file");
                let token = files.read(main, &path).trim().to_owned();
                assert!(
                    AdminToken::new(token).is_ok(),
                    "{overlay}: {workload}'s token"
                );
            } else {
                assert_eq!(
                    env_value(main, "CARSTORE_ADMIN_TOKEN_FILE"),
                    None,
                    "{overlay}: the worker needs no admin token"
                );
            }
            if *overlay != "demo" {
                continue;
            }
            let what = format!("{overlay}: {workload}");
            // Redis: requirepass from its Secret's file, appended to its configuration.
            let redis_t = template(objs, "redis");
            let redis_files = PodFiles::new(objs, redis_t);
            let redis = container(redis_t, "redis");
            let script: Vec<String> = list(&redis["command"]).iter().map(text).collect();
            let script = script.join("\n");
            assert!(
                !script.contains("--requirepass") && list(&redis["args"]).is_empty(),
                "{what}: Redis's password on its command line"
            );
            let password = redis_files.read(&redis, &catted(&script, "requirepass"));
            assert_eq!(
                urls["REDIS_URL"].password(),
                Some(password.as_str()),
                "{what}: REDIS_URL"
            );
            assert_eq!(urls["REDIS_URL"].host_str(), Some("redis"), "{what}");
            // Postgres: carstore's own role, made by the init script with its Secret's password;
            // the superuser's password is another, and no file of carstore's pods.
            let pg_t = template(objs, "postgres");
            let pg_files = PodFiles::new(objs, pg_t);
            let pg = container(pg_t, "postgres");
            assert_eq!(
                env_value(&pg, "POSTGRES_USER"),
                None,
                "{what}: the superuser is postgres"
            );
            assert_eq!(
                env_value(&pg, "POSTGRES_PASSWORD"),
                None,
                "{what}: plain password"
            );
            let superuser = pg_files.read(&pg, &env_value(&pg, "POSTGRES_PASSWORD_FILE").unwrap());
            let init = pg_files
                .projected(&pg_files.mount(&pg, "/docker-entrypoint-initdb.d/x").0)
                .into_iter()
                .map(|(_, sql)| sql)
                .collect::<String>();
            let role = pg_files.read(&pg, &catted(&init, "\\set carstore_password"));
            for needed in [
                "CREATE ROLE carstore LOGIN PASSWORD :'carstore_password';",
                "CREATE SCHEMA carstore AUTHORIZATION carstore;",
                "ALTER ROLE carstore IN DATABASE carstore SET search_path = carstore;",
            ] {
                assert!(init.contains(needed), "{what}: the init script: {needed}");
            }
            let db = &urls["DATABASE_URL"];
            assert_eq!(db.username(), "carstore", "{what}: DATABASE_URL's user");
            assert_eq!(
                db.password(),
                Some(role.as_str()),
                "{what}: DATABASE_URL's password"
            );
            assert_ne!(
                superuser, role,
                "{what}: the superuser's password is carstore's"
            );
            let seen: Vec<String> = list(&t["spec"]["volumes"])
                .iter()
                .filter(|v| !v["secret"].is_null())
                .flat_map(|v| files.projected(v))
                .map(|(_, content)| content)
                .collect();
            assert!(
                !seen.contains(&superuser),
                "{what} can read the Postgres superuser's password"
            );
            // RabbitMQ: carstore's user, monitoring and no administrator, its own queues only.
            let mq_t = template(objs, "rabbitmq");
            let mq_files = PodFiles::new(objs, mq_t);
            let mq = container(mq_t, "rabbitmq");
            for plain in ["RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"] {
                assert_eq!(
                    env_value(&mq, plain),
                    None,
                    "{what}: {plain} overrides the file"
                );
            }
            let script: Vec<String> = list(&mq["command"]).iter().map(text).collect();
            let script = script.join("\n");
            let password = mq_files.read(&mq, &catted(&script, "default_pass"));
            let conf = mq_files.read(&mq, &catted(&script, "rabbitmq.conf"));
            let amqp = &urls["AMQP_URL"];
            assert_eq!(amqp.password(), Some(password.as_str()), "{what}: AMQP_URL");
            assert!(
                conf.lines()
                    .any(|l| l == format!("default_user = {}", amqp.username())),
                "{what}: RabbitMQ's user is AMQP_URL's"
            );
            let settings: Vec<&str> = conf.lines().filter(|l| !l.starts_with('#')).collect();
            assert!(
                !settings.iter().any(|l| l.contains("administrator")),
                "{what}: an administrator"
            );
            assert!(
                conf.contains("default_user_tags.monitoring = true"),
                "{what}"
            );
            let queue = main_var(objs, main, "CARSTORE_ORDERS_QUEUE");
            let names = QueueNames::new(&queue);
            assert_eq!(
                names.dead_letters,
                format!("{queue}.dlq"),
                "rabbitmq.conf's patterns"
            );
            let own = format!("{queue}([.]dlq)?");
            for line in [
                format!("default_permissions.configure = ^{own}$"),
                format!("default_permissions.read = ^(amq[.]default|{own})$"),
                format!("default_permissions.write = ^(amq[.]default|{own})$"),
            ] {
                assert!(
                    conf.lines().any(|l| l == line),
                    "{what}: rabbitmq.conf: {line}"
                );
            }
            if store {
                let management = url_of(&files, main, "CARSTORE_RABBIT_MANAGEMENT_URL");
                assert_eq!(management.username(), amqp.username(), "{what}");
                assert_eq!(management.password(), amqp.password(), "{what}");
            }
        }
    }
}

/// A variable of a carstore container from its ConfigMap.
fn main_var(objs: &[Value], container: &Value, name: &str) -> String {
    for from in list(&container["envFrom"]) {
        let cm = &from["configMapRef"]["name"];
        if let Some(v) = cm
            .as_str()
            .and_then(|cm| data(named(objs, "ConfigMap", cm)).remove(name))
        {
            return v;
        }
    }
    panic!("no {name} in the ConfigMap")
}

/// Who opens a connection: a pod of a namespace with its labels, or an address outside the
/// cluster.
#[derive(Clone)]
enum Peer {
    Pod(&'static str, Map<String, Value>),
    Outside,
}

fn labels(pairs: &[(&str, &str)]) -> Map<String, Value> {
    let pairs = pairs.iter().map(|(k, v)| (k.to_string(), Value::from(*v)));
    pairs.collect()
}

fn pod_labels(objs: &[Value], workload: &str) -> Map<String, Value> {
    let labels = &template(objs, workload)["metadata"]["labels"];
    labels.as_object().cloned().expect("labels")
}

fn selects(selector: &Value, labels: &Map<String, Value>) -> bool {
    assert!(selector["matchExpressions"].is_null(), "matchLabels only");
    let wanted = selector["matchLabels"].as_object().into_iter().flatten();
    wanted.into_iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn peer_matches(rule_peer: &Value, peer: &Peer) -> bool {
    match peer {
        Peer::Outside => !rule_peer["ipBlock"].is_null(),
        Peer::Pod(ns, labels) => {
            if !rule_peer["ipBlock"].is_null() {
                return false;
            }
            let ns_ok = match &rule_peer["namespaceSelector"] {
                Value::Null => *ns == NAMESPACE,
                sel => selects(sel, &self::labels(&[("kubernetes.io/metadata.name", ns)])),
            };
            let pod_ok = match &rule_peer["podSelector"] {
                Value::Null => true,
                sel => selects(sel, labels),
            };
            ns_ok && pod_ok
        }
    }
}

/// Whether the rules of the namespace's NetworkPolicies let `from` open a connection to port
/// `port` (number and name) of `to`, both ways: out of `from` where it is a pod of the
/// namespace, into `to` where it is one.
fn allowed(objs: &[Value], from: &Peer, to: &Peer, port: (u64, &str)) -> bool {
    let port_ok = |rule: &Value| {
        let ports = list(&rule["ports"]);
        ports.is_empty()
            || ports
                .iter()
                .any(|p| p["port"] == port.0 || p["port"] == port.1)
    };
    let side = |own: &Peer, other: &Peer, kind: &str, key: &str, peers: &str| {
        let Peer::Pod(ns, own_labels) = own else {
            return true;
        };
        if *ns != NAMESPACE {
            return true;
        }
        let policies: Vec<&Value> = of_kind(objs, "NetworkPolicy")
            .filter(|p| selects(&p["spec"]["podSelector"], own_labels))
            .filter(|p| list(&p["spec"]["policyTypes"]).iter().any(|t| t == kind))
            .collect();
        policies.is_empty()
            || policies.iter().any(|p| {
                list(&p["spec"][key]).iter().any(|rule| {
                    let rule_peers = list(&rule[peers]);
                    port_ok(rule)
                        && (rule_peers.is_empty()
                            || rule_peers.iter().any(|rp| peer_matches(rp, other)))
                })
            })
    };
    side(from, to, "Egress", "egress", "to") && side(to, from, "Ingress", "ingress", "from")
}

#[test]
fn network_policies_let_only_carstore_reach_its_services_and_the_ingress_reach_the_store() {
    let ingress_nginx = Peer::Pod(
        "ingress-nginx",
        labels(&[
            ("app.kubernetes.io/name", "ingress-nginx"),
            ("app.kubernetes.io/component", "controller"),
        ]),
    );
    let prometheus = Peer::Pod(
        "monitoring",
        labels(&[("app.kubernetes.io/name", "prometheus")]),
    );
    let stranger = Peer::Pod(NAMESPACE, labels(&[("app.kubernetes.io/name", "stranger")]));
    let elsewhere = Peer::Pod("default", labels(&[("app.kubernetes.io/name", "carstore")]));
    for (overlay, objs) in overlays() {
        // A default-deny for the namespace, both ways.
        let deny = of_kind(objs, "NetworkPolicy").any(|p| {
            let spec = &p["spec"];
            spec["podSelector"].as_object().is_some_and(Map::is_empty)
                && list(&spec["policyTypes"]).len() == 2
                && spec["ingress"].is_null()
                && spec["egress"].is_null()
        });
        assert!(deny, "{overlay}: no default-deny NetworkPolicy");
        // Each policy is for pods that exist.
        for p in of_kind(objs, "NetworkPolicy") {
            let selector = &p["spec"]["podSelector"];
            let some = templates(objs).iter().any(|(_, t)| {
                selects(
                    selector,
                    t["metadata"]["labels"].as_object().expect("labels"),
                )
            });
            assert!(
                some,
                "{overlay}: NetworkPolicy {} selects no pod",
                p["metadata"]["name"]
            );
        }
        let carstore_pods = pods(overlay, objs);
        for pod in &carstore_pods {
            let me = Peer::Pod(NAMESPACE, pod.labels.as_object().cloned().expect("labels"));
            let port = pod.bind().port().into();
            let name = text(&pod.container["ports"][0]["name"]);
            let to_me = |from: &Peer| allowed(objs, from, &me, (port, &name));
            let what = format!("{}, port {port}", pod.what);
            assert!(to_me(&prometheus), "{what}: Prometheus cannot scrape it");
            assert!(
                !to_me(&stranger),
                "{what}: another pod of the namespace reaches it"
            );
            assert!(
                !to_me(&elsewhere),
                "{what}: a pod of another namespace reaches it"
            );
            if pod.command() == "worker" {
                assert!(
                    !to_me(&ingress_nginx),
                    "{what}: the ingress controller reaches it"
                );
            } else {
                assert!(
                    to_me(&ingress_nginx),
                    "{what}: the ingress controller cannot reach it"
                );
            }
            // Its services: in the demo, their pods; else outside the cluster.
            let services: &[(&str, u64, &str)] = &[
                ("postgres", 5432, "postgres"),
                ("redis", 6379, "redis"),
                ("rabbitmq", 5672, "amqp"),
                ("rabbitmq", 15672, "management"),
            ];
            for (service, port, port_name) in services {
                let to = if *overlay == "demo" {
                    Peer::Pod(NAMESPACE, pod_labels(objs, service))
                } else {
                    Peer::Outside
                };
                assert!(
                    allowed(objs, &me, &to, (*port, port_name)),
                    "{}: cannot reach {service} on {port}",
                    pod.what
                );
            }
        }
        if *overlay != "demo" {
            continue;
        }
        for (service, port, port_name) in [
            ("postgres", 5432, "postgres"),
            ("redis", 6379, "redis"),
            ("rabbitmq", 5672, "amqp"),
            ("rabbitmq", 15672, "management"),
        ] {
            let to = Peer::Pod(NAMESPACE, pod_labels(objs, service));
            for from in [&stranger, &elsewhere, &ingress_nginx, &prometheus] {
                assert!(
                    !allowed(objs, from, &to, (port, port_name)),
                    "{overlay}: {service}'s port {port} is open to others than carstore"
                );
            }
        }
    }
}

#[test]
fn the_external_ingress_serves_https() {
    let (_, objs) = overlays()
        .iter()
        .find(|(o, _)| *o == "external")
        .expect("external");
    for ingress in of_kind(objs, "Ingress") {
        let tls = list(&ingress["spec"]["tls"]);
        assert!(
            !tls.is_empty(),
            "external: Ingress {} has no tls",
            ingress["metadata"]["name"]
        );
        for t in &tls {
            assert!(
                t["secretName"].as_str().is_some_and(|s| !s.is_empty()),
                "tls secretName"
            );
        }
        for rule in list(&ingress["spec"]["rules"]) {
            let covered = tls
                .iter()
                .any(|t| list(&t["hosts"]).contains(&rule["host"]));
            assert!(covered, "external: host {} is not in tls", rule["host"]);
        }
        let annotations = &ingress["metadata"]["annotations"];
        if annotations["nginx.ingress.kubernetes.io/proxy-buffering"].is_string() {
            assert_eq!(
                annotations["nginx.ingress.kubernetes.io/ssl-redirect"], "true",
                "external: ingress-nginx redirects HTTP to HTTPS"
            );
        }
    }
}

#[test]
fn trusted_proxies_are_not_every_private_range() {
    let broad: Vec<IpNet> = [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "0.0.0.0/0",
        "::/0",
    ]
    .iter()
    .map(|n| n.parse().unwrap())
    .collect();
    for (overlay, objs) in overlays() {
        for pod in pods(overlay, objs) {
            let Some(list) = pod
                .env
                .iter()
                .find(|(n, _)| n == "CARSTORE_TRUSTED_PROXIES")
            else {
                continue;
            };
            let list = list.1.clone().expect("in clear");
            carstore::config::TrustedProxies::parse(&list).expect("carstore reads it");
            for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let net: IpNet = item
                    .parse()
                    .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                    .unwrap();
                for b in &broad {
                    assert!(
                        !net.contains(b),
                        "{}: CARSTORE_TRUSTED_PROXIES trusts all of {b}",
                        pod.what
                    );
                }
            }
        }
    }
}

#[test]
fn carstores_containers_are_locked_down() {
    for (overlay, objs) in overlays() {
        for (workload, t) in templates(objs) {
            if t["metadata"]["labels"]["app.kubernetes.io/name"] != "carstore" {
                continue;
            }
            let pod = &t["spec"]["securityContext"];
            assert_eq!(pod["runAsNonRoot"], true, "{overlay}: {workload}");
            assert_eq!(
                pod["seccompProfile"]["type"], "RuntimeDefault",
                "{overlay}: {workload}"
            );
            assert_eq!(
                t["spec"]["automountServiceAccountToken"], false,
                "{overlay}: {workload}"
            );
            for c in all_containers(t) {
                let what = format!("{overlay}: {workload} container {}", c["name"]);
                let sc = &c["securityContext"];
                assert_eq!(sc["allowPrivilegeEscalation"], false, "{what}");
                assert_eq!(sc["readOnlyRootFilesystem"], true, "{what}");
                assert_eq!(
                    sc["capabilities"]["drop"],
                    serde_json::json!(["ALL"]),
                    "{what}"
                );
                assert!(sc["capabilities"]["add"].is_null(), "{what}");
                assert!(sc["privileged"] != true, "{what}");
                let limits = &c["resources"]["limits"];
                assert!(
                    limits["cpu"].is_string() && limits["memory"].is_string(),
                    "{what}: resource limits"
                );
            }
        }
    }
}
