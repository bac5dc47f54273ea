//! The audit entry's schema: `kind` picks one of three shapes, each the fields its [`Audited`]
//! variant derives plus the ones every entry has, and nothing else.

use super::entry::{AuditEntry, AuditKind, Audited};
use utoipa::openapi::schema::{AdditionalProperties, Discriminator, Schema};
use utoipa::openapi::{ObjectBuilder, OneOfBuilder, Ref, RefOr, Type};
use utoipa::{PartialSchema, ToSchema};

/// Each kind's schema name: `AuditControl`, `AuditSignIn`, `AuditFault`.
fn name(kind: AuditKind) -> &'static str {
    match kind {
        AuditKind::Control => "AuditControl",
        AuditKind::SignIn => "AuditSignIn",
        AuditKind::Fault => "AuditFault",
    }
}

impl PartialSchema for AuditEntry {
    fn schema() -> RefOr<Schema> {
        let mapping =
            AuditKind::ALL.map(|k| (k.as_str(), format!("#/components/schemas/{}", name(k))));
        let mut options = OneOfBuilder::new()
            .description(Some(
                "A control action (`kind: control`), an admin sign-in, failed ones included \
                 (`kind: sign_in`), or a fault set or cleared (`kind: fault`).",
            ))
            .discriminator(Some(Discriminator::with_mapping("kind", mapping)));
        for kind in AuditKind::ALL {
            options = options.item(Ref::from_schema_name(name(kind)));
        }
        options.into()
    }
}

impl ToSchema for AuditEntry {
    /// The three kinds, each the variant's own object (its fields and `kind`) with the shared
    /// fields added and closed.
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        let RefOr::T(Schema::OneOf(variants)) = Audited::schema() else {
            unreachable!("a tagged enum's schema is one of its variants")
        };
        for (kind, variant) in AuditKind::ALL.into_iter().zip(variants.items) {
            let RefOr::T(Schema::Object(mut entry)) = variant else {
                unreachable!("a struct variant's schema is an object")
            };
            let text = || ObjectBuilder::new().schema_type(Type::String).build();
            let at = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::DateTime,
                )))
                .build();
            let instance = ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The replica that recorded it."))
                .build();
            for (field, schema) in [
                ("at", at),
                ("instance", instance),
                ("who", text()),
                ("result", text()),
            ] {
                entry.properties.insert(field.into(), schema.into());
                entry.required.push(field.into());
            }
            entry.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            schemas.push((name(kind).into(), entry.into()));
        }
        <Audited as ToSchema>::schemas(schemas);
    }
}
