//! Successful sign-ins at a fixed rate, each sent when due whatever the earlier ones are doing,
//! so a store that falls behind shows as latency rather than as fewer requests; and the
//! catalog asked alongside at a gentle rate.

use crate::Credentials;
use std::time::Duration;
use tokio::task::JoinSet;

const CATALOG_RATE: f64 = 10.0;

pub struct Plan {
    pub url: String,
    /// Sign-ins a second.
    pub rate: f64,
    pub duration: Duration,
}

/// Percentiles in ms.
#[derive(Default)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    fn of(mut times: Vec<Duration>) -> Latency {
        if times.is_empty() {
            return Latency::default();
        }
        times.sort();
        let at = |p: f64| {
            let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
            times[i].as_secs_f64() * 1000.0
        };
        Latency {
            p50: at(0.50),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}

pub struct Report {
    pub ok: usize,
    pub failed: usize,
    pub seconds: f64,
    pub sign_in: Latency,
    pub catalog: Latency,
}

impl Report {
    pub fn achieved_rate(&self) -> f64 {
        self.ok as f64 / self.seconds.max(f64::MIN_POSITIVE)
    }
}

/// Sends `rate * duration` requests, the `n`th at `n / rate` s; returns each one's status and
/// its time from due to answered.
async fn at_rate(
    rate: f64,
    duration: Duration,
    request: impl Fn(usize) -> reqwest::RequestBuilder,
) -> Vec<(u16, Duration)> {
    let began = tokio::time::Instant::now();
    let total = (rate * duration.as_secs_f64()).floor() as usize;
    let mut sent = JoinSet::new();
    for n in 0..total {
        let due = began + Duration::from_secs_f64(n as f64 / rate);
        tokio::time::sleep_until(due).await;
        let req = request(n);
        sent.spawn(async move {
            let status = req.send().await.map_or(0, |r| r.status().as_u16());
            (status, due.elapsed())
        });
    }
    sent.join_all().await
}

pub async fn run(plan: &Plan, accounts: &[Credentials]) -> Report {
    // No cookie store: every sign-in is a browser arriving without a session.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(256)
        .build()
        .expect("http client");
    let sign_in = format!("{}/api/session", plan.url);
    let cars = format!("{}/api/cars", plan.url);
    let catalog = at_rate(CATALOG_RATE, plan.duration, |_| client.get(&cars));
    let sign_ins = at_rate(plan.rate, plan.duration, |n| {
        client
            .post(&sign_in)
            .json(&accounts[n % accounts.len()].body())
    });
    let (catalog, sign_ins) = tokio::join!(catalog, sign_ins);
    let seconds = plan.duration.as_secs_f64();
    let ok = sign_ins.iter().filter(|(s, _)| *s == 200).count();
    let catalog_failed = catalog.iter().filter(|(s, _)| *s != 200).count();
    assert_eq!(catalog_failed, 0, "GET /api/cars failed during the load");
    Report {
        ok,
        failed: sign_ins.len() - ok,
        seconds,
        sign_in: Latency::of(sign_ins.into_iter().map(|(_, t)| t).collect()),
        catalog: Latency::of(catalog.into_iter().map(|(_, t)| t).collect()),
    }
}
