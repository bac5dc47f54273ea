//! AppState's parts as the store is built: the shop, the operations console and the tasks
//! behind it, and who is let in.

use super::adapters::{watch_services, Adapters};
use super::controls::{self, pick_controls};
use super::start_janitor;
use crate::access::AdminSessions;
use crate::accounts::{Accounts, Hashing};
use crate::catalog::{BuiltinCatalog, Gallery};
use crate::config::{AdminToken, Settings};
use crate::load::LoadRuns;
use crate::metrics::Metrics;
use crate::ops::audit::AuditLog;
use crate::orders::Checkout;
use crate::service::Service;
use crate::state::{Admission, Console, Shop};
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Who may do what: the admin token (made now when none is configured) and the rest.
pub(super) fn admission(settings: &Settings, url: &str) -> Admission {
    let admin_token = admin_token(settings, url);
    Admission {
        admin_sessions: Arc::new(AdminSessions::new(&admin_token)),
        admin_token,
        sign_ins: Arc::default(),
        feeds: Default::default(),
        trusted_proxies: settings.trusted_proxies.clone(),
    }
}

/// What shoppers use, wired to the picked adapters.
/// The operations side, and the tasks behind it: the controls' log followers, the health
/// probes, the janitor, faults ending on their own, and the audit log's writer.
pub(super) async fn console(
    settings: &Settings,
    adapters: &Adapters,
    metrics: Arc<Metrics>,
    workers: &mut Vec<JoinHandle<()>>,
) -> anyhow::Result<Console> {
    let controls = pick_controls(settings, adapters.events.clone()).await;
    workers.extend(controls.followers);
    let health = watch_services(adapters, &Service::ALL);
    workers.push(tokio::spawn(health.clone().run()));
    workers.push(start_janitor(settings, adapters, &metrics, |_| true));
    let (faults, events) = (adapters.faults.clone(), adapters.events.clone());
    workers.push(tokio::spawn(crate::ops::tell_ends(faults, events)));
    let audit = AuditLog::new(settings.instance.clone(), adapters.audit.clone());
    workers.push(tokio::spawn(audit.clone().write_behind()));
    Ok(Console {
        events: adapters.events.clone(),
        health,
        breakers: adapters.breakers.clone(),
        faults: adapters.faults.clone(),
        targets: adapters.targets.clone(),
        controls: controls.controls,
        vhost_queues: controls::management_api(settings)?,
        logs: controls.logs,
        load: Arc::new(LoadRuns::default()),
        metrics,
        audit,
        scenarios: Arc::default(),
    })
}

pub(super) fn shop(adapters: &Adapters, outbox_ready: Arc<Notify>, metrics: &Arc<Metrics>) -> Shop {
    Shop {
        gallery: Arc::new(Gallery::draw(&BuiltinCatalog::cars())),
        checkout: Checkout {
            catalog: adapters.catalog.clone(),
            carts: adapters.carts.clone(),
            orders: adapters.orders.clone(),
            outbox_ready,
            events: adapters.events.clone(),
        },
        accounts: Arc::new(Accounts {
            store: adapters.accounts.clone(),
            sessions: adapters.sessions.clone(),
            carts: adapters.carts.clone(),
            hashing: Hashing::new(metrics.clone()),
            guest_key: Default::default(),
        }),
        catalog: adapters.catalog.clone(),
        carts: adapters.carts.clone(),
        orders: adapters.orders.clone(),
        queue: adapters.queue.clone(),
        pipeline: adapters.counts.clone(),
    }
}

/// The configured admin token, or a new one whose sign-in address is printed once.
fn admin_token(settings: &Settings, own_url: &str) -> AdminToken {
    if let Some(token) = &settings.admin_token {
        return token.clone();
    }
    let token = AdminToken::generate();
    tracing::info!(
        target: crate::telemetry::CONSOLE_ONLY,
        "dashboard admin sign-in (CARSTORE_ADMIN_TOKEN was not set): {own_url}/#/dashboard?token={}",
        token.expose()
    );
    tracing::info!(
        target: crate::telemetry::CONSOLE_ONLY,
        "guided scenarios, signed in: {own_url}/#/scenarios?token={}",
        token.expose()
    );
    token
}
