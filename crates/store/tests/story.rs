//! One story, two databases: publish, list, read, search, publish again (idempotent), a
//! new revision, the diff between revisions, the registers, filters, tokens, racing
//! publishers and the integrity check. Always on a real SQLite
//! file; on PostgreSQL when DESIGNDOC_TEST_POSTGRES_URL is set (CI sets it).

use designdoc_check::{Checker, DocFacts};
use designdoc_store::{Audit, DiffLine, DocFilter, Publish, Role, Store, Visibility, diff_lines};
use std::path::Path;

fn example(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name))
        .expect("example doc")
}

async fn story(store: &Store) {
    assert!(store.ping().await);
    let limiter = example("0001-rate-limiter.md");
    let search = example("0002-search-service.md");
    let checker = Checker::with_default_template();
    let publish = |path: &'static str, content: &str| {
        let facts: &'static DocFacts = Box::leak(Box::new(checker.facts(path, content).1));
        Publish {
            space: "platform",
            path,
            content: Box::leak(content.to_string().into_boxed_str()),
            by: "ci",
            facts,
            html: "<p>rendered</p>",
            aside: "<nav>toc</nav>",
            renderer: "test",
            trusted_status: true,
        }
    };

    let a = store
        .publish(&publish("0001-rate-limiter.md", &limiter))
        .await
        .expect("publish 1");
    assert!(a.created);
    assert_eq!(a.revision, 1);
    let b = store
        .publish(&publish("0002-search-service.md", &search))
        .await
        .expect("publish 2");
    assert_eq!((b.revision, b.created), (1, true));

    // Same content again: no new revision.
    let again = store
        .publish(&publish("0001-rate-limiter.md", &limiter))
        .await
        .expect("republish");
    assert_eq!((again.revision, again.created), (1, false));

    let listed = store.documents(&DocFilter::default(), &all()).await.expect("list");
    assert_eq!(listed.len(), 2);
    let approved = store
        .documents(
            &DocFilter {
                status: Some("approved".into()),
                ..DocFilter::default()
            },
            &all(),
        )
        .await
        .expect("filter");
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0].title, "API rate limiter");
    assert_eq!(
        approved[0].authors,
        vec!["Ana Lima".to_string(), "Ben Okafor".to_string()]
    );
    assert_eq!(approved[0].doc_key, "0001");

    let doc = store
        .document(&a.document_id, &all())
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(doc.current_revision, 1);
    let rev = store
        .revision(&a.document_id, 1, &all())
        .await
        .expect("read rev")
        .expect("rev 1");
    assert_eq!(rev.content, limiter);
    assert_eq!((rev.html.as_str(), rev.renderer.as_str()), ("<p>rendered</p>", "test"));
    store
        .set_html(&a.document_id, 1, "<p>again</p>", "<nav>again</nav>", "test2")
        .await
        .expect("set html");
    let (doc_row, rev) = store
        .current(&a.document_id, &all())
        .await
        .expect("current")
        .expect("exists");
    assert_eq!(
        (rev.html.as_str(), rev.aside.as_str()),
        ("<p>again</p>", "<nav>again</nav>")
    );
    assert_eq!((doc_row.id, rev.number), (a.document_id.clone(), 1));
    assert_eq!(store.current("platform:nope.md", &all()).await.expect("current"), None);
    assert_eq!(
        store.latest_revision(&a.document_id).await.expect("hash"),
        Some((1, designdoc_store::content_hash(&limiter)))
    );

    // Search: titles and content.
    let hits = store
        .search("token bucket", &DocFilter::default(), &all())
        .await
        .expect("search");
    assert_eq!(
        hits.first().map(|d| d.id.as_str()),
        Some(a.document_id.as_str()),
        "{hits:?}"
    );
    let hits = store
        .search("indexer", &DocFilter::default(), &all())
        .await
        .expect("search");
    assert!(hits.iter().any(|d| d.id == b.document_id), "{hits:?}");
    assert!(
        store
            .search("\"unbalanced OR (", &DocFilter::default(), &all())
            .await
            .expect("odd query")
            .len()
            <= 2
    );
    assert!(
        store
            .search("zzzznotaword", &DocFilter::default(), &all())
            .await
            .expect("search")
            .is_empty()
    );

    // A new revision, and its diff.
    let edited = limiter
        .replace("status: approved", "status: review")
        .replace("title: API rate limiter", "title: API rate limiter v2");
    let c = store
        .publish(&publish("0001-rate-limiter.md", &edited))
        .await
        .expect("publish v2");
    assert_eq!((c.revision, c.created), (2, true));
    let doc = store
        .document(&a.document_id, &all())
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (doc.current_revision, doc.status.as_str(), doc.title.as_str()),
        (2, "review", "API rate limiter v2")
    );
    let old = store
        .revision(&a.document_id, 1, &all())
        .await
        .expect("rev")
        .expect("rev 1");
    let new = store
        .revision(&a.document_id, 2, &all())
        .await
        .expect("rev")
        .expect("rev 2");
    let d = diff_lines(&old.content, &new.content);
    assert!(d.contains(&DiffLine::Removed("status: approved".into())));
    assert!(d.contains(&DiffLine::Added("status: review".into())));
    assert_eq!(d.iter().filter(|l| !matches!(l, DiffLine::Same(_))).count(), 4);

    // The risk register reads the current revision of every doc.
    let risks = store.risks(&all()).await.expect("risks");
    assert!(risks.len() >= 5, "{risks:?}");
    assert_eq!(risks[0].impact, "High");

    more(store, &a.document_id, &publish("0002-search-service.md", &search)).await;
    accounts(store).await;
}

