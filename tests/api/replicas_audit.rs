//! The replica test's view of the audit log: wrong sign-ins made on two stores, and the same
//! history read back from every store.

use crate::helpers::try_wait_for;
use crate::replicas_fleet::{Proc, ADMIN_TOKEN};
use serde_json::{json, Value};

/// A wrong admin token offered at a store's sign-in: refused, and audited.
pub async fn wrong_sign_in(store: &str) {
    let refused = reqwest::Client::new()
        .post(format!("{store}/api/admin/login"))
        .json(&json!({ "token": "not-the-admin-token-at-all" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "a wrong admin token at {store}");
}

/// Every store shows the same audit log, with both wrong sign-ins (one made on store-c before
/// it was killed, one on store-b after the restarts). Entries are written behind the request,
/// so the stores are given up to 3 s to agree.
pub async fn judge_audit(stores: &[Proc]) -> Vec<String> {
    let asked = std::time::Instant::now();
    let agree = async || {
        let logs = audit_logs(stores).await;
        let sign_ins = |log: &Value| log.to_string().matches("\"sign_in\"").count();
        let counts: Vec<usize> = logs.iter().map(sign_ins).collect();
        let same = logs.windows(2).all(|w| w[0] == w[1]);
        let agreed = same && counts.iter().all(|c| *c >= 2);
        match agreed {
            true => Ok((counts, same)),
            false => Err((counts, same, logs)),
        }
    };
    let seen = try_wait_for(std::time::Duration::from_secs(3), agree).await;
    let (counts, same) = match &seen {
        Ok((counts, same)) | Err((counts, same, _)) => (counts, same),
    };
    println!("replicas: audit: wrong sign-ins on store-c and store-b; sign-in entries per store {counts:?}, identical on all: {same} (after {} ms)", asked.elapsed().as_millis());
    match seen {
        Ok(_) => Vec::new(),
        Err((_, _, logs)) => {
            let shown: Vec<String> = logs.iter().map(Value::to_string).collect();
            vec![format!("audit logs differ or miss a sign-in: {shown:?}")]
        }
    }
}

async fn audit_logs(stores: &[Proc]) -> Vec<Value> {
    let client = reqwest::Client::new();
    let mut logs = Vec::new();
    for store in stores {
        let audit: Value = client
            .get(format!("{}/api/audit", store.url))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        logs.push(audit);
    }
    logs
}
