//! One story, two databases: publish, list, read, search, publish again (idempotent), a
//! new revision, the diff between revisions, the risk register. Always on a real SQLite
//! file; on PostgreSQL when DESIGNDOC_TEST_POSTGRES_URL is set (CI sets it).

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
    let publish = |path: &'static str, content: &str| Publish {
        space: "platform",
        path,
        content: Box::leak(content.to_string().into_boxed_str()),
        by: "ci",
        findings_json: "[]",
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

    // Search: titles and content.
    let hits = store.search("token bucket", 10).await.expect("search");
    assert_eq!(
        hits.first().map(|d| d.id.as_str()),
        Some(a.document_id.as_str()),
        "{hits:?}"
    );
    let hits = store.search("indexer", 10).await.expect("search");
    assert!(hits.iter().any(|d| d.id == b.document_id), "{hits:?}");
    assert!(store.search("\"unbalanced OR (", 10).await.expect("odd query").len() <= 2);
    assert!(store.search("zzzznotaword", 10).await.expect("search").is_empty());

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
