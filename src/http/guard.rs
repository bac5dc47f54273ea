//! What every request is checked for before any route sees it: a body that says it is not JSON
//! (415), and a state change sent from another site's page (403). A cross-site
//! `<form enctype="text/plain">` can make a victim's browser POST a JSON-looking body with the
//! victim's cookies; both checks stop it.
//!
//! Where a request came from is read from `Sec-Fetch-Site`, which every current browser sends
//! and no page can forge: `same-origin` and `none` (typed, bookmarked) pass. Without it (curl,
//! scripts, older browsers) an `Origin` naming another host is refused; no `Origin` at all is
//! no browser's cross-site request. The host is compared without its port: the original
//! front end's nginx forwards `Host` without one.

use super::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::HttpRequest;

pub async fn check(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && req.path().starts_with("/api/") {
        if let Err(refusal) = refusal(req.request()) {
            return Ok(req.error_response(refusal).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn refusal(req: &HttpRequest) -> Result<(), ApiError> {
    if is_cross_site(req) {
        return Err(ApiError::CrossSite);
    }
    if has_body(req) && !is_json(req) {
        return Err(ApiError::NotJson);
    }
    Ok(())
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn is_cross_site(req: &HttpRequest) -> bool {
    if let Some(site) = header(req, "sec-fetch-site") {
        return !matches!(site.to_ascii_lowercase().as_str(), "same-origin" | "none");
    }
    let Some(origin) = header(req, "origin") else {
        return false;
    };
    let host = header(req, "host").map(host_name);
    let origin_host = origin.split_once("://").map(|(_, rest)| host_name(rest));
    origin_host.is_none() || origin_host != host
}

/// `shop.example:8000` → `shop.example`; `[::1]:8000` → `[::1]`.
fn host_name(authority: &str) -> String {
    let authority = authority.trim_end_matches('/');
    let name = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => &authority[..i],
        _ => authority,
    };
    name.to_ascii_lowercase()
}

fn has_body(req: &HttpRequest) -> bool {
    let length = header(req, "content-length").and_then(|v| v.trim().parse::<u64>().ok());
    length.is_some_and(|n| n > 0) || req.headers().contains_key(header::TRANSFER_ENCODING)
}

/// `application/json`, or any `+json` type; no `Content-Type` at all is taken as JSON, as
/// scripts that send a JSON body without naming it always were.
fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = header(req, "content-type") else {
        return !req.headers().contains_key(header::CONTENT_TYPE);
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn post(headers: &[(&str, &str)]) -> HttpRequest {
        let mut req = TestRequest::post().uri("/api/session");
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        req.to_http_request()
    }

    #[test]
    fn a_cross_site_text_plain_form_is_refused() {
        let form = post(&[
            ("sec-fetch-site", "cross-site"),
            ("content-type", "text/plain"),
            ("content-length", "40"),
        ]);
        assert!(matches!(refusal(&form), Err(ApiError::CrossSite)));
        let same_site = post(&[("sec-fetch-site", "same-site")]);
        assert!(matches!(refusal(&same_site), Err(ApiError::CrossSite)));
    }

    #[test]
    fn non_json_bodies_are_415_and_json_ones_pass() {
        for ct in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ] {
            let req = post(&[("content-type", ct), ("content-length", "10")]);
            assert!(matches!(refusal(&req), Err(ApiError::NotJson)), "{ct}");
        }
        for ct in [
            "application/json",
            "application/json; charset=utf-8",
            "application/merge-patch+json",
        ] {
            let req = post(&[("content-type", ct), ("content-length", "10")]);
            assert!(refusal(&req).is_ok(), "{ct}");
        }
        assert!(
            refusal(&post(&[("content-type", "text/plain")])).is_ok(),
            "no body"
        );
        assert!(
            refusal(&post(&[("content-length", "10")])).is_ok(),
            "no content type"
        );
    }

    #[test]
    fn same_origin_pages_and_scripts_pass() {
        assert!(refusal(&post(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(refusal(&post(&[])).is_ok(), "curl sends no Origin");
        let behind_nginx = post(&[("origin", "http://localhost:8081"), ("host", "localhost")]);
        assert!(refusal(&behind_nginx).is_ok());
        let elsewhere = post(&[
            ("origin", "https://evil.example"),
            ("host", "localhost:8000"),
        ]);
        assert!(matches!(refusal(&elsewhere), Err(ApiError::CrossSite)));
        let opaque = post(&[("origin", "null"), ("host", "localhost:8000")]);
        assert!(matches!(refusal(&opaque), Err(ApiError::CrossSite)));
        assert_eq!(host_name("[::1]:8000"), "[::1]");
    }
}