/// Filters, spaces, history, registers, metrics figures, tokens, bad input, races.
async fn more(store: &Store, limiter_id: &str, search_doc: &Publish<'_>) {
    let by = |author: Option<&str>, tag: Option<&str>| DocFilter {
        author: author.map(str::to_string),
        tag: tag.map(str::to_string),
        ..DocFilter::default()
    };
    let ids = |docs: Vec<designdoc_store::DocumentRow>| docs.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .documents(&by(Some("ana lima"), None), &all())
            .await
            .expect("author")),
        [limiter_id]
    );
    assert_eq!(
        ids(store.documents(&by(None, Some("SEARCH")), &all()).await.expect("tag")),
        [search_doc_id(search_doc)]
    );
    assert!(
        store
            .documents(&by(Some("ana"), None), &all())
            .await
            .expect("partial")
            .is_empty(),
        "authors match whole"
    );
    assert!(
        store
            .documents(&by(Some("Ana Lima"), Some("search")), &all())
            .await
            .expect("both")
            .is_empty()
    );
    assert_eq!(
        store
            .count_documents(&by(None, Some("api")), &all())
            .await
            .expect("count"),
        1
    );
    let page = DocFilter {
        limit: Some(1),
        offset: Some(1),
        ..DocFilter::default()
    };
    assert_eq!(store.documents(&page, &all()).await.expect("page").len(), 1);
    // Search honours filters too.
    let hits = store
        .search("limiter search", &by(None, Some("search")), &all())
        .await
        .expect("filtered search");
    assert!(hits.iter().all(|d| d.tags.contains(&"search".to_string())), "{hits:?}");

    let spaces = store.spaces(&all()).await.expect("spaces");
    assert_eq!(
        spaces
            .iter()
            .map(|s| (s.name.as_str(), s.documents))
            .collect::<Vec<_>>(),
        [("platform", 2)]
    );
    let history = store.revisions(limiter_id, &all()).await.expect("history");
    assert_eq!(history.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(history[0].published_by, "ci");

    let components = store.components(&all()).await.expect("components");
    assert!(
        components.iter().any(|c| c.name == "Limiter" && !c.purpose.is_empty()),
        "{components:?}"
    );
    let entities = store.entities(&all()).await.expect("entities");
    assert!(
        entities.iter().any(|e| e.defined && e.document_id == limiter_id),
        "{entities:?}"
    );

    let figures = store.figures().await.expect("figures");
    let statuses: Vec<(&str, i64)> = figures.by_status.iter().map(|(s, n, _)| (s.as_str(), *n)).collect();
    assert_eq!(statuses, [("draft", 1), ("review", 1)]);
    assert_eq!(figures.revisions, 3);
    // The draft search-service example has open warnings; they are counted per rule.
    assert!(
        figures
            .findings
            .iter()
            .any(|(_, level, n)| level == "warning" && *n > 0),
        "{figures:?}"
    );

    // Tokens: shown once, stored hashed, revocable.
    let (info, secret) = store
        .create_token("ci", None, rec("token.create"))
        .await
        .expect("token");
    assert!(secret.starts_with("ddt_") && secret.len() > 60);
    assert_eq!(
        store.verify_token(&secret).await.expect("verify").map(|t| t.name),
        Some("ci".to_string())
    );
    assert_eq!(store.verify_token("ddt_wrong").await.expect("verify"), None);
    assert!(
        store
            .revoke_token(&info.id, None, rec("token.revoke"))
            .await
            .expect("revoke")
    );
    assert_eq!(store.verify_token(&secret).await.expect("verify"), None);
    assert!(
        !store
            .revoke_token(&info.id, None, rec("token.revoke"))
            .await
            .expect("revoke twice")
    );
    assert!(store.tokens().await.expect("tokens")[0].revoked_at.is_some());

    // Bad input is refused with a message and writes nothing.
    for (space, path) in [
        ("platform", "../etc/passwd"),
        ("platform", "a//b.md"),
        ("bad space", "x.md"),
        ("", "x.md"),
    ] {
        let bad = Publish {
            space,
            path,
            ..search_doc.clone()
        };
        let e = store.publish(&bad).await.expect_err("invalid name");
        assert!(e.to_string().contains('`'), "{e}");
    }

    // Racing publishers of the same new content: one revision, both succeed.
    let racer = |n: usize| {
        let content = format!("{}\n\nEdit {n}.\n", search_doc.content);
        let content: &'static str = Box::leak(content.into_boxed_str());
        Publish {
            content,
            ..search_doc.clone()
        }
    };
    let (x, y) = (racer(1), racer(1));
    let (rx, ry) = tokio::join!(store.publish(&x), store.publish(&y));
    let (rx, ry) = (rx.expect("racer x"), ry.expect("racer y"));
    assert_eq!(rx.revision, ry.revision);
    assert_eq!(u8::from(rx.created) + u8::from(ry.created), 1);
    let problems = store.integrity_check().await.expect("integrity");
    assert!(problems.is_empty(), "{problems:?}");
}

