//! What the request types' fields accept, as schemas their derives name with `schema_with`:
//! the rules `domain` enforces, spelled so that whatever a schema refuses the store refuses too.

use crate::domain::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use utoipa::openapi::{Object, ObjectBuilder, Type};

/// What trimming removes (Unicode White_Space, as `str::trim`) and what is never accepted
/// (control characters), spelled out: regex engines disagree on what `\s` means.
const SPACE: &str =
    r"\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// A field that always holds this one word.
pub fn word(word: &str) -> Object {
    text().enum_values(Some([word])).build()
}

/// The name on an order: 1 to 200 characters once trimmed, none of them control characters.
/// The schema says only what no padding can mend (empty, a control character that is not
/// space).
pub fn customer_name() -> Object {
    text()
        .min_length(Some(1))
        .pattern(Some(
            r"^[^\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f]*$",
        ))
        .description(Some(
            "1 to 200 characters once trimmed, no control characters.",
        ))
        .build()
}

/// What `Email::parse` accepts: `local@domain.tld` once trimmed, labels neither empty nor
/// starting with `-`, no space or control character inside, at most 254 characters.
pub fn customer_email() -> Object {
    let never = format!("@{SPACE}{CONTROL}");
    let label = format!("[^{never}.-][^{never}.]*");
    text()
        .pattern(Some(format!(
            "^[{SPACE}]*[^{never}]+@{label}(\\.{label})+[{SPACE}]*$"
        )))
        .description(Some(
            "name@example.com: at most 254 characters once trimmed.",
        ))
        .build()
}

/// A new account's password, taken as typed.
pub fn password() -> Object {
    text()
        .min_length(Some(MIN_PASSWORD_CHARS))
        .max_length(Some(MAX_PASSWORD_CHARS))
        .pattern(Some(r"^[^\u0000-\u001f\u007f-\u009f]*$"))
        .description(Some(format!(
            "{MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters as typed (nothing \
             trimmed), no control characters."
        )))
        .build()
}
