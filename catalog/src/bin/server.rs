//! An Iceberg-style REST catalog service (axum on tokio) answering from
//! pooled builders and pooled buffers, with its pools' metrics.
//!
//! `cargo run --release --bin server -- --port 8181` (from the repository root
//! or `catalog/`), then
//!
//! ```text
//! curl http://127.0.0.1:8181/v1/namespaces/analytics/tables/orders
//! curl -X POST http://127.0.0.1:8181/v1/namespaces/analytics/tables/orders \
//!      -H 'content-type: application/json' -d '{"requirements": [{"type": "assert-current-schema-id", "current-schema-id": 2}],
//!           "updates": [{"action": "set-properties", "updates": {"owner": "payments"}}]}'
//! curl http://127.0.0.1:8181/metrics
//! ```
//!
//! The catalog is kept in SQLite in `--data-dir` (default `catalog-data`
//! in the working directory), with the warehouse (`--warehouse`, default
//! `file://<data-dir>/warehouse`) where tables created without a location
//! go, and every metadata file written there; `--database-url
//! postgres://...` keeps it in PostgreSQL instead, so that several servers
//! serve one catalog; `--in-memory` keeps it in memory only (as the
//! `catalog` run and the allocator matrix do).
//!
//! The limits it holds clients to (timeouts, connection cap, body and
//! header sizes) are flags; `service::Limits` documents what a client
//! that exceeds one gets.
//!
//! Tables: `analytics.{orders,customers,line_items,page_views}`,
//! `sales.{invoices,refunds,quotes,accounts}`,
//! `ops.{deployments,incidents,alerts,audit_log}`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use catalog::service;
use clap::Parser;

/// An Iceberg REST catalog answering `LoadTable` from pooled builders.
#[derive(Parser, Debug)]
#[command(name = "server")]
struct Args {
    /// Port to listen on, on 127.0.0.1 (0: any free port, printed at start).
    #[arg(long, default_value_t = 8181)]
    port: u16,
    /// Columns in an average table schema.
    #[arg(long, default_value_t = 60)]
    columns: u32,
    /// Seconds a client has to send a request's headers (also the idle
    /// keep-alive timeout).
    #[arg(long, default_value_t = 10)]
    header_timeout_secs: u64,
    /// Seconds a client has to send a request's body (then 408).
    #[arg(long, default_value_t = 10)]
    body_timeout_secs: u64,
    /// Largest request line and headers, in bytes (then 431; at least 8192).
    #[arg(long, default_value_t = 16 * 1024)]
    max_header_bytes: usize,
    /// Largest commit body, in bytes (then 413).
    #[arg(long, default_value_t = 1024 * 1024)]
    max_body_bytes: usize,
    /// Connections served at once (one more is answered 503).
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Where the embedded store (SQLite, `catalog.db`) is kept and, unless
    /// `--warehouse` says otherwise, the warehouse.
    #[arg(long, default_value = "catalog-data")]
    data_dir: PathBuf,
    /// Where tables created without a location go: `<warehouse>/<namespace
    /// levels>/<table>` (default `file://<data-dir>/warehouse`, absolute).
    #[arg(long)]
    warehouse: Option<String>,
    /// Keep the catalog in PostgreSQL (`postgres://user@host:port/database`)
    /// instead of SQLite in the data directory: several servers on one
    /// database serve one catalog.
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the catalog in memory only: the seeded tables, lost at exit,
    /// nothing written (as the `catalog` run and the allocator matrix).
    #[arg(long, conflicts_with_all = ["database_url", "warehouse"])]
    in_memory: bool,
    /// Record where each guard is taken, served at `/debug/pools` (as
    /// `POOLABLE_TRACK=1`; costs a lock per take and return while on).
    #[arg(long)]
    track: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    if args.max_header_bytes < 8192 || args.max_connections == 0 || args.header_timeout_secs == 0 {
        return Err("--max-header-bytes must be at least 8192, --max-connections and --header-timeout-secs at least 1".into());
    }
    let limits = service::Limits {
        header_read_timeout: Duration::from_secs(args.header_timeout_secs),
        body_read_timeout: Duration::from_secs(args.body_timeout_secs.max(1)),
        max_header_bytes: args.max_header_bytes,
        max_body_bytes: args.max_body_bytes,
        max_connections: args.max_connections,
    };
    if args.track {
        poolable::diagnostics::track(true);
    }
    let mut stored = None;
    let state = if args.in_memory {
        service::AppState::with_limits(args.columns, limits)?
    } else {
        std::fs::create_dir_all(&args.data_dir)?;
        let data_dir = std::fs::canonicalize(&args.data_dir)?;
        let data_dir = data_dir.to_str().ok_or("--data-dir must be a UTF-8 path")?;
        let warehouse = match args.warehouse {
            Some(warehouse) => warehouse,
            None => format!("file://{data_dir}/warehouse"),
        };
        if warehouse.starts_with("file:") && catalog::files::local_path(&warehouse).is_none() {
            return Err(format!(
                "--warehouse {warehouse}: a file: warehouse must be an absolute path (file:///...)"
            )
            .into());
        }
        let database_url = match args.database_url {
            Some(url) => url,
            None => format!("sqlite://{data_dir}/catalog.db?mode=rwc"),
        };
        let state = service::AppState::with_store(args.columns, limits, &database_url, &warehouse)
            .await
            .map_err(|e| format!("cannot open the catalog's store: {e}"))?;
        // The URL without its user and password.
        stored =
            Some(format!("{}; warehouse {warehouse}", database_url.split('@').next_back().unwrap_or("")));
        state
    };
    let state = Arc::new(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let address = listener.local_addr()?;
    println!("listening on http://{address}");
    println!("  curl http://{address}/v1/namespaces/analytics/tables/orders");
    println!("  curl -X POST http://{address}/v1/namespaces/analytics/tables/orders -H 'content-type: application/json' -d '{{\"requirements\": [], \"updates\": [{{\"action\": \"set-properties\", \"updates\": {{\"owner\": \"payments\"}}}}]}}'");
    println!("  curl http://{address}/metrics");
    println!("  curl http://{address}/debug/pools");
    match stored {
        Some(stored) => println!("store: {stored}"),
        None => println!("store: none (in memory)"),
    }
    service::serve(listener, state).await?;
    Ok(())
}
