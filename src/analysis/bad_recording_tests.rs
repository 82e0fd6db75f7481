//! The analysis of recordings whose header claims more than they hold
//! (issue 12): it measures the audio that is there and stops, instead of
//! holding memory for every chunk of the claimed length.

use super::chunks::{WARMUP_FRAMES, measure_chunks};
use super::*;
use crate::audio::bad_header_tests::{claim_flac_frames, encode};
use crate::audio::source::CallSource;

#[test]
fn a_header_claiming_ten_minutes_of_two_seconds_measures_two_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let Some(path) = encode(dir.path(), "claims.flac", &["-c:a", "flac"]) else {
        return;
    };
    // Within what the file could hold, so it opens: the lie shows only
    // when the audio runs out.
    claim_flac_frames(&path, 48_000 * 600);
    let source = CallSource::open(&path).unwrap();
    assert_eq!(source.info().duration_ms, 600_000);
    // Chunks of 2 s (200 frames of 10 ms): the claim is 300 of them.
    let chunk_frames = WARMUP_FRAMES + 1;
    let results = measure_chunks(source, &path, ChannelLayout::Mono, chunk_frames, 2, &|_| {});
    let measured = results.iter().filter(|r| r.is_some()).count();
    assert!(
        measured <= 4,
        "{measured} of {} chunks measured for 2 s of audio",
        results.len()
    );
    let analysis = analyze_file(&path, ChannelLayout::Mono, &|_| {}).unwrap();
    assert!(
        analysis.duration_ms.abs_diff(2_000) <= 20,
        "{}",
        analysis.duration_ms
    );
}
