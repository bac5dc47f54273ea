//! One entry of the audit log and what it is about: a control action, a fault changed, an admin
//! sign-in refused. Written by `ops::audit::AuditLog`, kept by [`super::AuditStore`].

use crate::events::{FaultKind, FaultTarget};
use crate::service::{Service, ServiceAction};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// The row's key, drawn at random when recorded: a write retried after its answer was lost
    /// is not doubled, and a row read back is known as the entry still waiting to be written.
    /// Not part of the API.
    #[serde(skip)]
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The replica that recorded it (`Settings::instance`).
    pub instance: String,
    /// `admin from <address>` for control actions, `client from <address>` for sign-ins.
    pub who: String,
    #[serde(flatten)]
    pub what: Audited,
    pub result: String,
}

/// What an entry is about; `kind` in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audited {
    /// A start, stop or restart of a service.
    Control {
        service: Service,
        action: ServiceAction,
    },
    /// An admin token offered.
    SignIn { via: SignInVia },
    /// A fault set or cleared on purpose; no target when every fault was cleared at once.
    Fault {
        target: Option<FaultTarget>,
        change: FaultChange,
    },
}

impl Audited {
    pub fn kind(&self) -> AuditKind {
        match self {
            Audited::Control { .. } => AuditKind::Control,
            Audited::SignIn { .. } => AuditKind::SignIn,
            Audited::Fault { .. } => AuditKind::Fault,
        }
    }
}

/// The kinds of entry, kept and bounded apart so a flood of wrong tokens cannot push the
/// control actions (or the drills) out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKind {
    Control,
    SignIn,
    Fault,
}

impl AuditKind {
    pub const ALL: [AuditKind; 3] = [AuditKind::Control, AuditKind::SignIn, AuditKind::Fault];

    /// As `kind` in the JSON and in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Control => "control",
            AuditKind::SignIn => "sign_in",
            AuditKind::Fault => "fault",
        }
    }
}

/// How an admin token was offered: the sign-in form (`login`), or a token sent with an admin
/// request (`bearer`, `cookie`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignInVia {
    /// The sign-in form, `POST /api/admin/login`.
    Login,
    /// `Authorization: Bearer` on an admin request.
    Bearer,
    /// The cookie the sign-in set, on an admin request.
    Cookie,
}

impl SignInVia {
    pub const ALL: [SignInVia; 3] = [SignInVia::Login, SignInVia::Bearer, SignInVia::Cookie];

    pub fn as_str(self) -> &'static str {
        match self {
            SignInVia::Login => "login",
            SignInVia::Bearer => "bearer",
            SignInVia::Cookie => "cookie",
        }
    }

    pub fn from_name(name: &str) -> Option<SignInVia> {
        SignInVia::ALL.into_iter().find(|v| v.as_str() == name)
    }
}

/// What a fault entry did: `set latency`, `clear errors`, `clear all` (the `action` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultChange {
    Set(FaultKind),
    Clear(FaultKind),
    ClearAll,
}

impl FaultChange {
    pub fn to_text(self) -> String {
        match self {
            FaultChange::Set(kind) => format!("set {}", kind.as_str()),
            FaultChange::Clear(kind) => format!("clear {}", kind.as_str()),
            FaultChange::ClearAll => "clear all".to_owned(),
        }
    }

    pub fn from_text(text: &str) -> Option<FaultChange> {
        match text.split_once(' ')? {
            ("clear", "all") => Some(FaultChange::ClearAll),
            ("set", kind) => FaultKind::from_name(kind).map(FaultChange::Set),
            ("clear", kind) => FaultKind::from_name(kind).map(FaultChange::Clear),
            _ => None,
        }
    }
}

/// `set <kind>`, `clear <kind>`, or `clear all`.
impl utoipa::PartialSchema for FaultChange {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .description(Some("set <kind>, clear <kind>, or clear all"))
            .into()
    }
}

impl utoipa::ToSchema for FaultChange {}

impl Serialize for FaultChange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}
