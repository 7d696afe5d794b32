//! Every input the fuzzers found a crash with, and a seed per target, run through the fuzz
//! targets' own code (`fuzz/harness.rs`): each must return, whatever it is. The fuzzers
//! themselves run outside CI (`fuzz/run.sh`); their findings are kept in
//! `tests/fuzz/<target>/`.

#[allow(dead_code)]
#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

#[test]
fn every_saved_fuzz_input_is_read_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut ran = 0;
    for (name, target) in harness::TARGETS {
        let dir = root.join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            panic!(
                "no saved inputs for the fuzz target `{name}` in {}",
                dir.display()
            );
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name}: {} panics", path.display());
            ran += 1;
        }
    }
    assert!(ran >= harness::TARGETS.len(), "ran {ran} saved inputs");
}
