//! `carstore healthcheck`: asks a running carstore's `/healthz` and says yes or no by exit code,
//! for container healthchecks in images that have no curl or wget.

use reqwest::Url;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

/// `Ok` when the URL answers 200; otherwise why not.
pub fn check(url: &str) -> Result<(), String> {
    let url = Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
    if url.scheme() != "http" {
        return Err("only http:// URLs can be checked".into());
    }
    let host = url.host_str().ok_or("the URL has no host")?;
    let port = url.port().unwrap_or(80);
    let address = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} has no address"))?;
    let mut stream = TcpStream::connect_timeout(&address, TIMEOUT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let request = format!("GET {} HTTP/1.0\r\nHost: {host}\r\n\r\n", url.path());
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut head = [0u8; 64];
    let n = stream.read(&mut head).map_err(|e| e.to_string())?;
    let status_line = String::from_utf8_lossy(&head[..n]);
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some(status) => Err(format!("{url} answered {status}")),
        None => Err(format!("{url} did not answer HTTP")),
    }
}
