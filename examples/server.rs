//! An Iceberg-style REST catalog service (axum on tokio) answering from
//! pooled builders and pooled buffers, with its pools' metrics.
//!
//! `cargo run --release --example server -- --port 8181`, then
//!
//! ```text
//! curl http://127.0.0.1:8181/v1/namespaces/analytics/tables/orders
//! curl http://127.0.0.1:8181/metrics
//! ```
//!
//! Tables: `analytics.{orders,customers,line_items,page_views}`,
//! `sales.{invoices,refunds,quotes,accounts}`,
//! `ops.{deployments,incidents,alerts,audit_log}`.

#[path = "catalog_model/mod.rs"]
mod catalog_model;
#[path = "server_app/mod.rs"]
mod server_app;

use std::sync::Arc;

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
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let state = Arc::new(server_app::AppState::new(args.columns)?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    let address = listener.local_addr()?;
    println!("listening on http://{address}");
    println!("  curl http://{address}/v1/namespaces/analytics/tables/orders");
    println!("  curl http://{address}/metrics");
    server_app::serve(listener, state).await?;
    Ok(())
}
