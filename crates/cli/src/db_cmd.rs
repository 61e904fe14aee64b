//! `designdoc token` and `designdoc db`: hub administration from the command line, straight
//! against the database (no running hub needed).

use crate::serve::DbArgs;
use crate::{CommonArgs, Outcome, settings};
use anyhow::{Context, Result, bail};

#[derive(clap::Args, Debug)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: TokenAction,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum TokenAction {
    /// Create an API token and print it (it is shown only this once).
    Create {
        /// What the token is for, e.g. `ci-payments-repo`; recorded as the publisher.
        #[arg(long)]
        name: String,
    },
    /// List tokens (ids and names, never the secrets).
    List,
    /// Revoke a token by id; it stops working at once on every hub instance.
    Revoke { id: String },
}

#[derive(clap::Args, Debug)]
pub struct DbArgsCmd {
    #[command(subcommand)]
    pub action: DbAction,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum DbAction {
    /// Run the migrations, then check the database (SQLite integrity and foreign keys,
    /// and that every document's revisions are complete). Exit 1 on problems.
    Check,
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")
}

pub fn token(args: TokenArgs) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    runtime()?.block_on(async {
        let store = args.db.open(&settings).await?;
        match &args.action {
            TokenAction::Create { name } => {
                let (info, secret) = store.create_token(name).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                eprintln!("created token {} ({}); it is not shown again:", info.id, info.name);
                println!("{secret}");
            }
            TokenAction::List => {
                for t in store.tokens().await.map_err(|e| anyhow::anyhow!("{e}"))? {
                    let state = if t.revoked_at.is_some() { "revoked" } else { "live" };
                    println!("{}\t{}\t{state}", t.id, t.name);
                }
            }
            TokenAction::Revoke { id } => {
                if !store.revoke_token(id).await.map_err(|e| anyhow::anyhow!("{e}"))? {
                    bail!("no live token with id `{id}` (see `designdoc token list`)");
                }
                eprintln!("revoked token {id}");
            }
        }
        store.close().await;
        Ok(Outcome::Clean)
    })
}

pub fn db(args: DbArgsCmd) -> Result<Outcome> {
    let settings = settings::load(&args.common)?;
    runtime()?.block_on(async {
        let store = args.db.open(&settings).await?;
        let DbAction::Check = args.action;
        let problems = store.integrity_check().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        store.close().await;
        if problems.is_empty() {
            println!("ok");
            Ok(Outcome::Clean)
        } else {
            for p in &problems {
                println!("{p}");
            }
            Ok(Outcome::Findings)
        }
    })
}
