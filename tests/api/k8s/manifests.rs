//! The manifests as `kubectl kustomize` renders them, and what a carstore container gets from
//! them: its command, environment, ports and probes.
//!
//! Each overlay generates its Secret from secrets.env, a file the operator writes and git
//! ignores. The manifests are rendered as on a fresh clone: from a temporary copy of ops/k8s
//! without any secrets.env, in which ops/k8s/throwaway-secrets.sh (as ops/k8s/validate.sh does)
//! writes each overlay's afresh with random values. Those values are kept, so the tests can tell
//! them from anything committed.

use serde::Deserialize;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

const OVERLAYS: [&str; 2] = ["demo", "external"];

/// The seconds carstore gives requests in flight once it stops accepting
/// (`SHUTDOWN_GRACE_SECS`).
pub fn in_flight_grace() -> u64 {
    carstore::app::SHUTDOWN_GRACE_SECS
}

/// What one overlay renders to, with the throwaway secrets.env it was rendered with.
struct Rendered {
    objs: Vec<(&'static str, Vec<Value>)>,
    secrets: Vec<(&'static str, Vec<(String, String)>)>,
}

fn rendered() -> &'static Rendered {
    static RENDERED: OnceLock<Rendered> = OnceLock::new();
    RENDERED.get_or_init(|| {
        let copy = tempfile::tempdir().expect("a temporary directory");
        let k8s = Path::new(env!("CARGO_MANIFEST_DIR")).join("ops/k8s");
        copy_without_secrets(&k8s, copy.path());
        let out = Command::new("bash")
            .arg(k8s.join("throwaway-secrets.sh"))
            .arg(copy.path())
            .output()
            .expect("bash runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "throwaway-secrets.sh: {stderr}");
        Rendered {
            objs: OVERLAYS
                .iter()
                .map(|&o| (o, render(&copy.path().join("overlays").join(o))))
                .collect(),
            secrets: OVERLAYS
                .iter()
                .map(|&o| (o, env_file(&copy.path().join("overlays").join(o))))
                .collect(),
        }
    })
}

/// Every object each overlay renders to, rendered once for all the tests.
pub fn overlays() -> &'static [(&'static str, Vec<Value>)] {
    &rendered().objs
}

/// The throwaway secrets.env an overlay was rendered with: (key, value) a line.
pub fn throwaway_secrets(overlay: &str) -> &'static [(String, String)] {
    let found = rendered().secrets.iter().find(|(o, _)| *o == overlay);
    &found.unwrap_or_else(|| panic!("no overlay {overlay}")).1
}

/// The KEY=value lines of an overlay's secrets.env.
pub fn env_file(dir: &Path) -> Vec<(String, String)> {
    read_env(&dir.join("secrets.env"))
}

pub fn read_env(file: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("{file:?}: {l}"));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// ops/k8s as a fresh clone has it: without any operator's secrets.env.
fn copy_without_secrets(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("ops/k8s") {
        let entry = entry.expect("a directory entry");
        let (path, name) = (entry.path(), entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            if name != "__pycache__" {
                copy_without_secrets(&path, &to.join(&name));
            }
        } else if name != "secrets.env" {
            std::fs::copy(&path, to.join(&name)).expect("copy");
        }
    }
}

fn render(dir: &Path) -> Vec<Value> {
    let out = Command::new("kubectl").arg("kustomize").arg(dir).output();
    let out = out.unwrap_or_else(|e| {
        panic!(
            "cannot run kubectl ({e}): install kubectl 1.32 or newer, which includes kustomize \
             (https://kubernetes.io/docs/tasks/tools/); no cluster is needed"
        )
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "kubectl kustomize {dir:?}: {stderr}");
    let text = String::from_utf8(out.stdout).expect("kustomize prints UTF-8");
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).expect("kustomize prints YAML"))
        .filter(|v| !v.is_null())
        .collect()
}

/// One carstore container and the pod around it, with the environment Kubernetes gives it.
pub struct Pod<'a> {
    pub what: String,
    pub spec: &'a Value,
    pub annotations: &'a Value,
    pub labels: &'a Value,
    pub container: &'a Value,
    /// Each variable's name and, when the manifests say it in clear, its value.
    pub env: Vec<(String, Option<String>)>,
}

