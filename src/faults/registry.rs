//! The active faults of this process, read on every adapter call: a read lock over a short list
//! (at most [`MAX_FAULTS`]), skipped altogether through one atomic load while none is set, so a
//! store with no drill running pays one load per call.

use super::{covers, Fault, FaultKind, FaultTarget, MAX_FAULTS};
use crate::adapter::AdapterError;
use crate::service::Service;
use chrono::{DateTime, Utc};
use parking_lot::{Mutex, RwLock};
use rand::Rng;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Every fault set on this process, and how many calls each has affected.
#[derive(Default)]
pub struct Faults {
    pub(super) active: RwLock<Vec<Fault>>,
    /// False while `active` is empty: the common case costs no lock.
    any: AtomicBool,
    /// Calls affected since start, by target and kind (`carstore_faults_injected_total`).
    injected: Mutex<HashMap<(FaultTarget, FaultKind), u64>>,
    /// Faults that ended on their own (expired, or a poison used up) and when, until
    /// [`Faults::take_ended`] hands them on: whichever call notices an end, the feed hears of it.
    ended: Mutex<Vec<(Fault, DateTime<Utc>)>>,
}

impl Faults {
    /// The faults in force, expired ones left out (and forgotten).
    pub fn list(&self) -> Vec<Fault> {
        self.forget_expired();
        self.active.read().clone()
    }

    /// Sets a fault, replacing the one of the same target and kind; refused when full.
    pub fn set(&self, fault: Fault) -> Result<Fault, usize> {
        self.forget_expired();
        let mut active = self.active.write();
        active.retain(|f| (f.target, f.kind) != (fault.target, fault.kind));
        if active.len() >= MAX_FAULTS {
            return Err(MAX_FAULTS);
        }
        active.push(fault.clone());
        self.any.store(true, Ordering::Relaxed);
        Ok(fault)
    }

    /// Clears one fault; whether it was there. One already past its expiry was not: it ended
    /// on its own, and is told so.
    pub fn clear(&self, target: FaultTarget, kind: FaultKind) -> bool {
        self.forget_expired();
        let mut active = self.active.write();
        let before = active.len();
        active.retain(|f| (f.target, f.kind) != (target, kind));
        self.any.store(!active.is_empty(), Ordering::Relaxed);
        active.len() != before
    }

    /// Clears every fault; the ones there were (expired ones ended on their own).
    pub fn clear_all(&self) -> Vec<Fault> {
        self.forget_expired();
        let mut active = self.active.write();
        let cleared = std::mem::take(&mut *active);
        self.any.store(false, Ordering::Relaxed);
        cleared
    }

    /// The faults that ended on their own since the last call, with when each ended: expired
    /// ones at their expiry, a used-up poison when its last message was taken.
    pub fn take_ended(&self) -> Vec<(Fault, DateTime<Utc>)> {
        self.forget_expired();
        std::mem::take(&mut *self.ended.lock())
    }

    /// The fault of this target and kind in force now.
    pub fn find(&self, target: FaultTarget, kind: FaultKind) -> Option<Fault> {
        if !self.any.load(Ordering::Relaxed) {
            return None;
        }
        let now = Utc::now();
        self.active
            .read()
            .iter()
            .find(|f| (f.target, f.kind) == (target, kind))
            .filter(|f| f.expires_at.is_none_or(|at| at > now))
            .cloned()
    }

    /// Takes one message of a `poison` fault: whether the next event is poisoned. The fault
    /// shows how many are left and ends after the last.
    pub fn take_poison(&self) -> bool {
        if self
            .find(FaultTarget::Processor, FaultKind::Poison)
            .is_none()
        {
            return false;
        }
        let mut active = self.active.write();
        let at = active
            .iter()
            .position(|f| (f.target, f.kind) == (FaultTarget::Processor, FaultKind::Poison));
        let Some(at) = at else { return false };
        let left = active[at].value.unwrap_or(1).saturating_sub(1);
        match left {
            0 => self.note_ended(active.remove(at), Utc::now()),
            left => active[at].value = Some(left),
        }
        self.any.store(!active.is_empty(), Ordering::Relaxed);
        drop(active);
        self.count(FaultTarget::Processor, FaultKind::Poison);
        true
    }

    /// Calls affected so far, by target and kind.
    pub fn injected(&self) -> Vec<(FaultTarget, FaultKind, u64)> {
        let counts = self.injected.lock();
        counts.iter().map(|((t, k), n)| (*t, *k, *n)).collect()
    }

