//! The shipped suite (`scenarios/`) under `cargo test`: one test per scenario file.

fn main() {
    hybridsim_scenario::harness::main(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios"));
}
