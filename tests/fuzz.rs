//! Fuzzing that stays: seeded, mutated inputs for every importer, every
//! recording format and the settings files, run by `cargo test` (a few
//! hundred cases) and at length on demand:
//!
//! ```sh
//! CALLQA_FUZZ_CASES=20000 cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! Each case asserts: no panic, no hang (10 s per case), no record lost
//! without a message naming its file and record, no file outside the batch
//! opened, no raw control character printed. A failure prints its case
//! number; `CALLQA_FUZZ_SEED=<seed> CALLQA_FUZZ_ONLY=<case>` runs it alone.
//! `regressions` holds one test for each class of bug found by hand.

#[path = "fuzz/harness.rs"]
mod harness;
#[path = "fuzz/importers.rs"]
mod importers;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/recordings.rs"]
mod recordings;
#[path = "fuzz/regressions.rs"]
mod regressions;
#[path = "fuzz/rng.rs"]
mod rng;
#[path = "fuzz/settings.rs"]
mod settings;

use harness::{cases, only, seed};

/// Share of `CALLQA_FUZZ_CASES` per test; the defaults sum to the cases
/// `./dev test` runs.
const IMPORT_CASES: (usize, f64) = (248, 0.7);
const RECORDING_CASES: (usize, f64) = (72, 0.2);
const SETTINGS_CASES: (usize, f64) = (40, 0.1);

#[test]
fn importers_survive_mutated_exports() {
    let (default, share) = IMPORT_CASES;
    let figures = importers::run(cases(default, share), seed(), only());
    figures.check("importers");
}

#[test]
fn recordings_survive_damaged_headers() {
    let dir = tempfile::tempdir().unwrap();
    let Some(seeds) = recordings::seeds(dir.path()) else {
        return;
    };
    let (default, share) = RECORDING_CASES;
    let figures = recordings::run(&seeds, cases(default, share), seed(), only());
    figures.check("recordings");
}

#[test]
fn settings_files_survive_damage() {
    let (default, share) = SETTINGS_CASES;
    let figures = settings::run(cases(default, share), seed(), only());
    figures.check("settings");
}
