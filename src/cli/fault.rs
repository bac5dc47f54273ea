//! `carstore fault list|set|clear` against a running store: the same `/api/faults` the
//! dashboard uses, so a refusal says exactly what the API says.

use super::{FaultAction, FaultArgs};
use anyhow::{bail, Context};
use reqwest::Method;
use serde_json::{json, Value};

pub async fn run(args: FaultArgs) -> anyhow::Result<()> {
    let Some(token) = args.store.token.as_deref() else {
        bail!("the admin token is needed: --token, or CARSTORE_ADMIN_TOKEN");
    };
    let base = args.store.url.trim_end_matches('/');
    let (method, path, body) = request(&args.action);
    let answer = send(base, Some(token), method, &path, body).await?;
    match args.action {
        FaultAction::List => print_faults(&answer),
        FaultAction::Set { .. } => print_faults(&json!([answer])),
        FaultAction::Clear { .. } => println!("cleared {}", answer["cleared"]),
    }
    Ok(())
}

fn request(action: &FaultAction) -> (Method, String, Option<Value>) {
    match action {
        FaultAction::List => (Method::GET, "/api/faults".into(), None),
        FaultAction::Set {
            target,
            kind,
            value,
            jitter_ms,
            expires_in,
            route,
        } => {
            let mut body = json!({});
            let fields = [
                ("value", value),
                ("jitter_ms", jitter_ms),
                ("expires_in_secs", expires_in),
            ];
            for (name, given) in fields {
                if let Some(n) = given {
                    body[name] = json!(n);
                }
            }
            if let Some(route) = route {
                body["route"] = json!(route);
            }
            (
                Method::PUT,
                format!("/api/faults/{target}/{kind}"),
                Some(body),
            )
        }
        FaultAction::Clear {
            target: Some(target),
            kind: Some(kind),
        } => (Method::DELETE, format!("/api/faults/{target}/{kind}"), None),
        FaultAction::Clear { .. } => (Method::DELETE, "/api/faults".into(), None),
    }
}

/// The store's answer; its own error message when it refused. Without a token the request goes
/// as anyone's.
pub(crate) async fn send(
    base: &str,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Value> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()?;
    let mut req = client.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?;
    let status = resp.status();
    let answer: Value = resp
        .json()
        .await
        .context("the store's answer was not JSON")?;
    if !status.is_success() {
        let message = answer["message"].as_str().unwrap_or("refused");
        bail!(
            "{}: {message} ({})",
            status.as_u16(),
            answer["error"].as_str().unwrap_or("?")
        );
    }
    Ok(answer)
}

/// One line per fault: `database latency 200 (jitter 50 ms) until 2026-…`.
fn print_faults(faults: &Value) {
    let faults = faults.as_array().map(Vec::as_slice).unwrap_or_default();
    if faults.is_empty() {
        println!("no faults set");
    }
    for f in faults {
        let mut line = format!("{} {}", text(&f["target"]), text(&f["kind"]));
        if let Some(value) = f["value"].as_u64() {
            line += &format!(" {value}");
        }
        if let Some(jitter) = f["jitter_ms"].as_u64() {
            line += &format!(" (jitter {jitter} ms)");
        }
        if let Some(route) = f["route"].as_str() {
            line += &format!(" on {route}");
        }
        match f["expires_at"].as_str() {
            Some(at) => line += &format!(" until {at}"),
            None => line += " until cleared",
        }
        println!("{line}");
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}