impl Pod<'_> {
    pub fn var(&self, name: &str) -> Option<&str> {
        let found = self.env.iter().find(|(n, _)| n == name);
        found.map(|(_, v)| {
            v.as_deref()
                .unwrap_or_else(|| panic!("{}: {name} is not in clear", self.what))
        })
    }

    /// The command: `serve` or `worker`.
    pub fn command(&self) -> &str {
        self.container["args"][0].as_str().unwrap_or("serve")
    }

    /// The address the command binds, from its variable.
    pub fn bind(&self) -> SocketAddr {
        let var = if self.command() == "worker" {
            "CARSTORE_METRICS_BIND"
        } else {
            "CARSTORE_BIND"
        };
        let text = self
            .var(var)
            .unwrap_or_else(|| panic!("{}: {var} is not set", self.what));
        text.parse()
            .unwrap_or_else(|e| panic!("{}: {var}={text}: {e}", self.what))
    }

    /// A port given by number or by the name of one of the container's ports.
    pub fn port(&self, port: &Value) -> u64 {
        if let Some(n) = port.as_u64() {
            return n;
        }
        let ports = self.container["ports"].as_array().into_iter().flatten();
        let found = ports.into_iter().find(|p| p["name"] == *port);
        found
            .and_then(|p| p["containerPort"].as_u64())
            .unwrap_or_else(|| panic!("{}: no container port {port}", self.what))
    }

    pub fn probes(&self) -> Vec<(&'static str, &Value)> {
        let kinds = ["startupProbe", "readinessProbe", "livenessProbe"];
        let probes = kinds.into_iter().map(|k| (k, &self.container[k]));
        probes.filter(|(_, p)| !p.is_null()).collect()
    }
}

/// The carstore containers of an overlay: those of workloads named carstore.
pub fn pods<'a>(overlay: &str, objs: &'a [Value]) -> Vec<Pod<'a>> {
    let workloads = objs.iter().filter(|o| {
        o["kind"] == "Deployment"
            && o["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "carstore"
    });
    let pods: Vec<Pod> = workloads
        .flat_map(|w| {
            let template = &w["spec"]["template"];
            let containers = template["spec"]["containers"]
                .as_array()
                .expect("containers");
            containers.iter().map(move |c| Pod {
                what: format!(
                    "{overlay}: {} container {}",
                    text(&w["metadata"]["name"]),
                    text(&c["name"])
                ),
                spec: &template["spec"],
                annotations: &template["metadata"]["annotations"],
                labels: &template["metadata"]["labels"],
                container: c,
                env: environment(objs, c),
            })
        })
        .collect();
    let mut commands: Vec<&str> = pods.iter().map(Pod::command).collect();
    commands.sort();
    assert_eq!(
        commands,
        ["serve", "worker"],
        "{overlay}: one store and one worker Deployment"
    );
    pods
}

/// `env`, and the keys of the ConfigMaps and Secrets of `envFrom`.
fn environment(objs: &[Value], container: &Value) -> Vec<(String, Option<String>)> {
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let mut env: Vec<(String, Option<String>)> = list(&container["env"])
        .iter()
        .map(|e| (text(&e["name"]), e["value"].as_str().map(str::to_owned)))
        .collect();
    for from in list(&container["envFrom"]) {
        let (kind, name) = match (&from["configMapRef"], &from["secretRef"]) {
            (r, _) if !r.is_null() => ("ConfigMap", &r["name"]),
            (_, r) => ("Secret", &r["name"]),
        };
        let source = objs
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == *name);
        let data = source.unwrap_or_else(|| panic!("no {kind} {name}"))["data"].as_object();
        for (key, value) in data.into_iter().flatten() {
            let clear = (kind == "ConfigMap").then(|| text(value));
            env.push((key.clone(), clear));
        }
    }
    env
}

pub fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("{v} is not a string"))
        .to_owned()
}

/// How long preStop holds SIGTERM back: a `sleep` action or an `exec` of sleep.
pub fn pre_stop_sleep(pod: &Pod) -> Duration {
    let pre_stop = &pod.container["lifecycle"]["preStop"];
    let secs = match (
        &pre_stop["sleep"]["seconds"],
        pre_stop["exec"]["command"].as_array(),
    ) {
        (Value::Number(n), _) => n.as_u64(),
        (_, Some(cmd)) if cmd.len() == 2 && cmd[0] == "sleep" => {
            cmd[1].as_str().and_then(|s| s.parse().ok())
        }
        (_, Some(cmd)) => panic!(
            "{}: preStop runs {cmd:?}, not a sleep this test can time",
            pod.what
        ),
        _ => Some(0),
    };
    Duration::from_secs(secs.unwrap_or_else(|| panic!("{}: preStop sleep seconds", pod.what)))
}
