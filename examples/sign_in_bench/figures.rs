//! The figures of one run, as plain lines or as a section of ops/bench/RESULTS.md.

use crate::{limits::Limits, load};

pub struct Figures {
    pub hashes: usize,
    /// One hash in this process: the median and the slowest.
    pub hash_ms: f64,
    pub hash_max_ms: f64,
    /// One verification (what a sign-in costs) in this process, the median.
    pub verify_ms: f64,
    /// The mean of the store's own histogram over the load; `None` if it exports none.
    pub hash_in_store_ms: Option<f64>,
    pub accounts: usize,
    pub plan: load::Plan,
    pub report: load::Report,
    pub limits: Limits,
}

impl Figures {
    fn in_store(&self) -> String {
        self.hash_in_store_ms
            .map_or("not exported".into(), |ms| format!("{ms:.1} ms"))
    }

    fn rows(&self) -> Vec<(String, String)> {
        let (r, l) = (&self.report, &self.limits);
        let ms3 = |p: &load::Latency| format!("{:.1} / {:.1} / {:.1} ms", p.p50, p.p99, p.max);
        vec![
            (
                "one Argon2id hash, median / slowest".into(),
                format!("{:.1} / {:.1} ms", self.hash_ms, self.hash_max_ms),
            ),
            (
                "one verification, median".into(),
                format!("{:.1} ms", self.verify_ms),
            ),
            (
                "one hash or verification in the store during the load (its password hash histogram, mean)".into(),
                self.in_store(),
            ),
            (
                format!("`POST /api/session` at {}/s, p50 / p99 / max", self.plan.rate),
                format!(
                    "{} ({} answered 200, {:.1}/s; {} failed)",
                    ms3(&r.sign_in),
                    r.ok,
                    r.achieved_rate(),
                    r.failed
                ),
            ),
            (
                "`GET /api/cars` at 10/s during that load, p50 / p99 / max".into(),
                ms3(&r.catalog),
            ),
            (
                "per account: wrong passwords answered 401 before the first 429".into(),
                format!(
                    "{} (then `Retry-After: {}`; the right password then gets {})",
                    l.account_failures, l.account_retry_after, l.right_password_status
                ),
            ),
            (
                "per client: failures on distinct emails answered 401 before the first 429".into(),
                format!(
                    "{} (then `Retry-After: {}`)",
                    l.client_failures, l.client_retry_after
                ),
            ),
        ]
    }

    pub fn plain(&self) -> String {
        self.rows()
            .into_iter()
            .map(|(what, value)| format!("{what}: {value}\n"))
            .collect()
    }

    pub fn markdown(&self) -> String {
        let mut out = String::from("\n## Sign-in (shopper accounts)\n\n");
        out += &format!(
            "- method: Argon2id with the store's parameters (m=19456 KiB, t=2, p=1), {} hashes and \
             verifications timed in the benchmark's own process while the store was idle; then {} \
             accounts made, and successful sign-ins sent at a fixed rate for {} s (open model: \
             latency counted from each request's due time), each without a cookie, over the \
             accounts in turn, with `GET /api/cars` at 10/s alongside; then the limits probed, \
             each from a loopback address of its own\n\n",
            self.hashes,
            self.accounts,
            self.plan.duration.as_secs()
        );
        out += "| figure | value |\n|---|---|\n";
        for (what, value) in self.rows() {
            out += &format!("| {what} | {value} |\n");
        }
        out
    }
}
