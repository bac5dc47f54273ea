//! Checks a JSON value against a schema of the contract document: the part of JSON Schema the
//! document's answers use, and nothing silently skipped. A keyword it does not know fails the
//! check, so a schema cannot come to say more than what is checked.

use serde_json::Value;

/// Keywords that describe without constraining.
const NOTES: &[&str] = &["description", "default"];

/// The errors of `value` against `schema` (empty when it conforms), each with its JSON path.
pub fn errors(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(doc, schema, value, "$", &mut found);
    found
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str, found: &mut Vec<String>) {
    let Some(rules) = schema.as_object() else {
        found.push(format!("{at}: the schema is not an object: {schema}"));
        return;
    };
    for (keyword, rule) in rules {
        let ok = match keyword.as_str() {
            "$ref" => {
                check(doc, resolve(doc, rule), value, at, found);
                true
            }
            "type" => match rule {
                Value::Array(types) => types.iter().any(|t| is_type(t, value)),
                one => is_type(one, value),
            },
            "enum" => rule.as_array().is_some_and(|all| all.contains(value)),
            "const" => rule == value,
            "minimum" => value.as_f64().is_none_or(|v| v >= rule.as_f64().unwrap()),
            "maximum" => value.as_f64().is_none_or(|v| v <= rule.as_f64().unwrap()),
            "format" => rule != "date-time" || value.as_str().is_none_or(is_timestamp),
            "anyOf" => matching(doc, rule, value, at) >= 1,
            "oneOf" => matching(doc, rule, value, at) == 1,
            // The field names the option: it must be one the mapping knows, and that option
            // must fit (`oneOf` beside it checks that no other does).
            "discriminator" => {
                let field = rule["propertyName"].as_str().unwrap();
                match value.get(field).and_then(Value::as_str) {
                    Some(name) if rule["mapping"].get(name).is_some() => {
                        let option = resolve(doc, &rule["mapping"][name]);
                        check(doc, option, value, at, found);
                        true
                    }
                    _ => !value.is_object(),
                }
            }
            "required" => {
                let fields = rule.as_array().unwrap();
                for field in fields.iter().filter_map(Value::as_str) {
                    if value.is_object() && value.get(field).is_none() {
                        found.push(format!("{at}: missing required field {field:?}"));
                    }
                }
                true
            }
            "properties" => {
                for (name, field) in rule.as_object().unwrap() {
                    if let Some(v) = value.get(name).filter(|_| value.is_object()) {
                        check(doc, field, v, &format!("{at}.{name}"), found);
                    }
                }
                true
            }
            "additionalProperties" => {
                assert_eq!(rule, &Value::Bool(false), "{at}: only `false` is checked");
                let known = rules.get("properties").and_then(Value::as_object);
                if let Some(object) = value.as_object() {
                    for name in object.keys() {
                        if !known.is_some_and(|k| k.contains_key(name)) {
                            found.push(format!("{at}: field {name:?} is not in the document"));
                        }
                    }
                }
                true
            }
            "items" => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    check(doc, rule, item, &format!("{at}[{i}]"), found);
                }
                true
            }
            other if NOTES.contains(&other) => true,
            other => panic!("{at}: the answer checker does not know the keyword {other:?}"),
        };
        if !ok {
            found.push(format!("{at}: {value} breaks {keyword:?}: {rule}"));
        }
    }
}

/// How many of the schemas in `options` the value conforms to.
fn matching(doc: &Value, options: &Value, value: &Value, at: &str) -> usize {
    let options = options.as_array().unwrap();
    options
        .iter()
        .filter(|option| {
            let mut inner = Vec::new();
            check(doc, option, value, at, &mut inner);
            inner.is_empty()
        })
        .count()
}

/// `#/components/...` inside the document.
pub fn resolve<'a>(doc: &'a Value, reference: &Value) -> &'a Value {
    let pointer = reference
        .as_str()
        .and_then(|r| r.strip_prefix('#'))
        .unwrap_or_else(|| panic!("not a local reference: {reference}"));
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("{reference} does not resolve"))
}

fn is_type(name: &Value, value: &Value) -> bool {
    match name.as_str().unwrap() {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        other => panic!("unknown type {other:?}"),
    }
}

fn is_timestamp(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}
