//! The exposition text: one encoding at a time, in the classic Prometheus format.

use super::Metrics;

impl Metrics {
    /// The exposition text of the figures as they are now.
    pub fn encode(&self) -> String {
        let _one_at_a_time = self.scraping.lock();
        self.encode_now()
    }

    /// The exposition text after `set` has put the scrape's figures on their families, which
    /// are cleared first; one scrape at a time, so two cannot swap each other's figures.
    pub fn scrape_with(&self, set: impl FnOnce(&Metrics)) -> String {
        let _one_at_a_time = self.scraping.lock();
        for family in self.scraped() {
            family.clear();
        }
        set(self);
        self.encode_now()
    }

    /// Encodes; the caller holds `scraping`, so a concurrent scrape cannot swap the figures
    /// mid-encoding.
    pub(super) fn encode_now(&self) -> String {
        let mut text = String::with_capacity(16 * 1024);
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        classic_text(&text)
    }
}

/// The Prometheus text format (0.0.4) from OpenMetrics text: counter families are named with
/// their `_total` in `HELP` and `TYPE`, and the `UNIT` and `EOF` lines go. Every Prometheus
/// reads this format, and `promtool check metrics` lints it.
fn classic_text(openmetrics: &str) -> String {
    let counters: std::collections::HashSet<&str> = openmetrics
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE ")?.strip_suffix(" counter"))
        .collect();
    let mut out = String::with_capacity(openmetrics.len() + 256);
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let meta = ["# HELP ", "# TYPE "]
            .into_iter()
            .find(|p| line.starts_with(p));
        match meta {
            Some(prefix) => {
                let rest = &line[prefix.len()..];
                let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                let total = if counters.contains(name) {
                    "_total"
                } else {
                    ""
                };
                out.push_str(&format!("{prefix}{name}{total} {tail}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_named_with_total_in_the_classic_format() {
        let text = "# HELP a_orders Orders.\n# TYPE a_orders counter\na_orders_total 3\n\
                    # HELP a_up Up.\n# TYPE a_up gauge\n# UNIT a_up seconds\na_up 1\n# EOF\n";
        assert_eq!(
            classic_text(text),
            "# HELP a_orders_total Orders.\n# TYPE a_orders_total counter\na_orders_total 3\n\
             # HELP a_up Up.\n# TYPE a_up gauge\na_up 1\n"
        );
    }
}
