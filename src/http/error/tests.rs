//! The error answers: status, headers and what a body may say.

use super::*;
use actix_web::body::to_bytes;

#[actix_web::test]
async fn outages_answer_503_with_retry_after_and_no_detail() {
    let e = ApiError::from(AdapterError::unavailable(
        Service::Postgres,
        "password=hunter2 refused",
    ));
    let resp = e.error_response();
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(resp.headers().get(header::RETRY_AFTER).unwrap(), "3");
    let body = to_bytes(resp.into_body()).await.unwrap();
    let text = std::str::from_utf8(&body).unwrap();
    assert!(text.contains("orders_unavailable"));
    assert!(!text.contains("hunter2"));
}

#[test]
fn every_variant_has_its_status() {
    assert_eq!(ApiError::bad_request("x", "m").status_code(), 400);
    assert_eq!(ApiError::not_found("x", "m").status_code(), 404);
    assert_eq!(ApiError::invalid("x", "m").status_code(), 422);
    assert_eq!(ApiError::PayloadTooLarge.status_code(), 413);
    assert_eq!(ApiError::MethodNotAllowed.status_code(), 405);
    let limited = ApiError::TooManyAttempts {
        retry_after_secs: 42,
    };
    assert_eq!(limited.status_code(), 429);
    assert_eq!(
        limited
            .error_response()
            .headers()
            .get(header::RETRY_AFTER)
            .unwrap(),
        "42"
    );
    assert_eq!(ApiError::Internal("x".into()).status_code(), 500);
}
