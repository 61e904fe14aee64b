//! The hub driven in-process: its router answers requests without a socket or a spawned
//! binary, over a real SQLite file. The review rules answer through the HTTP mapping of
//! the workflow's errors.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use designdoc_check::Checker;
use designdoc_hub::{Hub, HubSettings, router};
use designdoc_store::{Audit, Role, Store};
use designdoc_workspace::HubConfig;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;

struct Fixture {
    dir: tempfile::TempDir,
    hub: Arc<Hub>,
}

async fn fixture() -> Fixture {
    fixture_with(&HubConfig::default()).await
}

/// A hub over a fresh SQLite file, set up by `config` (`[hub]`).
async fn fixture_with(config: &HubConfig) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("hub.db").display());
    let store = Store::open(&url, None).await.unwrap();
    let settings = HubSettings::from_config(config, dir.path()).unwrap();
    let hub = Arc::new(Hub::new(store, Checker::with_default_template(), &settings));
    Fixture { dir, hub }
}

impl Fixture {
    /// A user with `role` and an API token acting as them.
    async fn user(&self, name: &str, role: Role) -> String {
        let store = &self.hub.store;
        let made = Audit::new("test", "user.create", name, json!({}));
        let user = store.create_user(name, "a long password 1", role, made).await.unwrap();
        let made = Audit::new("test", "token.create", "", json!({}));
        let (_, secret) = store.create_token(name, Some(&user.id), made).await.unwrap();
        secret
    }

