use crate::helpers::{assert_error, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn cars_lists_the_39_seed_cars_in_the_compat_shape() {
    let app = spawn_app().await;
    let cars: Value = app.json("/api/cars").await;
    let cars = cars.as_array().unwrap();
    assert!(cars.len() >= 39);
    let first = &cars[0];
    assert_eq!(first["id"], 1);
    assert_eq!(first["make"], "Toyota");
    assert_eq!(first["model"], "Corolla");
    assert_eq!(first["year"], 2020);
    assert_eq!(first["price"], 18000.0);
    assert_eq!(first["price_cents"], 1_800_000);
    assert_eq!(first["category"], "starter");
    assert!(first["description"].as_str().unwrap().len() > 10);
    assert_eq!(first["image"], "/images/cars/1.svg");
    let categories: std::collections::HashSet<_> = cars
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories.len(), 9);
}

#[tokio::test]
async fn cars_filter_by_category_search_and_sort() {
    let app = spawn_app().await;
    let trucks: Value = app.json("/api/cars?category=truck&sort=price_desc").await;
    let prices: Vec<i64> = trucks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["price_cents"].as_i64().unwrap())
        .collect();
    assert_eq!(prices.len(), 3);
    assert!(prices.windows(2).all(|w| w[0] >= w[1]));
    let tesla: Value = app.json("/api/cars?q=tEsLa").await;
    assert_eq!(tesla.as_array().unwrap().len(), 2);
    let newest: Value = app.json("/api/cars?sort=year_desc").await;
    assert_eq!(newest[0]["year"], 2023);
}

#[tokio::test]
async fn cars_with_an_unknown_category_or_sort_returns_422() {
    let app = spawn_app().await;
    assert_error(
        app.get("/api/cars?category=boats").await,
        422,
        "invalid_category",
    )
    .await;
    assert_error(app.get("/api/cars?sort=random").await, 422, "invalid_sort").await;
}

#[tokio::test]
async fn one_car_by_id_and_unknown_ids_return_404() {
    let app = spawn_app().await;
    let porsche: Value = app.json("/api/cars/23").await;
    assert_eq!(porsche["model"], "911");
    assert_error(app.get("/api/cars/999").await, 404, "car_not_found").await;
    assert_error(app.get("/api/cars/abc").await, 404, "car_not_found").await;
}

#[tokio::test]
async fn car_images_are_embedded_svg_with_validators() {
    let app = spawn_app().await;
    let resp = app.get("/images/cars/7.svg").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/svg+xml");
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=86400"));
    let etag = resp.headers()["etag"].to_str().unwrap().to_owned();
    assert!(resp.text().await.unwrap().starts_with("<svg"));
    let again = app
        .client
        .get(app.url("/images/cars/7.svg"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(app.get("/images/cars/999.svg").await.status(), 404);
}

#[tokio::test]
async fn categories_lists_every_aisle_the_cars_use_in_the_stores_order() {
    let app = spawn_app().await;
    let categories: Value = app.json("/api/categories").await;
    let names: Vec<&str> = categories
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"starter"));
    let cars: Value = app.json("/api/cars").await;
    let used: std::collections::HashSet<&str> = cars
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(used, names.iter().copied().collect());
    assert_eq!(names.len(), used.len(), "each aisle once");
}
