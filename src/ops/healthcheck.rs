//! `carstore healthcheck`: asks a running carstore's `/healthz` and says yes or no by exit code,
//! for container healthchecks in images that have no curl or wget.

use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

/// `Ok` when the URL answers 200; otherwise why not.
pub async fn check(url: &str) -> Result<(), String> {
    if !url.starts_with("http://") {
        return Err("only http:// URLs can be checked".into());
    }
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| e.to_string())?;
    let answer = client.get(url).send().await.map_err(|e| e.to_string())?;
    match answer.status().as_u16() {
        200 => Ok(()),
        status => Err(format!("{url} answered {status}")),
    }
}
