use crate::helpers::spawn_app;

#[tokio::test]
async fn the_page_is_served_fresh_and_points_at_versioned_assets() {
    let app = spawn_app().await;
    let resp = app.get("/").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    let html = resp.text().await.unwrap();
    let version = carstore::http::ASSET_VERSION;
    assert!(
        html.contains(&format!("/assets/{version}/js/app.js")),
        "asset base substituted"
    );
    assert!(!html.contains("{{"), "no template left");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external URL"
    );
}

#[tokio::test]
async fn assets_have_their_types_validators_and_a_year_of_cache() {
    let app = spawn_app().await;
    let version = carstore::http::ASSET_VERSION;
    for (path, ty) in [
        ("js/app.js", "javascript"),
        ("css/app.css", "text/css"),
        ("img/logo.svg", "image/svg+xml"),
    ] {
        let url = format!("/assets/{version}/{path}");
        let resp = app.get(&url).await;
        assert_eq!(resp.status(), 200, "{url}");
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains(ty),
            "{url}"
        );
        assert_eq!(
            resp.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
        let again = app
            .client
            .get(app.url(&url))
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{url}");
    }
    // A page from an older build still gets the file, but only for revalidation.
    let old = app.get("/assets/0ld/js/app.js").await;
    assert_eq!(old.status(), 200);
    assert_eq!(old.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn the_web_ui_uses_no_inner_html_and_no_external_urls() {
    let app = spawn_app().await;
    let version = carstore::http::ASSET_VERSION;
    // Every module the page has, as served: a new one is checked without being listed here.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/web/js");
    let modules: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| name.strip_suffix(".js").map(str::to_owned))
        .collect();
    assert!(modules.len() >= 10, "{modules:?}");
    for module in modules {
        let js = app
            .get(&format!("/assets/{version}/js/{module}.js"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !js.contains("innerHTML") && !js.contains("insertAdjacentHTML"),
            "{module}.js renders HTML"
        );
        assert!(
            !js.contains("http://") && !js.contains("https://"),
            "{module}.js has an external URL"
        );
    }
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = spawn_app().await;
    assert_eq!(app.get("/nope").await.status(), 404);
    assert_eq!(app.get("/assets/x/js/nope.js").await.status(), 404);
}
