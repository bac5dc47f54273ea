//! The cart and the orders follow the shopper, on both backends: a guest cart merges in at
//! sign-in, a second device sees and changes the same cart and orders, signing out everywhere
//! ends every device, and an account's orders stay hidden from guests.

use crate::helpers::{assert_error, TestApp};
use crate::services::on_both_backends;
use crate::shoppers::{replay, set_cookie, Account, Device};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

on_both_backends!(
    signing_in_merges_the_guest_cart_adding_quantities_up_to_the_cap,
    a_second_device_shares_the_cart_and_the_orders,
    signing_out_everywhere_ends_every_device,
    guest_orders_move_to_the_account_and_account_orders_stay_hidden_from_guests,
    guest_checkout_is_unchanged,
);

const A: i64 = 4;
const B: i64 = 9;
const C: i64 = 17;

async fn signing_in_merges_the_guest_cart_adding_quantities_up_to_the_cap(app: &TestApp) {
    let account = Account::new("merge");
    let owner = Device::new(app);
    assert_eq!(owner.sign_up(&account).await.status(), 201);
    owner.add(B, 3).await;
    owner.add(C, 1).await;

    let guest = Device::new(app);
    guest.add(A, 2).await;
    guest.add(B, 9).await;
    let old = guest.session_id().await;
    guest.signed_in(&account).await;

    let merged = [(A, 2), (B, 10), (C, 1)];
    assert_eq!(guest.cart_lines().await, merged, "B: 3 + 9, capped at 10");
    assert_eq!(owner.cart_lines().await, merged, "one cart for the account");
    // The id the guest came with reaches nothing of the account's cart.
    let planted: Value = replay(app, &old, "/api/cart").await.json().await.unwrap();
    let planted = crate::shoppers::lines(&planted);
    assert!(
        !planted.contains(&(C, 1)),
        "the old id shows the account's cart: {planted:?}"
    );
}

async fn a_second_device_shares_the_cart_and_the_orders(app: &TestApp) {
    let account = Account::new("devices");
    let laptop = Device::new(app);
    assert_eq!(laptop.sign_up(&account).await.status(), 201);
    laptop.add(5, 1).await;
    let phone = Device::new(app);
    phone.signed_in(&account).await;
    assert_ne!(
        phone.session_id().await,
        laptop.session_id().await,
        "a cookie each"
    );

    assert_eq!(phone.cart_lines().await, [(5, 1)]);
    phone.add(6, 2).await;
    let put = phone.send(Method::PUT, "/api/cart/5", Some(json!({ "quantity": 4 })));
    assert_eq!(put.await.status(), 200);
    assert_eq!(laptop.cart_lines().await, [(5, 4), (6, 2)]);
    assert_eq!(
        phone
            .send(Method::DELETE, "/api/cart/6", None)
            .await
            .status(),
        200
    );
    assert_eq!(laptop.cart_lines().await, [(5, 4)]);

    let order = laptop.checkout().await;
    assert_eq!(phone.cart_lines().await, [], "bought from the laptop");
    assert_eq!(phone.order_ids().await, [order]);
    assert_eq!(laptop.order_ids().await, [order]);
    let seen = phone.json(&format!("/api/orders/{order}")).await;
    assert_eq!(seen["order"]["id"], order);
    phone.wait_for_status(order, "processed").await;
}

async fn shoppers_signed_in(app: &TestApp, n: i64) {
    let what = format!("GET /api/shoppers saying {n} signed in");
    crate::helpers::eventually(&what, Duration::from_secs(5), async || {
        let body: Value = app.get("/api/shoppers").await.json().await.unwrap();
        body == json!({ "signed_in": n })
    })
    .await;
}

async fn signing_out_everywhere_ends_every_device(app: &TestApp) {
    let account = Account::new("everywhere");
    let laptop = Device::new(app);
    assert_eq!(laptop.sign_up(&account).await.status(), 201);
    laptop.add(7, 1).await;
    let phone = Device::new(app);
    phone.signed_in(&account).await;
    shoppers_signed_in(app, 1).await;
    let phone_id = phone.session_id().await;

    let resp = phone.sign_out_everywhere().await;
    assert_eq!(resp.status(), 200);
    let guest = set_cookie(&resp).expect("a fresh guest cookie");
    assert!(!guest.contains(&phone_id), "{guest}");
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({ "ended": 2 }));

    for device in [&laptop, &phone] {
        assert_error(device.account().await, 401, "not_signed_in").await;
        assert_eq!(device.cart_lines().await, [], "an empty guest cart");
        let refused = device.sign_out_everywhere().await;
        assert_error(refused, 401, "not_signed_in").await;
    }
    shoppers_signed_in(app, 0).await;
    // The account kept its cart for the next sign-in.
    phone.signed_in(&account).await;
    assert_eq!(phone.cart_lines().await, [(7, 1)]);
}

async fn guest_orders_move_to_the_account_and_account_orders_stay_hidden_from_guests(
    app: &TestApp,
) {
    let device = Device::new(app);
    device.add(2, 1).await;
    let guest_order = device.checkout().await;
    let guest_id = device.session_id().await;
    let account = Account::new("orders");
    assert_eq!(device.sign_up(&account).await.status(), 201);
    device.add(13, 1).await;
    let account_order = device.checkout().await;
    let mut both = vec![guest_order, account_order];
    both.sort_unstable();
    assert_eq!(device.order_ids().await, both, "the guest's order moved in");
    let phone = Device::new(app);
    phone.signed_in(&account).await;
    assert_eq!(phone.order_ids().await, both);
    for order in [guest_order, account_order] {
        let seen = phone.json(&format!("/api/orders/{order}")).await;
        assert_eq!(
            seen["order"]["id"], order,
            "the account's order {order}, in full"
        );
    }

    let stranger = Device::new(app);
    assert_eq!(stranger.order_ids().await, Vec::<i64>::new());
    for order in [guest_order, account_order] {
        let path = format!("/api/orders/{order}");
        let resp = stranger.send(Method::GET, &path, None).await;
        assert_eq!(resp.status(), 404, "a stranger asking for {path}");
        let moved = replay(app, &guest_id, &path).await;
        assert_eq!(
            moved.status(),
            404,
            "the pre-sign-up cookie asking for {path}"
        );
    }
    // Signed out, the same browser is a stranger to the account's orders.
    assert_eq!(device.sign_out().await.status(), 200);
    let path = format!("/api/orders/{account_order}");
    assert_eq!(device.send(Method::GET, &path, None).await.status(), 404);
    assert_eq!(device.order_ids().await, Vec::<i64>::new());
}

async fn guest_checkout_is_unchanged(app: &TestApp) {
    // An account in use on another device changes nothing for a guest.
    let account = Account::new("bystander");
    let member = Device::new(app);
    assert_eq!(member.sign_up(&account).await.status(), 201);

    let guest = Device::new(app);
    guest.add(21, 2).await;
    let order = guest.checkout().await;
    let seen = guest.json(&format!("/api/orders/{order}")).await;
    assert_eq!(seen["order"]["customer_email"], "ada@example.com");
    assert_eq!(seen["items"][0]["car_id"], 21);
    assert_eq!(guest.order_ids().await, [order]);
    assert_error(guest.account().await, 401, "not_signed_in").await;
    assert_eq!(member.order_ids().await, Vec::<i64>::new());
    guest.wait_for_status(order, "processed").await;
}
