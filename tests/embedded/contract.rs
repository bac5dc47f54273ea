//! The contract at `GET /api/openapi.json` against the routes the store really has: the paths
//! actix registered, read from its own resource map, and the methods each answers, asked of a
//! live store. A route added without the document, or documented without the code, fails here.

use crate::helpers::spawn_app;
use actix_web::{test, web, App, HttpRequest};
use reqwest::Method;
use serde_json::Value;
use std::collections::BTreeSet;

/// The web page's routes: served by the binary, not part of the HTTP contract.
const UI_ROUTES: &[&str] = &[
    "/",
    "/index.html",
    "/assets/{version}/{path:.*}",
    "/images/cars/{file}",
];
const METHODS: &[Method] = &[
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
];

/// Every full route pattern `carstore::http::configure` registers, read from actix's resource
/// map (it has no other public way to list them): each pattern's line in its debug form, joined
/// to the scopes it sits in by indentation. The map's index of named routes (`named: {...}`)
/// repeats routes of the tree without their scopes and is skipped.
async fn registered_patterns() -> BTreeSet<String> {
    let peek = "/__resource_map";
    let app = test::init_service(App::new().configure(carstore::http::configure).route(
        peek,
        web::get().to(|req: HttpRequest| async move { format!("{:#?}", req.resource_map()) }),
    ))
    .await;
    let map = test::call_and_read_body(&app, test::TestRequest::get().uri(peek).to_request()).await;
    let map = String::from_utf8(map.to_vec()).unwrap();
    let lines: Vec<&str> = map.lines().collect();
    let mut scopes: Vec<(usize, String)> = Vec::new();
    let mut found = BTreeSet::new();
    let mut index_at: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        match index_at {
            Some(at) if indent == at && line.trim() == "}," => index_at = None,
            Some(_) => continue,
            None if line.trim() == "named: {" => index_at = Some(indent),
            None => {}
        }
        if line.trim() != "patterns: Single(" {
            continue;
        }
        let pattern = lines[i + 1].trim().trim_end_matches(',').trim_matches('"');
        let is_prefix = lines[i + 3].trim() == "is_prefix: true,";
        scopes.retain(|(depth, _)| *depth < indent);
        let full: String = scopes.iter().map(|(_, s)| s.as_str()).collect::<String>() + pattern;
        if is_prefix {
            scopes.push((indent, pattern.to_owned()));
        } else if full != peek {
            found.insert(full);
        }
    }
    assert!(
        found.contains("/api/cars/{id}") && found.contains("/healthz"),
        "the resource map's debug form changed; found {found:?}"
    );
    found
}

/// The operations a document lists, as (METHOD, path).
pub fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

/// A concrete path for a pattern: a number or a service name in each parameter, and admin
/// actions that the missing token refuses before they act.
pub fn concrete(pattern: &str) -> String {
    pattern
        .replace("{id}", "1")
        .replace("{car_id}", "1")
        .replace("{name}", "redis")
        .replace("{action}", "restart")
}

#[tokio::test]
async fn the_document_names_every_route_and_method_the_store_serves_and_no_other() {
    let registered = registered_patterns().await;
    for ui in UI_ROUTES {
        assert!(registered.contains(*ui), "the UI route {ui} moved");
    }
    let app = spawn_app().await;
    let doc = app.json("/api/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let documented = operations(&doc);
    let paths: BTreeSet<String> = documented.iter().map(|(_, p)| p.clone()).collect();
    let api: BTreeSet<String> = registered
        .into_iter()
        .filter(|p| !UI_ROUTES.contains(&p.as_str()))
        .collect();
    same(&api, &paths, "registered by the code", "documented");

    // A method a path does not take is a 405, and an unknown path a JSON 404 `not_found`;
    // anything else (401, 400, 200, a handler's own 404) means a route took the request.
    let client = reqwest::Client::new();
    let mut served = BTreeSet::new();
    let mut expected = BTreeSet::new();
    for path in &api {
        let asked = concrete(path);
        for method in METHODS {
            let resp = client
                .request(method.clone(), app.url(&asked))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            if status == 405 {
                // HTTP's `Allow`: every method the documented paths fitting the request have.
                let mut allowed: Vec<&str> = documented
                    .iter()
                    .filter(|(_, p)| fits(p, &asked))
                    .map(|(m, _)| m.as_str())
                    .collect();
                allowed.sort();
                allowed.dedup();
                assert_eq!(
                    resp.headers()["allow"],
                    allowed.join(", ").as_str(),
                    "{asked}"
                );
            }
            let unknown = status == 405
                || (status == 404 && resp.json::<Value>().await.unwrap()["error"] == "not_found");
            let op = (method.to_string(), path.clone());
            if !unknown {
                served.insert(op.clone());
            }
            // Where documented paths overlap (`/api/service/{name}/logs` is also a
            // `{name}/{action}`), whichever documented operation fits the request serves it.
            if documented
                .iter()
                .any(|(m, p)| m == &op.0 && fits(p, &asked))
            {
                expected.insert(op);
            }
        }
    }
    assert!(documented.is_subset(&expected));
    same(&served, &expected, "served by the store", "documented");
}

/// Fails naming what only one side has.
fn same<T: Ord + std::fmt::Debug>(a: &BTreeSet<T>, b: &BTreeSet<T>, a_is: &str, b_is: &str) {
    let only_a: Vec<_> = a.difference(b).collect();
    let only_b: Vec<_> = b.difference(a).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty(),
        "{a_is}, not {b_is}: {only_a:?}; {b_is}, not {a_is}: {only_b:?}"
    );
}

/// Whether a concrete path fits a documented path template.
fn fits(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t.starts_with('{') || t == p)
}

#[tokio::test]
async fn the_document_is_well_formed() {
    let app = spawn_app().await;
    let doc = app.json("/api/openapi.json").await;
    let mut ids = BTreeSet::new();
    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][method.to_lowercase()];
        let id = op["operationId"].as_str().expect("an operationId");
        assert!(ids.insert(id.to_owned()), "operationId {id} twice");
        assert!(op["summary"].is_string(), "{method} {path}: a summary");
        let responses = op["responses"].as_object().expect("responses");
        assert!(!responses.is_empty(), "{method} {path}: responses");
        for param in op["parameters"].as_array().into_iter().flatten() {
            if param["in"] == "path" {
                let name = param["name"].as_str().unwrap();
                assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: {name}"
                );
            }
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#").skip(1) {
        let pointer = &piece[..piece.find('"').unwrap()];
        assert!(
            doc.pointer(pointer).is_some(),
            "#{pointer} does not resolve"
        );
    }
}
