use crate::helpers::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn status_probes_answer_embedded_with_their_compat_fields() {
    let app = spawn_app().await;
    let redis: Value = app.json("/api/status/redis").await;
    assert_eq!(redis["redis"], "OK");
    assert_eq!(redis["mode"], "embedded");
    assert_eq!(redis["ping"], true);
    assert!(redis["latency_ms"].as_f64().unwrap() >= 0.0);
    let rabbit: Value = app.json("/api/status/rabbit").await;
    assert_eq!(rabbit["rabbitmq"], "OK");
    assert_eq!(rabbit["mode"], "embedded");
    assert_eq!(rabbit["queue"], "orders");
    assert_eq!(rabbit["messages"], 0);
    assert_eq!(rabbit["consumers"], 1, "the order processor is consuming");
    let orders: Value = app.json("/api/status/orders").await;
    assert_eq!(orders["orders"], "OK");
    assert_eq!(orders["mode"], "embedded");
    assert_eq!(orders["count"], 0);
    assert_eq!(orders["pending"], 0);
}

#[tokio::test]
async fn status_counts_follow_real_orders_and_carry_no_personal_data() {
    let app = spawn_app().await;
    let id = app.buy(&[(3, 1)]).await;
    app.wait_for_status(id, "processed").await;
    let orders: Value = app.json("/api/status/orders").await;
    assert_eq!(orders["count"], 1);
    assert_eq!(orders["pending"], 0);
    for path in [
        "/api/status/orders",
        "/api/status/redis",
        "/api/status/rabbit",
    ] {
        let text = app.get(path).await.text().await.unwrap();
        assert!(
            !text.contains("ada@example.com") && !text.contains("Lovelace"),
            "{path}: {text}"
        );
    }
}

#[tokio::test]
async fn healthz_and_readyz_answer_200_when_serving() {
    let app = spawn_app().await;
    assert_eq!(app.json("/healthz").await["status"], "ok");
    assert_eq!(app.json("/readyz").await["status"], "ready");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/assets/x/js/app.js",
        "/api/cars",
        "/api/nope",
        "/healthz",
    ] {
        let resp = app.get(path).await;
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        let page = !path.starts_with("/api") && path != "/healthz";
        if page {
            assert!(
                csp.contains("default-src 'self'")
                    && csp.contains("script-src 'self'")
                    && !csp.contains("unsafe"),
                "{path}: {csp}"
            );
            assert_eq!(h["cross-origin-opener-policy"], "same-origin");
        } else {
            // An answer that is not a page may load nothing at all.
            assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
        }
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["referrer-policy"], "no-referrer");
    }
}
