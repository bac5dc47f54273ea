//! What signing in costs on this machine, against a running store on loopback: (a) one Argon2id
//! hash, timed here and read from the store's `carstore_password_hash_seconds`; (b) sign-in
//! latency at a fixed rate of successful sign-ins over pre-created accounts, with the catalog's
//! latency alongside (a hash that held up the server's threads would show there); (c) the
//! guessing limits: how many failures before the 429, and its Retry-After.
//!
//!     cargo run --release --example sign_in_bench -- --url http://127.0.0.1:8000 --rate 20 --seconds 20
//!
//! `--markdown` prints the figures as a section for ops/bench/RESULTS.md.

mod figures;
mod limits;
mod load;

use carstore::domain::Password;
use clap::Parser;
use serde_json::json;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    url: String,
    /// Accounts made before the load, signed into in turn.
    #[arg(long, default_value_t = 50)]
    accounts: usize,
    /// Successful sign-ins a second, sent on time whatever the answers (open model).
    #[arg(long, default_value_t = 20.0)]
    rate: f64,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Hashes timed in this process.
    #[arg(long, default_value_t = 20)]
    hashes: usize,
    /// Print a Markdown section instead of plain lines.
    #[arg(long)]
    markdown: bool,
}

/// One account's credentials; a run's emails carry its own random tag.
#[derive(Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

impl Credentials {
    pub fn new(run: u32, n: usize) -> Credentials {
        Credentials {
            email: format!("bench-{run:08x}-{n}@example.com"),
            password: format!("bench-password-{run:08x}-{n}"),
        }
    }

    pub fn body(&self) -> serde_json::Value {
        json!({ "email": self.email, "password": self.password })
    }
}

/// Median and slowest of `n` hashes and `n` verifications, in ms, in this process.
fn time_hashes(n: usize) -> (f64, f64, f64) {
    let password = Password::parse("correct horse battery staple").expect("a valid password");
    let mut hashes = Vec::with_capacity(n);
    let mut stored = String::new();
    for _ in 0..n.max(1) {
        let began = Instant::now();
        stored = password.hash();
        hashes.push(began.elapsed());
    }
    let mut verifies = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        let began = Instant::now();
        assert!(password.matches(&stored));
        verifies.push(began.elapsed());
    }
    hashes.sort();
    verifies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(hashes[hashes.len() / 2]),
        ms(*hashes.last().unwrap()),
        ms(verifies[verifies.len() / 2]),
    )
}

/// Makes the accounts, two at a time (each costs the store a hash), from as many loopback
/// addresses as the store's sign-up limit per client asks for.
async fn sign_up(url: &str, accounts: &[Credentials]) {
    let per_client = 10;
    for (n, pair) in accounts.chunks(2).enumerate() {
        let client = limits::client_from(&format!("127.0.1.{}", 1 + n * 2 / per_client));
        let made = pair.iter().map(|c| {
            let mut body = c.body();
            body["name"] = json!("Bench Shopper");
            client.post(format!("{url}/api/account")).json(&body).send()
        });
        for resp in futures::future::join_all(made).await {
            let status = resp.expect("the store answers").status();
            assert_eq!(status, 201, "signing up a bench account");
        }
    }
}

/// The sum and count of the store's password hash histogram
/// (`carstore_password_hash_seconds`) in its /metrics.
async fn hash_histogram(client: &reqwest::Client, url: &str) -> Option<(f64, f64)> {
    let text = client.get(format!("{url}/metrics")).send().await;
    let text = text.expect("/metrics").text().await.expect("/metrics text");
    let value = |suffix: &str| {
        text.lines().find_map(|l| {
            let (name, value) = l.split_once(' ')?;
            (name.strip_suffix(suffix)? == "carstore_password_hash_seconds")
                .then(|| value.trim().parse().ok())?
        })
    };
    Some((value("_sum")?, value("_count")?))
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let url = args.url.trim_end_matches('/').to_owned();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    let run: u32 = rand::random();

    let (hash_ms, hash_max_ms, verify_ms) = time_hashes(args.hashes);
    let accounts: Vec<Credentials> = (0..args.accounts.max(1))
        .map(|n| Credentials::new(run, n))
        .collect();
    sign_up(&url, &accounts).await;

    let before = hash_histogram(&client, &url).await;
    let plan = load::Plan {
        url: url.clone(),
        rate: args.rate,
        duration: Duration::from_secs(args.seconds),
    };
    let report = load::run(&plan, &accounts).await;
    let after = hash_histogram(&client, &url).await;
    let in_store = before
        .zip(after)
        .and_then(|((sum0, n0), (sum1, n1))| (n1 > n0).then(|| (sum1 - sum0) / (n1 - n0)));

    let limits = limits::measure(&url, run).await;
    let figures = figures::Figures {
        hashes: args.hashes,
        hash_ms,
        hash_max_ms,
        verify_ms,
        hash_in_store_ms: in_store.map(|s| s * 1000.0),
        accounts: accounts.len(),
        plan,
        report,
        limits,
    };
    match args.markdown {
        true => print!("{}", figures.markdown()),
        false => print!("{}", figures.plain()),
    }
    assert_eq!(figures.report.failed, 0, "sign-ins that did not answer 200");
}