    /// Counts one call a fault affected.
    pub fn count(&self, target: FaultTarget, kind: FaultKind) {
        let mut counts = self.injected.lock();
        *counts.entry((target, kind)).or_default() += 1;
    }

    /// What the dashboard adds to a service's light: "fault injected: outage", or nothing.
    pub fn note(&self, service: Service) -> Option<String> {
        let target = FaultTarget::Service(service);
        let kinds: Vec<_> = self
            .list()
            .into_iter()
            .filter(|f| f.target == target)
            .map(|f| f.kind.as_str())
            .collect();
        (!kinds.is_empty()).then(|| format!("fault injected: {}", kinds.join(", ")))
    }

    /// Before a call to `service`'s adapter: the added latency, then a simulated outage.
    /// An error ratio is decided apart ([`Faults::fail_share`]), outside the breaker.
    pub async fn before_call(&self, service: Service) -> Result<(), AdapterError> {
        let target = FaultTarget::Service(service);
        if let Some(latency) = self.find(target, FaultKind::Latency) {
            self.count(target, FaultKind::Latency);
            tokio::time::sleep(delay(&latency)).await;
        }
        if self.find(target, FaultKind::Outage).is_some() {
            self.count(target, FaultKind::Outage);
            let why = "fault injected: simulated outage, every call fails";
            return Err(AdapterError::unavailable(service, why));
        }
        Ok(())
    }

    /// The error ratio: this call fails, as the service would fail it, `value` % of the time.
    pub fn fail_share(&self, service: Service) -> Result<(), AdapterError> {
        let target = FaultTarget::Service(service);
        let Some(errors) = self.find(target, FaultKind::Errors) else {
            return Ok(());
        };
        if !self.rolls(target, &errors) {
            return Ok(());
        }
        let why = format!(
            "fault injected: {}% of calls fail",
            errors.value.unwrap_or(0)
        );
        Err(AdapterError::unavailable(service, why))
    }

    /// Whether a store fault on a route fails this request, counting it when it does. The
    /// route is a path (`/api/cart` and what is under it) or a route pattern as the metrics
    /// name it (`/api/cars/{id}`).
    pub fn fails_request(&self, path: &str, pattern: Option<&str>) -> bool {
        let Some(errors) = self.find(FaultTarget::Routes, FaultKind::Errors) else {
            return false;
        };
        let on_route = errors
            .route
            .as_deref()
            .is_none_or(|r| covers(r, path) || pattern == Some(r));
        on_route && self.rolls(FaultTarget::Routes, &errors)
    }

    /// Draws against a fault's share, counting the calls it hits.
    fn rolls(&self, target: FaultTarget, errors: &Fault) -> bool {
        let share = f64::from(errors.value.unwrap_or(0)) / 100.0;
        let hit = rand::thread_rng().gen_bool(share.clamp(0.0, 1.0));
        if hit {
            self.count(target, errors.kind);
        }
        hit
    }

    fn forget_expired(&self) {
        if !self.any.load(Ordering::Relaxed) {
            return;
        }
        let now = Utc::now();
        let mut active = self.active.write();
        let (gone, kept): (Vec<Fault>, Vec<Fault>) = std::mem::take(&mut *active)
            .into_iter()
            .partition(|f| f.expires_at.is_some_and(|at| at <= now));
        *active = kept;
        self.any.store(!active.is_empty(), Ordering::Relaxed);
        drop(active);
        for fault in gone {
            let at = fault.expires_at.unwrap_or(now);
            self.note_ended(fault, at);
        }
    }

    /// Keeps an end for the feed; bounded, since a process that never hands them on (a worker)
    /// must not keep every drill it ever had.
    fn note_ended(&self, fault: Fault, at: DateTime<Utc>) {
        let mut ended = self.ended.lock();
        if ended.len() >= MAX_FAULTS {
            ended.remove(0);
        }
        ended.push((fault, at));
    }
}

/// A latency fault's wait: its value plus a random share of its jitter.
pub fn delay(fault: &Fault) -> Duration {
    let jitter = fault.jitter_ms.unwrap_or(0);
    let extra = match jitter {
        0 => 0,
        j => rand::thread_rng().gen_range(0..=j),
    };
    Duration::from_millis(u64::from(fault.value.unwrap_or(0) + extra))
}
