//! `designdoc serve`: flags and environment laid over `[hub]`, then the hub library runs;
//! this module prints the address and the first admin's password.

use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result, bail};
use designdoc_hub::{HubSettings, LogFormat, TrustedProxies};
use designdoc_store::{DatabaseUrl, Store};
use std::path::PathBuf;

/// Where the hub's database is (shared by `serve`, `token`, `user` and `db`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// Database: `sqlite://PATH` (default `.designdoc/hub.db`) or `postgres://...`.
    /// (`--help` never shows the variable's value: it may hold a password.)
    #[arg(
        long,
        global = true,
        env = "DESIGNDOC_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database: Option<DatabaseUrl>,
    /// PostgreSQL schema for the hub's tables (created if missing).
    #[arg(long, global = true, env = "DESIGNDOC_DATABASE_SCHEMA", value_name = "NAME")]
    pub schema: Option<String>,
}

impl DbArgs {
    /// The database URL and schema after flags, environment and `[hub]` in designdoc.toml.
    /// With `create`, the default SQLite file's folder is created here.
    pub fn resolve(
        &self,
        settings: &designdoc_workspace::Settings,
        create: bool,
    ) -> Result<(DatabaseUrl, Option<String>)> {
        let hub = &settings.config.hub;
        let url = match self.database.clone().or_else(|| hub.database.clone().map(DatabaseUrl)) {
            Some(u) => u,
            None => {
                if create {
                    std::fs::create_dir_all(".designdoc").context("cannot create .designdoc/")?;
                }
                DatabaseUrl(designdoc_hub::DEFAULT_DATABASE.to_string())
            }
        };
        Ok((url, self.schema.clone().or_else(|| hub.schema.clone())))
    }

    /// Opens (and migrates) the store. Without `create`, a SQLite file that does not
    /// exist is an error (a command run in the wrong folder must not make an empty hub).
    pub async fn open(&self, settings: &designdoc_workspace::Settings, create: bool) -> Result<Store> {
        let (url, schema) = self.resolve(settings, create)?;
        if let Some(path) = designdoc_store::sqlite_file(&url.0).filter(|p| !create && !p.exists()) {
            bail!(
                "no hub database at {}: run this where the hub keeps its database, name it with \
                 --database sqlite://PATH (or postgres://...), or pass --create to make a new one",
                path.display()
            );
        }
        Ok(designdoc_hub::open_store(&url, schema.as_deref()).await?)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormatArg {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Folders of design docs to publish and watch, each a space named after the folder
    /// (default: `[hub] watch` in designdoc.toml).
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "DESIGNDOC_ADDR")]
    pub addr: Option<String>,
    /// Log lines as text or as JSON objects (one per line).
    #[arg(long, env = "DESIGNDOC_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormatArg>,
    /// Anonymous visitors see only the sign-in page (default: they read public spaces).
    #[arg(long, env = "DESIGNDOC_REQUIRE_LOGIN")]
    pub require_login: bool,
    /// Mark session cookies `Secure` (use when the hub is reached over https).
    #[arg(long, env = "DESIGNDOC_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// A reverse proxy (address or block like 10.0.0.0/8) whose X-Forwarded-For names the
    /// client; repeat for several (default: `[hub] trusted_proxies`, else none).
    #[arg(
        long = "trusted-proxy",
        env = "DESIGNDOC_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub trusted_proxies: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `[hub]` with the flags and environment variables laid over it.
fn resolve(args: &ServeArgs, settings: &designdoc_workspace::Settings) -> Result<HubSettings> {
    let mut hub = HubSettings::from_config(&settings.config.hub, &settings.base)?;
    if let Some(f) = args.log_format {
        hub.log_format = match f {
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Json => LogFormat::Json,
        };
    }
    let (database, schema) = args.db.resolve(settings, true)?;
    hub.database = database;
    hub.schema = schema;
    if !args.trusted_proxies.is_empty() {
        hub.proxies = TrustedProxies::parse(&args.trusted_proxies, "trusted proxy")?;
    }
    if !args.dirs.is_empty() {
        hub.dirs = args.dirs.clone();
    }
    if let Some(addr) = &args.addr {
        hub.addr = addr.clone();
    }
    hub.require_login |= args.require_login;
    hub.secure_cookies |= args.secure_cookies;
    Ok(hub)
}

pub fn run(args: ServeArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    let checker = settings::checker(&settings)?;
    let hub = resolve(&args, &settings)?;
    crate::logging::init(hub.log_format)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let database = hub.database.clone();
        let started = designdoc_hub::start(hub, settings, checker).await?;
        // The first line on stdout is the URL (tests and scripts read it).
        println!("designdoc hub at http://{}/ (database {database})", started.local_addr);
        if let Some(password) = &started.first_admin_password {
            println!(
                "created user `admin` with the one-time password {password} (it signs in once, within 24 hours, to choose your own)"
            );
        }
        started.serve().await?;
        Ok(Outcome::Clean)
    })
}
