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
//! The limits it holds clients to (timeouts, connection cap, body and
//! header sizes) are flags; `service::Limits` documents what a client
//! that exceeds one gets.
//!
//! Tables: `analytics.{orders,customers,line_items,page_views}`,
//! `sales.{invoices,refunds,quotes,accounts}`,
//! `ops.{deployments,incidents,alerts,audit_log}`.

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
    let state = Arc::new(service::AppState::with_limits(args.columns, limits)?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let address = listener.local_addr()?;
    println!("listening on http://{address}");
    println!("  curl http://{address}/v1/namespaces/analytics/tables/orders");
    println!("  curl -X POST http://{address}/v1/namespaces/analytics/tables/orders -H 'content-type: application/json' -d '{{\"requirements\": [], \"updates\": [{{\"action\": \"set-properties\", \"updates\": {{\"owner\": \"payments\"}}}}]}}'");
    println!("  curl http://{address}/metrics");
    println!("  curl http://{address}/debug/pools");
    service::serve(listener, state).await?;
    Ok(())
}