    async fn call(&self, token: &str, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = router(Arc::clone(&self.hub)).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

const DOC: &str = "---\nstatus: draft\nauthors: [ana]\n---\n# Cache\n\n## Overview\n\nA cache.\n";

#[tokio::test]
async fn review_rules_answer_through_the_router() {
    let f = fixture().await;
    let ana = f.user("ana", Role::Author).await;
    let rita = f.user("rita", Role::Reviewer).await;
    let rex = f.user("rex", Role::Reviewer).await;
    // People publish into spaces that exist (an admin makes them).
    f.hub.store.ensure_space("eng").await.unwrap();
    let (status, body) = f
        .call(
            &ana,
            "POST",
            "/api/v1/publish",
            json!({"space": "eng", "docs": [{"path": "cache.md", "content": DOC}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let review = "/api/v1/review/eng/cache.md";
    let (status, body) = f
        .call(
            &ana,
            "POST",
            review,
            json!({"action": "request-review", "reviewers": "nobody"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("`nobody`"), "{body}");

    // The doc lacks most of the template's sections: at review strictness those are
    // errors, and the space's policy blocks on them, naming each.
    let (status, body) = f
        .call(
            &ana,
            "POST",
            review,
            json!({"action": "request-review", "reviewers": "rita"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let blocking = body["blocking"].as_array().cloned().unwrap_or_default();
    assert!(
        blocking
            .iter()
            .any(|b| b["code"] == "DD001" && b["message"].as_str().is_some_and(|m| m.contains("Background"))),
        "{body}"
    );
    // A space whose policy does not block on findings lets it through.
    let policy = designdoc_store::Policy {
        required_approvals: 2,
        block_on_errors: false,
    };
    let audit = designdoc_store::Audit::new("test", "policy.set", "eng", json!({}));
    f.hub.store.set_policy("eng", policy, audit).await.unwrap();

    let (status, body) = f
        .call(
            &ana,
            "POST",
            review,
            json!({"action": "request-review", "reviewers": "rita"}),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("review")),
        "{body}"
    );

    // A stale form: the reviewer saw a revision that is not the current one.
    let (status, body) = f
        .call(&rita, "POST", review, json!({"action": "approve", "revision": 7}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    let (status, body) = f
        .call(
            &rita,
            "POST",
            review,
            json!({"action": "comment", "anchor": "no-such", "body": "?"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = f
        .call(
            &rita,
            "POST",
            review,
            json!({"action": "comment", "anchor": "overview", "body": "ok"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The space's policy asks for two approvals: the first leaves it in review.
    let (status, body) = f
        .call(&rita, "POST", review, json!({"action": "approve", "revision": 1}))
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("review")),
        "{body}"
    );
    let (status, body) = f
        .call(&rex, "POST", review, json!({"action": "approve", "revision": 1}))
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{body}"
    );

    let (status, body) = f.call(&rita, "POST", review, json!({"action": "banana"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let audit = f.hub.store.audit_events_latest(50).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    for expected in [
        "review.request-review",
        "review.comment",
        "review.approve",
        "status.change",
    ] {
        assert!(actions.contains(&expected), "{expected} not audited: {actions:?}");
    }
}

/// A complete design doc (the repository's example) with `status` and `authors`.
fn complete_doc(status: &str, authors: &str) -> String {
    include_str!("../../../examples/0001-rate-limiter.md")
        .replacen("status: approved", &format!("status: {status}"), 1)
        .replacen("authors:", &format!("authors:\n  - {authors}"), 1)
}

/// A doc from a watched folder (trusted: its front matter's status stands) that the hub's
/// reviewers approved: an edit whose file still says `draft` sends it back to review, not
/// to draft; its approvals show stale, its history says why. Its human authors come from
/// `authors:` even though "watcher" published it: the one named may not approve.
#[tokio::test]
async fn a_watched_doc_edited_after_approval_returns_to_review() {
    let f = fixture().await;
    let ana = f.user("ana", Role::Author).await;
    let rita = f.user("rita", Role::Reviewer).await;
    let rex = f.user("rex", Role::Reviewer).await;
    let remy = f.user("remy", Role::Reviewer).await;
    let incoming = |content: String| designdoc_hub::Incoming {
        space: "eng".into(),
        path: "limiter.md".into(),
        content,
        by: "watcher".into(),
        trusted: true,
    };
    let doc = complete_doc("draft", "\"Remy <remy@example.test>\"");
    let remy_user = f.hub.store.user_by_name("remy").await.unwrap().unwrap();
    let audit = Audit::new("test", "user.email", "remy", json!({}));
    f.hub
        .store
        .set_email(&remy_user.id, Some("remy@example.test"), audit)
        .await
        .unwrap();
    for r in f.hub.publish(vec![incoming(doc.clone())]).await {
        r.unwrap();
    }
    // A webhook on the space hears of every status change, the publish's too.
    let audit = Audit::new("test", "webhook.add", "eng", json!({}));
    f.hub
        .store
        .add_webhook("eng", "http://127.0.0.1:9/hook", audit)
        .await
        .unwrap();
    let review = "/api/v1/review/eng/limiter.md";
    let (status, body) = f
        .call(
            &ana,
            "POST",
            review,
            json!({"action": "request-review", "reviewers": ["rita", "rex"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // remy is named in `authors:` by e-mail: not offered as a reviewer, refused as one.
    let (status, body) = f
        .call(
            &ana,
            "POST",
            review,
            json!({"action": "request-review", "reviewers": ["remy"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = f.call(&remy, "POST", review, json!({"action": "approve"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    for who in [&rita, &rex] {
        let (status, body) = f.call(who, "POST", review, json!({"action": "approve"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, state) = f.call(&ana, "GET", review, Value::Null).await;
    assert_eq!(state["state"]["status"], "approved", "{state}");

    let edited = format!("{doc}\nOne more paragraph.\n");
    for r in f.hub.publish(vec![incoming(edited)]).await {
        r.unwrap();
    }
    let (_, state) = f.call(&ana, "GET", review, Value::Null).await;
    assert_eq!(state["state"]["status"], "review", "not silently draft: {state}");
    assert_eq!(state["state"]["revision"], 2);
    assert_eq!(state["state"]["stale"].as_array().map(Vec::len), Some(2), "{state}");
    assert_eq!(
        state["state"]["requested"],
        json!(["rex", "rita"]),
        "the reviewers stay: {state}"
    );
    let changes = f
        .hub
        .store
        .status_changes("eng:limiter.md", &designdoc_store::Visibility::all())
        .await
        .unwrap();
    let last = changes.last().expect("a status change");
    assert_eq!(
        (last.from.as_str(), last.to.as_str(), last.revision),
        ("approved", "review", 2)
    );
    assert!(last.reason.contains("revision 2"), "{last:?}");
    let queued = f.hub.store.claim_notifications(100, 60_000).await.unwrap();
    let events: Vec<&str> = queued.iter().map(|n| n.event.as_str()).collect();
    assert_eq!(
        events,
        [
            "review.requested",
            "status.changed",
            "review.verdict",
            "review.verdict",
            "status.changed",
            "status.changed"
        ],
        "{queued:#?}"
    );
    let publish: Value = serde_json::from_str(&queued[5].payload).unwrap();
    assert_eq!(
        (publish["from"].as_str(), publish["to"].as_str()),
        (Some("approved"), Some("review"))
    );
    assert_eq!(publish["document"]["page"], "/doc/eng/limiter.md#review");
    // Claimed: nobody else gets them until the lease ends.
    assert!(f.hub.store.claim_notifications(100, 60_000).await.unwrap().is_empty());
}

/// A revision stored before the review gate existed (its gate empty and not known, as
/// migration 0009 left them) is not waved through: its gate is computed from its content
/// the first time a review reads it, and kept.
#[tokio::test]
async fn a_revision_from_before_the_gate_gets_its_gate_computed() {
    let f = fixture().await;
    let ana = f.user("ana", Role::Author).await;
    f.user("rita", Role::Reviewer).await;
    f.hub.store.ensure_space("eng").await.unwrap();
    let publish = json!({"space": "eng", "docs": [{"path": "cache.md", "content": DOC}]});
    assert_eq!(f.call(&ana, "POST", "/api/v1/publish", publish).await.0, StatusCode::OK);
    // As an older hub left it.
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", f.dir.path().join("hub.db").display());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("UPDATE revisions SET gate = '[]', gate_known = 0")
        .execute(&pool)
        .await
        .unwrap();
    let review = "/api/v1/review/eng/cache.md";
    let (status, body) = f
        .call(
            &ana,
            "POST",
            review,
            json!({"action": "request-review", "reviewers": "rita"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["blocking"].as_array().is_some_and(|b| !b.is_empty()), "{body}");
    let known: (String, i64) = sqlx::query_as("SELECT gate, gate_known FROM revisions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(known.1, 1, "kept");
    assert!(known.0.contains("DD001"), "{}", known.0);
}

/// Nobody is e-mailed about a document in a private space they cannot see, though its
/// `authors:` names them; a member named there is. (The mail server is never called here:
/// the test reads what the action queued in the outbox.)
#[tokio::test]
async fn private_docs_are_mailed_only_to_those_who_can_see_them() {
    let config = HubConfig {
        smtp: Some(designdoc_workspace::SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(9),
            security: Some("none".into()),
            from: "designdoc <hub@example.test>".into(),
            ..Default::default()
        }),
        ..HubConfig::default()
    };
    let f = fixture_with(&config).await;
    let ana = f.user("ana", Role::Author).await;
    f.user("bob", Role::Author).await;
    f.user("cy", Role::Author).await;
    let store = &f.hub.store;
    for name in ["bob", "cy"] {
        let u = store.user_by_name(name).await.unwrap().unwrap();
        let audit = Audit::new("test", "user.email", name, json!({}));
        store
            .set_email(&u.id, Some(&format!("{name}@example.test")), audit)
            .await
            .unwrap();
    }
    store.ensure_space("hr").await.unwrap();
    store
        .set_private("hr", true, Audit::new("test", "space", "hr", json!({})))
        .await
        .unwrap();
    for name in ["ana", "cy"] {
        let u = store.user_by_name(name).await.unwrap().unwrap();
        let audit = Audit::new("test", "grant", "hr", json!({}));
        store.grant("hr", &u.id, Role::Author, audit).await.unwrap();
    }
    let doc = "---\nstatus: draft\nauthors: [\"@bob\", \"@cy\"]\n---\n# Pay bands\n\n## Overview\n\nSecret.\n";
    let publish = json!({"space": "hr", "docs": [{"path": "pay.md", "content": doc}]});
    let (status, body) = f.call(&ana, "POST", "/api/v1/publish", publish).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let comment = json!({"action": "comment", "anchor": "overview", "body": "Numbers for 2027?"});
    let (status, body) = f.call(&ana, "POST", "/api/v1/review/hr/pay.md", comment).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let queued = store.claim_notifications(100, 60_000).await.unwrap();
    let mailed: Vec<&str> = queued
        .iter()
        .filter(|n| n.channel == "email")
        .map(|n| n.target.as_str())
        .collect();
    assert_eq!(mailed, ["cy@example.test"], "{queued:#?}");
}
