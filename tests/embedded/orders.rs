use crate::helpers::{assert_error, get_json, shopper, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn an_order_is_invisible_to_every_other_session() {
    let app = spawn_app().await;
    let id = app.buy(&[(11, 1)]).await;
    assert_eq!(app.get(&format!("/api/orders/{id}")).await.status(), 200);
    let stranger = shopper();
    stranger.get(app.url("/api/cart")).send().await.unwrap(); // a session of their own
    let resp = stranger
        .get(app.url(&format!("/api/orders/{id}")))
        .send()
        .await
        .unwrap();
    assert_error(resp, 404, "order_not_found").await;
    let resp = reqwest::Client::new()
        .get(app.url(&format!("/api/orders/{id}")))
        .send()
        .await
        .unwrap();
    assert_error(resp, 404, "order_not_found").await;
    let list = get_json(&stranger, &app.url("/api/orders")).await;
    assert_eq!(list.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn my_orders_are_listed_newest_first() {
    let app = spawn_app().await;
    let first = app.buy(&[(1, 1)]).await;
    let second = app.buy(&[(2, 2)]).await;
    let list: Value = app.json("/api/orders").await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![second, first]);
    assert_eq!(list[0]["item_count"], 2);
}

#[tokio::test]
async fn unknown_or_malformed_order_ids_return_404() {
    let app = spawn_app().await;
    app.get("/api/cart").await;
    assert_error(app.get("/api/orders/424242").await, 404, "order_not_found").await;
    assert_error(
        app.get("/api/orders/not-a-number").await,
        404,
        "order_not_found",
    )
    .await;
}
