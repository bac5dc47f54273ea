//! The bodies error answers carry.

use serde::Serialize;

/// Every error's body: `{error, message}`, and for `/readyz` the kind of service that is down.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Error)]
pub(crate) struct ErrorBody {
    /// What went wrong, as a snake_case code a client can act on.
    pub(super) error: &'static str,
    /// The same, as a sentence for a person.
    pub(super) message: String,
    /// `/readyz` only: the kind of service that is not ready (`database`, `cache`, `queue`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pub(super) dependency: Option<&'static str>,
}

/// The compat probes' failure: `{"redis": "DOWN", "error": "..."}`, the field named per probe.
pub(super) struct ProbeDownBody<'a> {
    pub(super) field: &'a str,
    pub(super) down: &'static str,
    pub(super) error: String,
}

impl Serialize for ProbeDownBody<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.field, self.down)?;
        map.serialize_entry("error", &self.error)?;
        map.end()
    }
}
