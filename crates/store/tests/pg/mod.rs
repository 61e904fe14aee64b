//! PostgreSQL for the store's tests: a schema of its own on the server at
//! DESIGNDOC_TEST_POSTGRES_URL, dropped after; skipped with testkit's one line when it is unset.

use designdoc_store::Store;

/// Runs `test` on a store in the schema `NAME_PID`, then drops the schema.
pub async fn with_schema<F: AsyncFnOnce(&Store)>(name: &str, test: F) {
    let Some(url) = designdoc_testkit::require_postgres() else {
        return;
    };
    let schema = format!("{name}_{}", std::process::id());
    let store = Store::open(&url, Some(&schema)).await.expect("open postgres");
    test(&store).await;
    store.close().await;
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&url).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&admin)
        .await
        .expect("drop schema");
}
