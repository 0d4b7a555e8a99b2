//! Links gazette's binaries as position-dependent executables on Linux
//! (`-no-pie`): a one-shot `gazette query` otherwise spends a sixth of its
//! time in the dynamic loader applying ~59,000 relative relocations to a
//! 130 MB executable before `main` (measured in docs/RELEVANCE.md,
//! "One-shot queries: the loader and the exit"). The libraries, heap,
//! stack and memory maps are still placed at random; only the executable
//! image is not. `GAZETTE_PIE=1` at build time keeps the default
//! (position-independent) link, for packagers whose policy requires it.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GAZETTE_PIE");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let pie = std::env::var_os("GAZETTE_PIE").is_some_and(|v| !v.is_empty() && v != "0");
    if linux && !pie {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