/// An audit record of the test's own actions.
fn rec(action: &'static str) -> Audit<'static> {
    Audit::new("test", action, "", serde_json::json!({}))
}

fn all() -> Visibility {
    Visibility::all()
}

/// Users, sessions, roles, private spaces (hidden from every read), throttling, audit.
async fn accounts(store: &Store) {
    assert_eq!(store.count_users().await.expect("count"), 0);
    let ana = store
        .create_user("ana", "correct horse battery", Role::Author, rec("user.create"))
        .await
        .expect("ana");
    let bob = store
        .create_user("bob", "another long password", Role::Reader, rec("user.create"))
        .await
        .expect("bob");
    let admin = store
        .create_user("root", "the admin password", Role::Admin, rec("user.create"))
        .await
        .expect("admin");
    // E-mail: set, found case-insensitively, unique, validated, cleared.
    store
        .set_email(&ana.id, Some("Ana@Example.org"), rec("user.email"))
        .await
        .expect("set ana's e-mail");
    let found = store.user_by_email("ana@example.ORG").await.expect("by e-mail");
    assert_eq!(
        found.map(|u| (u.id, u.email)),
        Some((ana.id.clone(), Some("Ana@Example.org".into())))
    );
    let taken = store
        .set_email(&bob.id, Some("ana@example.org"), rec("user.email"))
        .await
        .expect_err("another user's address");
    assert!(taken.to_string().contains("another user"), "{taken}");
    for bad in ["no-at-sign", "two@@example.org", "sp ace@example.org", "x@localhost"] {
        let e = store
            .set_email(&bob.id, Some(bad), rec("user.email"))
            .await
            .expect_err(bad);
        assert!(e.to_string().contains("not an e-mail address"), "{bad}: {e}");
    }
    store.set_email(&bob.id, None, rec("user.email")).await.expect("clear");
    assert_eq!(
        store.user_by_name("bob").await.expect("bob").and_then(|u| u.email),
        None
    );
    for (name, password, why) in [
        ("ana", "correct horse battery", "exists"),
        ("Bad Name", "long enough password", "user name"),
        ("carl", "short", "12 characters"),
    ] {
        let e = store
            .create_user(name, password, Role::Reader, rec("user.create"))
            .await
            .expect_err(why);
        assert!(e.to_string().contains(why), "{e}");
    }
    assert_eq!(
        store
            .check_password("ana", "correct horse battery")
            .await
            .expect("login")
            .map(|u| u.id),
        Some(ana.id.clone())
    );
    assert_eq!(
        store.check_password("ana", "wrong password!!").await.expect("login"),
        None
    );
    assert_eq!(
        store
            .check_password("nobody", "correct horse battery")
            .await
            .expect("login"),
        None
    );

    // Sessions: the cookie secret finds the user; ending it ends access.
    let secret = store.create_session(&ana.id, 60_000).await.expect("session");
    let session = store.session(&secret).await.expect("lookup").expect("live");
    assert_eq!((session.user.username.as_str(), session.csrf.len()), ("ana", 64));
    assert!(store.session(&"0".repeat(64)).await.expect("lookup").is_none());
    store.end_session(&secret, rec("logout")).await.expect("end");
    assert!(store.session(&secret).await.expect("lookup").is_none());
    let expired = store.create_session(&ana.id, -1).await.expect("session");
    assert!(
        store.session(&expired).await.expect("lookup").is_none(),
        "expired sessions are dead"
    );

    // A private space is invisible to non-members in every read, and visible to members
    // and admins.
    store
        .set_private("platform", true, rec("space.visibility"))
        .await
        .expect("private");
    store
        .grant("platform", &ana.id, Role::Reviewer, rec("role.change"))
        .await
        .expect("grant");
    let for_ana = store.visibility(Some(&ana)).await.expect("vis");
    let for_bob = store.visibility(Some(&bob)).await.expect("vis");
    let for_anon = store.visibility(None).await.expect("vis");
    assert_eq!(for_bob, for_anon);
    assert_eq!(store.visibility(Some(&admin)).await.expect("vis"), Visibility::all());
    let id = "platform:0001-rate-limiter.md";
    let f = DocFilter::default();
    for (vis, sees) in [(&for_ana, true), (&for_bob, false), (&for_anon, false)] {
        let n = |v: usize| if sees { v } else { 0 };
        assert_eq!(store.documents(&f, vis).await.expect("docs").len(), n(2));
        assert_eq!(store.count_documents(&f, vis).await.expect("count"), n(2) as i64);
        assert_eq!(store.search("token bucket", &f, vis).await.expect("search").len(), n(1));
        let filtered = DocFilter {
            space: Some("platform".into()),
            ..DocFilter::default()
        };
        assert_eq!(store.search("token", &filtered, vis).await.expect("search").len(), n(1));
        assert_eq!(store.spaces(vis).await.expect("spaces").len(), n(1));
        assert_eq!(store.risks(vis).await.expect("risks").is_empty(), !sees);
        assert_eq!(store.components(vis).await.expect("components").is_empty(), !sees);
        assert_eq!(store.entities(vis).await.expect("entities").is_empty(), !sees);
        assert_eq!(store.document(id, vis).await.expect("doc").is_some(), sees);
        assert_eq!(store.current(id, vis).await.expect("cur").is_some(), sees);
        assert_eq!(store.revision(id, 1, vis).await.expect("rev").is_some(), sees);
        assert_eq!(store.revisions(id, vis).await.expect("revs").is_empty(), !sees);
    }
    // Hidden documents neither show nor crowd visible ones out of a short result list.
    let note = "# Note\n\nA token bucket, mentioned once.\n";
    let facts = Checker::with_default_template().facts("note.md", note).1;
    let public = Publish {
        space: "public",
        path: "note.md",
        content: note,
        by: "ci",
        facts: &facts,
        html: "",
        aside: "",
        renderer: "test",
        trusted_status: true,
    };
    store.publish(&public).await.expect("public doc");
    let one = DocFilter {
        limit: Some(1),
        ..DocFilter::default()
    };
    let hits = store.search("token bucket", &one, &for_anon).await.expect("search");
    assert_eq!(
        hits.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["public:note.md"]
    );
    assert_eq!(
        store.memberships(&ana.id).await.expect("m"),
        [("platform".to_string(), Role::Reviewer)]
    );
    assert!(
        store
            .revoke_membership("platform", &ana.id, rec("role.change"))
            .await
            .expect("revoke")
    );
    assert_ne!(store.visibility(Some(&ana)).await.expect("vis"), Visibility::all());
    store
        .set_private("platform", false, rec("space.visibility"))
        .await
        .expect("public");

    // Tokens belong to users; a user revokes only their own.
    let (t, _) = store
        .create_token("laptop", Some(&ana.id), rec("token.create"))
        .await
        .expect("token");
    assert!(
        !store
            .revoke_token(&t.id, Some(&bob.id), rec("token.revoke"))
            .await
            .expect("not bob's")
    );
    assert_eq!(store.tokens_of(&ana.id).await.expect("tokens").len(), 1);
    assert!(
        store
            .revoke_token(&t.id, Some(&ana.id), rec("token.revoke"))
            .await
            .expect("ana's")
    );

    // Login throttling counts failures per key in a window.
    for _ in 0..3 {
        store.login_failed("ana|127.0.0.1").await.expect("fail");
    }
    assert_eq!(
        store.recent_login_failures("ana|127.0.0.1", 60_000).await.expect("n"),
        3
    );
    assert_eq!(
        store.recent_login_failures("bob|127.0.0.1", 60_000).await.expect("n"),
        0
    );
    store.clear_login_failures("ana|127.0.0.1").await.expect("clear");
    assert_eq!(
        store.recent_login_failures("ana|127.0.0.1", 60_000).await.expect("n"),
        0
    );

    // Every write recorded its audit entry with it; refused and no-op writes none.
    let events = store.audit_events(0, 100).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        [
            "token.create",
            "token.revoke",
            "user.create",
            "user.create",
            "user.create",
            "user.email",
            "user.email",
            "logout",
            "space.visibility",
            "role.change",
            "role.change",
            "space.visibility",
            "token.create",
            "token.revoke",
        ]
    );
    // An empty target on a new token stands for the token's id.
    assert_eq!(events[12].target, t.id);
    audited(store, &ana, &bob).await;

    // The audit log keeps order and detail.
    let last = events.last().map_or(0, |e| e.id);
    let n = store.audit_events(last, 100).await.expect("events").len() as i64;
    store
        .audit("ana", "login", "ana", serde_json::json!({"ip": "127.0.0.1"}))
        .await
        .expect("audit");
    store
        .audit("root", "role", "bob", serde_json::json!({"role": "author"}))
        .await
        .expect("audit");
    let events = store.audit_events_latest(2).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["role", "login"]
    );
    assert_eq!(events[0].detail["role"], "author");
    assert_eq!(store.audit_events(events[1].id, 10).await.expect("after").len(), 1);
    assert_eq!(store.audit_events(last, 100).await.expect("all").len() as i64, n + 2);
}

