//! Families whose figures are read at scrape time (queue depth, outbox, health, the process):
//! cleared and set just before each encoding and emitted as they are, so a figure that could
//! not be read is absent, never stale.

use parking_lot::Mutex;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;
use std::sync::Arc;

pub type Labels = Vec<(&'static str, String)>;

/// One scraped family's figures for the current scrape. Clones share them.
#[derive(Debug, Clone)]
pub struct Scraped {
    kind: MetricType,
    values: Arc<Mutex<Vec<(Labels, f64)>>>,
}

impl Scraped {
    pub fn gauge() -> Scraped {
        Scraped::of(MetricType::Gauge)
    }

    pub fn counter() -> Scraped {
        Scraped::of(MetricType::Counter)
    }

    fn of(kind: MetricType) -> Scraped {
        Scraped {
            kind,
            values: Arc::default(),
        }
    }

    pub fn set(&self, labels: Labels, value: f64) -> &Scraped {
        self.values.lock().push((labels, value));
        self
    }

    pub(super) fn clear(&self) {
        self.values.lock().clear();
    }

    /// What the registry encodes: this family under its name and help text.
    pub(super) fn described(
        &self,
        name: &'static str,
        help: &'static str,
        unit: Option<Unit>,
    ) -> Box<ScrapedCollector> {
        Box::new(ScrapedCollector {
            name,
            help,
            unit,
            family: self.clone(),
        })
    }
}

#[derive(Debug)]
pub(super) struct ScrapedCollector {
    name: &'static str,
    help: &'static str,
    unit: Option<Unit>,
    family: Scraped,
}

impl Collector for ScrapedCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let values = self.family.values.lock();
        if values.is_empty() {
            return Ok(());
        }
        let kind = self.family.kind;
        let mut metric =
            encoder.encode_descriptor(self.name, self.help, self.unit.as_ref(), kind)?;
        for (labels, value) in values.iter() {
            let each = metric.encode_family(labels)?;
            match kind {
                MetricType::Counter => ConstCounter::new(*value).encode(each)?,
                _ => ConstGauge::new(*value).encode(each)?,
            }
        }
        Ok(())
    }
}
