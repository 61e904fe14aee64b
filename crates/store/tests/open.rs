//! Opening a store: the SQLite and PostgreSQL migrations leave the same tables with the
//! same columns (so a query written once works on both), and no error `Store::open`
//! returns shows the database password.

use designdoc_store::Store;
use std::collections::{BTreeMap, BTreeSet};

type Schema = BTreeMap<String, BTreeSet<String>>;

/// Tables only SQLite has, and why.
const SQLITE_ONLY_TABLES: [&str; 8] = [
    // AUTOINCREMENT's counters.
    "sqlite_sequence",
    // The FTS5 search index and its shadow tables; PostgreSQL searches a column of
    // `documents` instead.
    "doc_search",
    "doc_search_config",
    "doc_search_content",
    "doc_search_data",
    "doc_search_docsize",
    "doc_search_idx",
    // Stable FTS5 row keys per document (migration 0004).
    "search_keys",
];

/// Columns only PostgreSQL has, and why.
const POSTGRES_ONLY_COLUMNS: [(&str, &str); 1] = [
    // The tsvector PostgreSQL's full-text search reads (SQLite's is `doc_search`).
    ("documents", "search"),
];

/// The tables and columns `sql` lists (as table, column rows; `$1` is `bind`).
async fn read_schema(url: &str, sql: &'static str, bind: &str) -> Schema {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    let rows: Vec<(String, String)> = sqlx::query_as(sql).bind(bind).fetch_all(&pool).await.expect("columns");
    pool.close().await;
    let mut schema = Schema::new();
    for (table, column) in rows {
        schema.entry(table).or_default().insert(column);
    }
    schema
}

async fn sqlite_schema(dir: &std::path::Path) -> Schema {
    let url = format!("sqlite://{}", dir.join("hub.db").display());
    Store::open(&url, None).await.expect("open sqlite").close().await;
    read_schema(
        &url,
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = $1",
        "table",
    )
    .await
}

async fn postgres_schema(url: &str) -> Schema {
    let name = format!("schema_check_{}", std::process::id());
    let store = Store::open(url, Some(&name)).await.expect("open postgres");
    store.close().await;
    // Casts: information_schema's own types have no `Any` decoding.
    let schema = read_schema(
        url,
        "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = $1",
        &name,
    )
    .await;
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(url).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {name} CASCADE")))
        .execute(&admin)
        .await
        .expect("drop schema");
    admin.close().await;
    schema
}

#[tokio::test]
async fn sqlite_and_postgres_schemas_agree() {
    let Some(url) = designdoc_testkit::require_postgres() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sqlite = sqlite_schema(dir.path()).await;
    let mut postgres = postgres_schema(&url).await;
    // Every known difference must still be one: an entry that no longer applies would
    // hide a future real difference, so it has to go.
    for table in SQLITE_ONLY_TABLES {
        assert!(sqlite.remove(table).is_some(), "SQLite has no table `{table}`");
        assert!(!postgres.contains_key(table), "PostgreSQL has `{table}` too");
    }
    for (table, column) in POSTGRES_ONLY_COLUMNS {
        let on_postgres = postgres.get_mut(table).is_some_and(|c| c.remove(column));
        assert!(on_postgres, "PostgreSQL has no `{table}.{column}`");
        assert!(
            !sqlite.get(table).is_some_and(|c| c.contains(column)),
            "SQLite has `{table}.{column}` too"
        );
    }
    assert!(sqlite.contains_key("documents") && sqlite.contains_key("_sqlx_migrations"));
    let tables = |s: &Schema| s.keys().cloned().collect::<Vec<_>>();
    assert_eq!(tables(&sqlite), tables(&postgres), "tables differ");
    for (table, columns) in &sqlite {
        assert_eq!(Some(columns), postgres.get(table), "columns of `{table}` differ");
    }
}

async fn open_error(url: &str, schema: Option<&str>) -> String {
    match Store::open(url, schema).await {
        Ok(_) => panic!("opened {url}"),
        Err(e) => format!("{e} {e:?}"),
    }
}

#[tokio::test]
async fn open_errors_never_show_the_password() {
    // Nothing listens on port 1: the connection is refused, by the pool (which retries
    // until its acquire timeout, 30 s) or, with a schema, by the connection that creates it.
    for schema in [None, Some("never_made")] {
        let shown = open_error("postgres://user:s3cretpw@127.0.0.1:1/db", schema).await;
        assert!(!shown.contains("s3cretpw"), "{shown}");
    }
    let shown = open_error("mysql://user:s3cretpw@127.0.0.1:1/db", None).await;
    assert!(shown.contains("unsupported database URL"), "{shown}");
    assert!(!shown.contains("s3cretpw"), "{shown}");
    // Options that do not parse are echoed by the driver with the whole URL.
    let shown = open_error("postgres://user:s3cretpw@127.0.0.1:1/db?sslmode=sometimes", None).await;
    assert!(!shown.contains("s3cretpw"), "{shown}");
}
