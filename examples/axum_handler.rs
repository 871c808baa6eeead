//! An axum 0.8 handler that takes and returns `PooledJson<T>`: the request is
//! decoded in place into an object of its pool, the answer is built in a
//! pooled object and encoded into a pooled buffer. Both go back to their
//! pools when the response has been written.
//!
//! `cargo run --release --example axum_handler --features axum [-- --port 3000]`, then
//!
//! ```text
//! curl -X POST http://127.0.0.1:3000/v1/orders -H 'content-type: application/json' \
//!      -d '{"customer": "ada", "items": [{"sku": "tea", "quantity": 2}]}'
//! ```

use axum::routing::post;
use axum::Router;
use poolable::axum::PooledJson;
use poolable::{Poolable, RecycleVec, Reset};
use serde::{Deserialize, Serialize};

#[derive(Poolable, Default, Deserialize)]
struct OrderRequest {
    customer: String,
    items: RecycleVec<Item>,
}

// `Reset`, not `Poolable`: items live inside a pooled order, and a
// `RecycleVec` keeps them, strings allocated, for the next request.
#[derive(Reset, Default, Deserialize, Serialize)]
struct Item {
    sku: String,
    quantity: u32,
}

#[derive(Poolable, Default, Serialize)]
struct OrderResponse {
    order_id: u64,
    customer: String,
    items: RecycleVec<Item>,
    total_quantity: u32,
}

async fn create_order(PooledJson(request): PooledJson<OrderRequest>) -> PooledJson<OrderResponse> {
    let mut answer = OrderResponse::pooled();
    answer.order_id = 42;
    answer.customer.push_str(&request.customer);
    for item in request.items.iter() {
        let kept = answer.items.add();
        kept.sku.push_str(&item.sku);
        kept.quantity = item.quantity;
        answer.total_quantity += item.quantity;
    }
    PooledJson(answer)
}

fn port() -> u16 {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (Some("--port"), Some(port)) => port.parse().expect("--port takes a number"),
        _ => 3000,
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = Router::new().route("/v1/orders", post(create_order));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port())).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
