//! Everything that differs between SQLite and PostgreSQL, in one place: connecting
//! (URL options, pragmas, schemas), migrations, the write lock a publish takes, the
//! full-text index (FTS5 versus a `tsvector` column), the search query, and the engine's
//! own integrity checks. The rest of the store writes portable SQL and asks the dialect
//! for the rest, so a difference is never handled in one place and forgotten in another.

use crate::{Backend, Result, StoreError, redact};
use sqlx::migrate::Migrator;
// Dynamic SQL here is built only from our own constants and validated schema names;
// every user value is a bound parameter.
use sqlx::{Any, AnyConnection, AnyPool, AssertSqlSafe, Connection, Transaction};

/// The backend-specific half of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dialect(Backend);

impl Dialect {
    /// The dialect a database URL speaks, or why it is not supported (without the password).
    pub(crate) fn for_url(url: &str) -> Result<Dialect> {
        if url.starts_with("sqlite:") {
            Ok(Dialect(Backend::Sqlite))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Dialect(Backend::Postgres))
        } else {
            Err(StoreError::Invalid(format!(
                "unsupported database URL `{}` (use sqlite://PATH or postgres://...)",
                redact(url)
            )))
        }
    }

    pub(crate) fn backend(self) -> Backend {
        self.0
    }

    /// The URL to connect with: a SQLite file is created when missing.
    pub(crate) fn connect_url(self, url: &str) -> String {
        match self.0 {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        }
    }

    /// SQLite has one writer at a time, so a few connections are enough for readers.
    pub(crate) fn max_connections(self) -> u32 {
        match self.0 {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        }
    }

    /// The schema the tables live in, checked and created (PostgreSQL); SQLite has none,
    /// so a schema asked for there is ignored, as it always was.
    pub(crate) async fn prepare_schema(self, url: &str, schema: Option<&str>) -> Result<Option<String>> {
        let (Backend::Postgres, Some(s)) = (self.0, schema) else {
            return Ok(None);
        };
        if !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Invalid(format!(
                "schema name `{s}` must be letters, digits and `_`"
            )));
        }
        let mut admin = AnyConnection::connect(url).await?;
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {s}")))
            .execute(&mut admin)
            .await?;
        admin.close().await?;
        Ok(Some(s.to_string()))
    }

    /// Per-connection settings: SQLite's pragmas are per connection, and PostgreSQL's
    /// search path points every connection at the store's schema.
    pub(crate) async fn on_connect(self, conn: &mut AnyConnection, schema: Option<&str>) -> sqlx::Result<()> {
        match self.0 {
            Backend::Sqlite => {
                sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await?;
            }
            Backend::Postgres => {
                if let Some(s) = schema {
                    sqlx::query(AssertSqlSafe(format!("SET search_path TO {s}")))
                        .execute(&mut *conn)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Settings of the database itself, once the pool is up.
    pub(crate) async fn on_open(self, pool: &AnyPool) -> Result<()> {
        if self.0 == Backend::Sqlite {
            // Persistent for the database file: readers never block the writer.
            sqlx::query("PRAGMA journal_mode = WAL").execute(pool).await?;
        }
        Ok(())
    }

    pub(crate) fn migrator(self) -> Migrator {
        match self.0 {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        }
    }

    /// SQL that is true when `space_expr` is not hidden by the visibility bound at `$n`
    /// (see `Visibility::param`).
    pub(crate) fn visible_sql(self, n: usize, space_expr: &str) -> String {
        let find = match self.0 {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        };
        // Nothing hidden (admins, hubs without private spaces) short-circuits before the
        // space is even read: in a full-text search that read is a lookup per match.
        format!("(${n} = '|' OR {find}(${n}, '|' || {space_expr} || '|') = 0)")
    }

    /// SQL that is true when the text of `haystack` (an SQL expression) contains
    /// parameter `$n`.
    pub(crate) fn contains_sql(self, haystack: &str, n: usize) -> String {
        let find = match self.0 {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        };
        format!("{find}({haystack}, ${n}) > 0")
    }

    /// What a subquery choosing rows to claim ends with: on PostgreSQL, rows another
    /// transaction is claiming are skipped rather than waited for (SQLite has one writer
    /// at a time, so its claims never overlap).
    pub(crate) fn skip_locked_sql(self) -> &'static str {
        match self.0 {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// Starts a transaction that will write.
    pub(crate) async fn begin_write(self, pool: &AnyPool) -> Result<Transaction<'static, Any>> {
        match self.0 {
            // Take the write lock up front, so two writers never both read and then fight
            // over upgrading (which fails mid-transaction instead of waiting).
            Backend::Sqlite => Ok(pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => Ok(pool.begin().await?),
        }
    }

    /// Starts the transaction that publishes document `id`, holding what keeps two
    /// publishers of it from racing for the next revision number.
    pub(crate) async fn begin_publish(self, pool: &AnyPool, id: &str) -> Result<Transaction<'static, Any>> {
        let mut tx = self.begin_write(pool).await?;
        match self.0 {
            Backend::Sqlite => Ok(tx),
            Backend::Postgres => {
                // Publishers of the same document (several instances, parallel CI jobs)
                // queue on a lock for that document instead of racing for the next
                // revision number and failing on the unique key.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::text AS locked")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// Replaces the search entry of document `id` (title weighted above body).
    pub(crate) async fn index_search(
        self,
        tx: &mut Transaction<'static, Any>,
        id: &str,
        title: &str,
        body: &str,
    ) -> Result<()> {
        match self.0 {
            Backend::Sqlite => {
                // The FTS5 row has a stable integer key per document (migration 0004), so
                // replacing it is a rowid lookup instead of a scan by doc_id.
                let key: i64 = sqlx::query_scalar(
                    "INSERT INTO search_keys (doc_id) VALUES ($1) ON CONFLICT (doc_id) DO UPDATE SET doc_id = excluded.doc_id RETURNING key",
                )
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
                sqlx::query("DELETE FROM doc_search WHERE rowid = $1")
                    .bind(key)
                    .execute(&mut **tx)
                    .await?;
                sqlx::query("INSERT INTO doc_search (rowid, doc_id, title, body) VALUES ($1, $2, $3, $4)")
                    .bind(key)
                    .bind(id)
                    .bind(title)
                    .bind(body)
                    .execute(&mut **tx)
                    .await?;
            }
            Backend::Postgres => {
                sqlx::query("UPDATE documents SET search = setweight(to_tsvector('simple', $2), 'A') || to_tsvector('simple', $3) WHERE id = $1")
                    .bind(id)
                    .bind(title)
                    .bind(body)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// The full-text search statement and its query text (`$1`) for lower-cased `terms`.
    /// Parameters: `$1` the query, `$2..$6` the filter and visibility (`filter`, bound by
    /// the caller), `$7` the page size, `$8` how many matches to rank, `$9` the window of
    /// newest matches ranking is limited to.
    pub(crate) fn search(self, columns: &str, filter: &str, terms: &[String]) -> (String, String) {
        match self.0 {
            Backend::Sqlite => (
                // Quoted terms: user text never becomes FTS5 query syntax. `rank` is bm25
                // with the title weighted 5x (migrations 0003 and 0004); rowids are search
                // keys in publish order.
                format!(
                    "SELECT {columns} FROM (SELECT doc_id, rank FROM doc_search WHERE doc_search MATCH $1 AND {vis}
                       AND rowid >= COALESCE((SELECT MIN(rowid) FROM (SELECT rowid FROM doc_search WHERE doc_search MATCH $1 AND {vis} ORDER BY rowid DESC LIMIT $9)), 0)
                       ORDER BY rank LIMIT $8) s
                     JOIN documents d ON d.id = s.doc_id WHERE {filter} ORDER BY s.rank, d.id LIMIT $7",
                    // Hidden spaces are dropped before ranking and windowing, so they
                    // neither show nor crowd out (or reveal themselves by crowding out)
                    // visible matches.
                    vis = self.visible_sql(6, "substr(doc_id, 1, instr(doc_id, ':') - 1)"),
                ),
                terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" "),
            ),
            Backend::Postgres => (
                // The window here is the most recently updated matches.
                format!(
                    "SELECT {columns} FROM (SELECT id, ts_rank(search, plainto_tsquery('simple', $1)) AS score FROM (
                         SELECT id, search FROM documents WHERE search @@ plainto_tsquery('simple', $1) AND {vis}
                         ORDER BY updated_at DESC, id LIMIT $9) w
                       ORDER BY score DESC, id LIMIT $8) s
                     JOIN documents d ON d.id = s.id WHERE {filter} ORDER BY s.score DESC, d.id LIMIT $7",
                    vis = self.visible_sql(6, "space"),
                ),
                terms.join(" "),
            ),
        }
    }

    /// What the engine itself finds wrong with the database (SQLite's integrity and
    /// foreign-key checks; PostgreSQL checks itself and enforces foreign keys always).
    pub(crate) async fn engine_problems(self, url: &str) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        if self.0 == Backend::Sqlite {
            // On its own connection: SQLite 3.51's FTS5 check reports a checksum mismatch
            // on the connection that just rewrote an FTS row, while every other connection
            // (and the sqlite3 shell) finds the same file intact.
            let mut conn = AnyConnection::connect(url).await?;
            let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_all(&mut conn)
                .await?;
            problems.extend(lines.into_iter().filter(|l| l != "ok"));
            let tables: Vec<String> = sqlx::query_scalar("PRAGMA foreign_key_check")
                .fetch_all(&mut conn)
                .await?;
            problems.extend(tables.iter().map(|t| format!("foreign key violation in {t}")));
            conn.close().await?;
        }
        Ok(problems)
    }
}