/// The review workflow's writes and a password change, each with its audit record.
async fn audited(store: &Store, ana: &designdoc_store::User, bob: &designdoc_store::User) {
    let id = "platform:0001-rate-limiter.md";
    let since = store.audit_events_latest(1).await.expect("latest")[0].id;
    let review = |action: &'static str| Audit::new("ana", action, id, serde_json::json!({"revision": 2}));
    store
        .request_review(
            id,
            2,
            std::slice::from_ref(&bob.id),
            &ana.id,
            review("review.request-review"),
        )
        .await
        .expect("request");
    store
        .set_verdict(
            id,
            2,
            &bob.id,
            ("changes", "the cache section is empty"),
            review("review.changes"),
        )
        .await
        .expect("verdict");
    let e = store
        .set_verdict(id, 2, &bob.id, ("maybe", ""), review("review.maybe"))
        .await
        .expect_err("bad verdict");
    assert!(e.to_string().contains("maybe"), "{e}");
    let comment = store
        .add_comment(id, 2, "", None, &ana.id, "Why 100?", review("review.comment"))
        .await
        .expect("comment");
    assert!(
        store
            .resolve_comment(id, comment, &ana.id, review("review.resolve"))
            .await
            .expect("resolve")
    );
    assert!(
        !store
            .resolve_comment(id, comment, &ana.id, review("review.resolve"))
            .await
            .expect("resolve twice")
    );
    let state = store.review_state(id, &all()).await.expect("state").expect("doc");
    assert_eq!(
        (state.requested.as_slice(), state.verdicts.len()),
        ([bob.username.clone()].as_slice(), 1)
    );
    assert_eq!(
        store.comments(id, &all()).await.expect("comments")[0]
            .resolved_by
            .as_deref(),
        Some("ana")
    );
    let policy = designdoc_store::Policy {
        required_approvals: 1,
        block_on_errors: false,
    };
    store
        .set_policy("platform", policy, rec("space.policy"))
        .await
        .expect("policy");
    assert_eq!(store.policy("platform").await.expect("policy"), policy);
    assert!(
        store
            .set_status(id, 2, ("review", "draft"), "withdrawn", review("status.change"))
            .await
            .expect("status")
    );
    assert!(
        !store
            .set_status(id, 2, ("review", "draft"), "withdrawn", review("status.change"))
            .await
            .expect("stale status")
    );
    // A password change ends everything the old password opened, in one record.
    let (_, token) = store
        .create_token("old", Some(&bob.id), rec("token.create"))
        .await
        .expect("token");
    let revoked = store
        .set_password(&bob.id, "a brand new password", rec("password.change"))
        .await
        .expect("password");
    assert_eq!(revoked, 1);
    assert_eq!(store.verify_token(&token).await.expect("verify"), None);
    let events = store.audit_events(since, 100).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        [
            "review.request-review",
            "review.changes",
            "review.comment",
            "review.resolve",
            "space.policy",
            "status.change",
            "token.create",
            "password.change",
        ]
    );
    assert_eq!(events[2].detail["comment"], comment);
    assert_eq!(events[7].detail["tokens_revoked"], 1);
}

fn search_doc_id(p: &Publish<'_>) -> String {
    format!("{}:{}", p.space, p.path)
}

#[tokio::test]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("hub.db").display());
    let store = Store::open(&url, None).await.expect("open sqlite");
    story(&store).await;
    store.close().await;
    // Reopening runs migrations again without harm and finds the data (the two
    // examples and the public note).
    let store = Store::open(&url, None).await.expect("reopen");
    assert_eq!(
        store
            .documents(&DocFilter::default(), &all())
            .await
            .expect("list")
            .len(),
        3
    );
    assert!(store.integrity_check().await.expect("integrity").is_empty());
}

#[tokio::test]
async fn story_on_postgres() {
    let Some(url) = designdoc_testkit::require_postgres() else {
        return;
    };
    let schema = format!("story_{}", std::process::id());
    let store = Store::open(&url, Some(&schema)).await.expect("open postgres");
    story(&store).await;
    store.close().await;
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&url).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .expect("drop schema");
}
