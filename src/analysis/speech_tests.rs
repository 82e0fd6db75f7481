//! Accuracy on calls built from real human speech (Debian's
//! asterisk-core-sounds-en-wav and -ru-wav prompts), placed at known times,
//! with bleed of each side into the other, line noise and dead sides.

use super::metrics::{gaps, intersect, longest_monologue, union};
use super::test_audio::*;
use super::*;

/// A 60 s two-sided call: the rep (English prompts, -20 dBFS) and the client
/// (Russian prompts, -24 dBFS) take turns; the client talks over the end of
/// a rep turn and drops a short "hello" into the rep's long turn; 4.6 s of
/// dead air in the middle.
fn real_call() -> Call {
    let rep = |name: &str| normalize(asterisk("en", name), -20.0);
    let client = |name: &str| normalize(asterisk("ru", name), -24.0);
    let mut c = Call::new(60_000);
    c.speech(0, 1_000, &rep("vm-intro"));
    c.speech(1, 7_000, &client("conf-onlyperson"));
    c.speech(0, 10_000, &rep("queue-periodic-announce"));
    c.speech(1, 16_800, &client("vm-intro"));
    // dead air 22.4 .. 27.0
    c.speech(0, 27_000, &rep("conf-onlyperson"));
    c.speech(1, 30_500, &client("queue-periodic-announce"));
    c.speech(0, 38_500, &rep("hello-world"));
    c.speech(1, 40_200, &client("agent-pass"));
    c.speech(0, 42_500, &rep("vm-options"));
    c.speech(1, 50_000, &client("hello-world"));
    c
}

fn sides(a: &CallAnalysis) -> (&SideStats, &SideStats) {
    (a.rep.as_ref().unwrap(), a.client.as_ref().unwrap())
}

/// Check the analysis of `call` (rep left) against its truth.
fn check_against_truth(call: &Call, a: &CallAnalysis, what: &str) {
    let (rep, client) = sides(a);
    let truth_rep = total_ms(&call.truth[0]);
    let truth_client = total_ms(&call.truth[1]);
    assert!(
        rep.talk_ms.abs_diff(truth_rep) <= 1000,
        "{what}: rep talk {} ms, truth {truth_rep} ms\n{:?}\n{:?}",
        rep.talk_ms,
        rep.speech,
        call.truth[0]
    );
    assert!(
        client.talk_ms.abs_diff(truth_client) <= 1000,
        "{what}: client talk {} ms, truth {truth_client} ms\n{:?}\n{:?}",
        client.talk_ms,
        client.speech,
        call.truth[1]
    );
    let share = truth_rep as f32 / (truth_rep + truth_client) as f32;
    assert!((a.talk_share_rep.unwrap() - share).abs() < 0.03, "{what}");

    let all = union(&call.truth[0], &call.truth[1]);
    let dead = gaps(&all, 60_000, DEAD_AIR_MIN_MS);
    assert_eq!(
        a.dead_air.len(),
        dead.len(),
        "{what}: {:?} vs {dead:?}",
        a.dead_air
    );
    for (got, want) in a.dead_air.iter().zip(&dead) {
        assert!(
            got.start_ms.abs_diff(want.start_ms) <= 300 && got.end_ms.abs_diff(want.end_ms) <= 300,
            "{what}: dead air {got:?}, truth {want:?}"
        );
    }

    let overlaps: Vec<Segment> = intersect(&call.truth[0], &call.truth[1])
        .into_iter()
        .filter(|o| o.len_ms() >= OVERTALK_MIN_MS)
        .collect();
    assert_eq!(
        a.overtalk.len(),
        overlaps.len(),
        "{what}: {:?} vs {overlaps:?}",
        a.overtalk
    );
    for (got, want) in a.overtalk.iter().zip(&overlaps) {
        assert!(
            got.start_ms.abs_diff(want.start_ms) <= 300 && got.end_ms.abs_diff(want.end_ms) <= 300,
            "{what}: overtalk {got:?}, truth {want:?}"
        );
    }

    let mono = longest_monologue(&call.truth[0], &call.truth[1]);
    assert!(
        a.longest_rep_monologue_ms.unwrap().abs_diff(mono) <= 1000,
        "{what}: monologue {:?}, truth {mono}",
        a.longest_rep_monologue_ms
    );
    assert!(
        !a.has_flag(|f| matches!(f, HealthFlag::OneWayAudio { .. } | HealthFlag::Silent)),
        "{what}: {:?}",
        a.flags
    );
}

