//! Write the demo organization as a CloudMapper account-data tree:
//! `cargo run --example demo_tree -- DIR`.
fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "account-data".to_string());
    let graph = skyhound::source::demo::graph();
    skyhound::source::collect::account_data::write_tree(&graph, std::path::Path::new(&dir))
}
