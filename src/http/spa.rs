//! The web UI, embedded in the binary: the page at `/`, its assets under a versioned path so
//! they can be cached for a year, and the car pictures.

use super::ApiError;
use crate::domain::CarId;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{guard, web, HttpRequest, HttpResponse, ResponseError};
use rust_embed::RustEmbed;
use std::sync::OnceLock;

#[derive(RustEmbed)]
#[folder = "web/"]
struct WebAssets;

/// Changes whenever anything under `web/` changes (computed by `build.rs`), so a new build gets
/// new asset URLs and browsers never run stale code from their cache.
pub const ASSET_VERSION: &str = env!("WEB_ASSET_VERSION");
const YEAR: &str = "public, max-age=31536000, immutable";
const DAY: &str = "public, max-age=86400";

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.route("/", get_or_head().to(index))
        .route("/index.html", get_or_head().to(index))
        .route("/assets/{version}/{path:.*}", get_or_head().to(asset))
        .route("/images/cars/{file}", get_or_head().to(car_image));
}

/// Static files answer HEAD too, as caches and link checkers expect.
fn get_or_head() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

fn index_html() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        let file = WebAssets::get("index.html").expect("web/index.html is embedded");
        String::from_utf8_lossy(&file.data)
            .replace("{{ASSET_BASE}}", &format!("/assets/{ASSET_VERSION}"))
    })
}

async fn index(req: HttpRequest) -> HttpResponse {
    let etag = format!("\"{ASSET_VERSION}\"");
    cached(
        &req,
        &etag,
        "no-cache",
        "text/html; charset=utf-8",
        index_html().as_bytes().to_vec(),
    )
}

async fn asset(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, path) = path.into_inner();
    let Some(file) = is_safe_asset_path(&path)
        .then(|| WebAssets::get(&path))
        .flatten()
    else {
        return not_found();
    };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..12]));
    // An old page asking for an old version gets today's file, but must not keep it for a year.
    let cache = if version == ASSET_VERSION {
        YEAR
    } else {
        "no-cache"
    };
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    cached(&req, &etag, cache, &content_type, file.data.into_owned())
}

async fn car_image(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> HttpResponse {
    let id = file
        .strip_suffix(".svg")
        .and_then(|id| id.parse::<i64>().ok());
    match id.and_then(|id| state.shop.gallery.get(CarId(id))) {
        Some(img) => cached(
            &req,
            &img.etag,
            DAY,
            "image/svg+xml",
            img.svg.clone().into_bytes(),
        ),
        None => not_found(),
    }
}

/// Only plain relative paths inside `web/`: no `..`, no absolute or doubled slashes, no odd bytes.
fn is_safe_asset_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
}

/// Answers `304` when the browser already holds this version, else the body with its validators.
fn cached(
    req: &HttpRequest,
    etag: &str,
    cache_control: &str,
    content_type: &str,
    body: Vec<u8>,
) -> HttpResponse {
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control));
    for page_header in super::PAGE_HEADERS {
        resp.insert_header(page_header);
    }
    if fresh {
        return resp.finish();
    }
    resp.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    ))
    .body(body)
}

fn not_found() -> HttpResponse {
    ApiError::not_found("not_found", "there is nothing at this address").error_response()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::is_safe_asset_path;

    #[test]
    fn path_tricks_are_refused() {
        assert!(is_safe_asset_path("js/app.js"));
        for p in [
            "",
            "../Cargo.toml",
            "js/../../Cargo.toml",
            "/etc/passwd",
            "js//app.js",
            "js/./app.js",
            "js\\app.js",
            "%2e%2e/x",
        ] {
            assert!(!is_safe_asset_path(p), "{p:?}");
        }
    }
}