#[test]
fn a_normal_call_with_bleed_and_noise_matches_the_truth() {
    for (bleed_db, delay_ms) in [(-12.0, 0), (-13.0, 20), (-15.0, 60)] {
        let mut call = real_call();
        call.bleed(bleed_db, delay_ms);
        call.noise(0, -62.0, 1);
        call.noise(1, -56.0, 2);
        let a = analyze_samples(call.stereo().into_iter(), 2, RATE, ChannelLayout::RepLeft);
        let what = format!("bleed {bleed_db} dB, {delay_ms} ms");
        check_against_truth(&call, &a, &what);
        assert_eq!(a.duration_ms, 60_000);
        assert_eq!(a.interruptions_by_client, 2, "{what}: {:?}", a.overtalk);
        assert_eq!(a.interruptions_by_rep, 0, "{what}");
        assert!(a.flags.is_empty(), "{what}: {:?}", a.flags);
        let (rep, client) = sides(&a);
        assert!(
            (rep.level_dbfs + 20.0).abs() < 2.0,
            "{what}: {}",
            rep.level_dbfs
        );
        assert!(
            (client.level_dbfs + 24.0).abs() < 2.0,
            "{what}: {}",
            client.level_dbfs
        );
        assert!(
            (-24.5..-19.5).contains(&a.level_dbfs),
            "{what}: {}",
            a.level_dbfs
        );
        assert_eq!(a.clipping_ratio, 0.0);
    }
}

#[test]
fn layout_rep_right_swaps_the_sides() {
    let mut call = real_call();
    call.bleed(-13.0, 20);
    call.sides.swap(0, 1);
    let left = analyze_samples(call.stereo().into_iter(), 2, RATE, ChannelLayout::RepRight);
    call.sides.swap(0, 1);
    let right = analyze_samples(call.stereo().into_iter(), 2, RATE, ChannelLayout::RepLeft);
    assert_eq!(left.rep, right.rep);
    assert_eq!(left.client, right.client);
    assert_eq!(left.talk_share_rep, right.talk_share_rep);
    assert_eq!(left.layout, ChannelLayout::RepRight);
}

/// One side's line is dead: nothing, or line noise, or only the echo of the
/// other side coming back. One-way audio must be flagged every time.
#[test]
fn one_way_audio_is_always_detected() {
    let noises = [None, Some(-70.0), Some(-55.0), Some(-45.0), Some(-38.0)];
    for dead in [0usize, 1] {
        for noise in noises {
            for echo_db in [None, Some(-13.0), Some(-20.0)] {
                let mut call = real_call();
                call.sides[dead].fill(0.0);
                call.truth[dead].clear();
                call.noise(1 - dead, -60.0, 7);
                if let Some(e) = echo_db {
                    call.bleed(e, 30);
                }
                if let Some(n) = noise {
                    call.noise(dead, n, 9);
                }
                let a = analyze_samples(call.stereo().into_iter(), 2, RATE, ChannelLayout::RepLeft);
                let side = if dead == 0 { Side::Rep } else { Side::Client };
                let what = format!("dead {side:?}, noise {noise:?}, echo {echo_db:?}");
                assert!(
                    a.flags
                        .contains(&HealthFlag::OneWayAudio { silent_side: side }),
                    "{what}: {:?}\n{:?}",
                    a.flags,
                    sides(&a)
                );
                assert!(!a.has_flag(|f| *f == HealthFlag::Silent), "{what}");
                let (rep, client) = sides(&a);
                let live = if dead == 0 { client } else { rep };
                let truth = total_ms(&call.truth[1 - dead]);
                assert!(
                    live.talk_ms.abs_diff(truth) <= 1000,
                    "{what}: {}",
                    live.talk_ms
                );
            }
        }
    }
}

/// The same conversation recorded in mono: speech, dead air and level.
#[test]
fn mono_recording_gets_speech_dead_air_and_level() {
    let mut call = real_call();
    call.noise(0, -60.0, 3);
    let mono = call.mono();
    let a = analyze_samples(mono.iter().copied(), 1, RATE, ChannelLayout::RepLeft);
    assert_eq!(a.layout, ChannelLayout::Mono, "a mono file stays mono");
    assert!(a.rep.is_none() && a.client.is_none() && a.talk_share_rep.is_none());
    assert!(a.overtalk.is_empty() && a.longest_rep_monologue_ms.is_none());
    let all = union(&call.truth[0], &call.truth[1]);
    let truth = total_ms(&all);
    assert!(
        a.speech_ms().abs_diff(truth) <= 1000,
        "{} vs {truth}",
        a.speech_ms()
    );
    let dead = gaps(&all, 60_000, DEAD_AIR_MIN_MS);
    assert_eq!(a.dead_air.len(), dead.len(), "{:?} vs {dead:?}", a.dead_air);
    for (got, want) in a.dead_air.iter().zip(&dead) {
        assert!(
            got.start_ms.abs_diff(want.start_ms) <= 300,
            "{got:?} {want:?}"
        );
        assert!(got.end_ms.abs_diff(want.end_ms) <= 300, "{got:?} {want:?}");
    }
    assert_eq!(a.dead_air_total_ms, total_ms(&a.dead_air));
    assert!((-24.0..-18.0).contains(&a.level_dbfs), "{}", a.level_dbfs);
    assert!(a.flags.is_empty(), "{:?}", a.flags);

    // The same stereo file analysed as mono (batch says `mono`) agrees.
    let as_mono = analyze_samples(call.stereo().into_iter(), 2, RATE, ChannelLayout::Mono);
    assert_eq!(as_mono.layout, ChannelLayout::Mono);
    assert_eq!(as_mono.waveform.peaks.len(), 1);
    assert!(as_mono.speech_ms().abs_diff(truth) <= 1000);
}
