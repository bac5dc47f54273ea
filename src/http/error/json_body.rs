//! What a request body that is not the JSON asked for is answered with.

use super::ApiError;
use actix_web::error::{JsonPayloadError, PayloadError};

/// Maps the JSON extractor's failures: size first, then syntax versus shape.
impl From<JsonPayloadError> for ApiError {
    fn from(e: JsonPayloadError) -> Self {
        match e {
            JsonPayloadError::OverflowKnownLength { .. }
            | JsonPayloadError::Overflow { .. }
            | JsonPayloadError::Payload(PayloadError::Overflow) => ApiError::PayloadTooLarge,
            JsonPayloadError::Deserialize(e) if e.is_data() => {
                ApiError::bad_request("invalid_request", e.to_string())
            }
            JsonPayloadError::Deserialize(_) => {
                ApiError::bad_request("invalid_json", "request body must be valid JSON")
            }
            _ => ApiError::bad_request("invalid_json", "request body could not be read as JSON"),
        }
    }
}
