//! One story, two databases: publish, list, read, search, publish again (idempotent), a
//! new revision, the diff between revisions, the registers, filters, tokens, racing
//! publishers and the integrity check. Always on a real SQLite
//! file; on PostgreSQL when DESIGNDOC_TEST_POSTGRES_URL is set (CI sets it).

use designdoc_check::{Checker, Diagnostic};
use designdoc_store::{DiffLine, DocFilter, Publish, Store, diff_lines};
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
        let findings: &'static [Diagnostic] = Box::leak(checker.check(content).diagnostics.into_boxed_slice());
        Publish {
            space: "platform",
            path,
            content: Box::leak(content.to_string().into_boxed_str()),
            by: "ci",
            findings,
            html: "<p>rendered</p>",
            aside: "<nav>toc</nav>",
            renderer: "test",
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

    let all = store.documents(&DocFilter::default()).await.expect("list");
    assert_eq!(all.len(), 2);
    let approved = store
        .documents(&DocFilter {
            status: Some("approved".into()),
            ..DocFilter::default()
        })
        .await
        .expect("filter");
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0].title, "API rate limiter");
    assert_eq!(
        approved[0].authors,
        vec!["Ana Lima".to_string(), "Ben Okafor".to_string()]
    );
    assert_eq!(approved[0].doc_key, "0001");

    let doc = store.document(&a.document_id).await.expect("read").expect("exists");
    assert_eq!(doc.current_revision, 1);
    let rev = store
        .revision(&a.document_id, 1)
        .await
        .expect("read rev")
        .expect("rev 1");
    assert_eq!(rev.content, limiter);
    assert_eq!((rev.html.as_str(), rev.renderer.as_str()), ("<p>rendered</p>", "test"));
    store
        .set_html(&a.document_id, 1, "<p>again</p>", "<nav>again</nav>", "test2")
        .await
        .expect("set html");
    let (doc_row, rev) = store.current(&a.document_id).await.expect("current").expect("exists");
    assert_eq!(
        (rev.html.as_str(), rev.aside.as_str()),
        ("<p>again</p>", "<nav>again</nav>")
    );
    assert_eq!((doc_row.id, rev.number), (a.document_id.clone(), 1));
    assert_eq!(store.current("platform:nope.md").await.expect("current"), None);
    assert_eq!(
        store.latest_hash(&a.document_id).await.expect("hash"),
        Some(designdoc_store::content_hash(&limiter))
    );

    // Search: titles and content.
    let hits = store
        .search("token bucket", &DocFilter::default())
        .await
        .expect("search");
    assert_eq!(
        hits.first().map(|d| d.id.as_str()),
        Some(a.document_id.as_str()),
        "{hits:?}"
    );
    let hits = store.search("indexer", &DocFilter::default()).await.expect("search");
    assert!(hits.iter().any(|d| d.id == b.document_id), "{hits:?}");
    assert!(
        store
            .search("\"unbalanced OR (", &DocFilter::default())
            .await
            .expect("odd query")
            .len()
            <= 2
    );
    assert!(
        store
            .search("zzzznotaword", &DocFilter::default())
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
    let doc = store.document(&a.document_id).await.expect("read").expect("exists");
    assert_eq!(
        (doc.current_revision, doc.status.as_str(), doc.title.as_str()),
        (2, "review", "API rate limiter v2")
    );
    let old = store.revision(&a.document_id, 1).await.expect("rev").expect("rev 1");
    let new = store.revision(&a.document_id, 2).await.expect("rev").expect("rev 2");
    let d = diff_lines(&old.content, &new.content);
    assert!(d.contains(&DiffLine::Removed("status: approved".into())));
    assert!(d.contains(&DiffLine::Added("status: review".into())));
    assert_eq!(d.iter().filter(|l| !matches!(l, DiffLine::Same(_))).count(), 4);

    // The risk register reads the current revision of every doc.
    let risks = store.risks().await.expect("risks");
    assert!(risks.len() >= 5, "{risks:?}");
    assert_eq!(risks[0].impact, "High");

    more(store, &a.document_id, &publish("0002-search-service.md", &search)).await;
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
        ids(store.documents(&by(Some("ana lima"), None)).await.expect("author")),
        [limiter_id]
    );
    assert_eq!(
        ids(store.documents(&by(None, Some("SEARCH"))).await.expect("tag")),
        [search_doc_id(search_doc)]
    );
    assert!(
        store
            .documents(&by(Some("ana"), None))
            .await
            .expect("partial")
            .is_empty(),
        "authors match whole"
    );
    assert!(
        store
            .documents(&by(Some("Ana Lima"), Some("search")))
            .await
            .expect("both")
            .is_empty()
    );
    assert_eq!(store.count_documents(&by(None, Some("api"))).await.expect("count"), 1);
    let page = DocFilter {
        limit: Some(1),
        offset: Some(1),
        ..DocFilter::default()
    };
    assert_eq!(store.documents(&page).await.expect("page").len(), 1);
    // Search honours filters too.
    let hits = store
        .search("limiter search", &by(None, Some("search")))
        .await
        .expect("filtered search");
    assert!(hits.iter().all(|d| d.tags.contains(&"search".to_string())), "{hits:?}");

    let spaces = store.spaces().await.expect("spaces");
    assert_eq!(
        spaces
            .iter()
            .map(|s| (s.name.as_str(), s.documents))
            .collect::<Vec<_>>(),
        [("platform", 2)]
    );
    let history = store.revisions(limiter_id).await.expect("history");
    assert_eq!(history.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(history[0].published_by, "ci");

    let components = store.components().await.expect("components");
    assert!(
        components.iter().any(|c| c.name == "Limiter" && !c.purpose.is_empty()),
        "{components:?}"
    );
    let entities = store.entities().await.expect("entities");
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
    let (info, secret) = store.create_token("ci").await.expect("token");
    assert!(secret.starts_with("ddt_") && secret.len() > 60);
    assert_eq!(
        store.verify_token(&secret).await.expect("verify").map(|t| t.name),
        Some("ci".to_string())
    );
    assert_eq!(store.verify_token("ddt_wrong").await.expect("verify"), None);
    assert!(store.revoke_token(&info.id).await.expect("revoke"));
    assert_eq!(store.verify_token(&secret).await.expect("verify"), None);
    assert!(!store.revoke_token(&info.id).await.expect("revoke twice"));
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
    // Reopening runs migrations again without harm and finds the data.
    let store = Store::open(&url, None).await.expect("reopen");
    assert_eq!(store.documents(&DocFilter::default()).await.expect("list").len(), 2);
}

#[tokio::test]
async fn story_on_postgres() {
    let Ok(url) = std::env::var("DESIGNDOC_TEST_POSTGRES_URL") else {
        eprintln!("DESIGNDOC_TEST_POSTGRES_URL is not set: skipping the PostgreSQL story (CI sets it)");
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
