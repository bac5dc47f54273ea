//! Figures read at scrape time (queue depth, outbox, health, process): set just before each
//! encoding and emitted as they are, so a figure that could not be read is absent, never stale.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;
use std::sync::{Arc, Mutex};

pub type Labels = Vec<(&'static str, String)>;

#[derive(Debug)]
pub struct Family {
    pub name: &'static str,
    pub help: &'static str,
    pub unit: Option<Unit>,
    pub kind: MetricType,
    pub samples: Vec<(Labels, f64)>,
}

/// One scrape's figures, filled by the `/metrics` handler.
#[derive(Debug, Default)]
pub struct Sample {
    families: Vec<Family>,
}

impl Sample {
    pub fn gauge(
        &mut self,
        name: &'static str,
        help: &'static str,
        unit: Option<Unit>,
    ) -> &mut Family {
        self.family(name, help, unit, MetricType::Gauge)
    }

    pub fn counter(
        &mut self,
        name: &'static str,
        help: &'static str,
        unit: Option<Unit>,
    ) -> &mut Family {
        self.family(name, help, unit, MetricType::Counter)
    }

    fn family(
        &mut self,
        name: &'static str,
        help: &'static str,
        unit: Option<Unit>,
        kind: MetricType,
    ) -> &mut Family {
        self.families.push(Family {
            name,
            help,
            unit,
            kind,
            samples: Vec::new(),
        });
        self.families.last_mut().expect("just pushed")
    }
}

impl Family {
    pub fn set(&mut self, labels: Labels, value: f64) -> &mut Family {
        self.samples.push((labels, value));
        self
    }
}

/// Registered once; holds the latest scrape's figures.
#[derive(Debug, Clone, Default)]
pub struct SampledCollector(pub Arc<Mutex<Sample>>);

impl Collector for SampledCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let sample = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for family in sample.families.iter().filter(|f| !f.samples.is_empty()) {
            let mut metric = encoder.encode_descriptor(
                family.name,
                family.help,
                family.unit.as_ref(),
                family.kind,
            )?;
            for (labels, value) in &family.samples {
                let each = metric.encode_family(labels)?;
                match family.kind {
                    MetricType::Counter => ConstCounter::new(*value).encode(each)?,
                    _ => ConstGauge::new(*value).encode(each)?,
                }
            }
        }
        Ok(())
    }
}
