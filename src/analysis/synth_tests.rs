//! Accuracy and flags on generated calls: synthetic voiced and noise bursts
//! at known times, PBX tones, clipping, silence, other sample rates, and the
//! file path through `CallSource`.

use std::cell::RefCell;

use super::metrics::{gaps, intersect, union};
use super::test_audio::*;
use super::*;

fn analyze(call: &Call, layout: ChannelLayout) -> CallAnalysis {
    analyze_samples(call.stereo().into_iter(), 2, RATE, layout)
}

fn voiced(ms: u64, seed: u64, dbfs: f32) -> Vec<f32> {
    normalize(voiced_burst(ms, seed), dbfs)
}

fn noisy(ms: u64, seed: u64, dbfs: f32) -> Vec<f32> {
    normalize(noise_burst(ms, seed), dbfs)
}

/// 60 s of turns made of bursts: overtalk at 20-21 s (the client comes in)
/// and 44.5-45.5 s (the rep comes in), dead air 28-33 s.
fn burst_call() -> Call {
    let mut c = Call::new(60_000);
    c.burst(0, 500, &voiced(4_000, 1, -18.0));
    c.burst(1, 5_000, &noisy(3_000, 2, -22.0));
    c.burst(0, 8_500, &voiced(6_000, 3, -18.0));
    c.burst(0, 15_000, &noisy(6_000, 4, -18.0));
    c.burst(1, 20_000, &voiced(8_000, 5, -22.0));
    c.burst(0, 33_000, &voiced(2_500, 6, -18.0));
    c.burst(1, 36_000, &noisy(9_500, 7, -22.0));
    c.burst(0, 44_500, &voiced(12_000, 8, -18.0));
    c.burst(1, 57_000, &voiced(1_500, 9, -22.0));
    c.bleed(-13.0, 10);
    c.noise(0, -60.0, 11);
    c.noise(1, -58.0, 12);
    c
}

#[test]
fn burst_call_talk_dead_air_and_overtalk_match_the_truth() {
    let call = burst_call();
    let a = analyze(&call, ChannelLayout::RepLeft);
    let (rep, client) = (a.rep.as_ref().unwrap(), a.client.as_ref().unwrap());
    for (got, truth, who) in [
        (rep, &call.truth[0], "rep"),
        (client, &call.truth[1], "client"),
    ] {
        let want = total_ms(truth);
        assert!(
            got.talk_ms.abs_diff(want) <= 1000,
            "{who}: {} ms vs {want} ms\n{:?}\n{truth:?}",
            got.talk_ms,
            got.speech
        );
    }
    let dead = gaps(
        &union(&call.truth[0], &call.truth[1]),
        60_000,
        DEAD_AIR_MIN_MS,
    );
    assert_eq!(dead.len(), 1);
    assert_eq!(a.dead_air.len(), 1, "{:?}", a.dead_air);
    assert!(
        a.dead_air[0].start_ms.abs_diff(28_000) <= 300,
        "{:?}",
        a.dead_air
    );
    assert!(
        a.dead_air[0].end_ms.abs_diff(33_000) <= 300,
        "{:?}",
        a.dead_air
    );
    assert_eq!(a.dead_air_total_ms, a.dead_air[0].len_ms());

    let overlaps = intersect(&call.truth[0], &call.truth[1]);
    assert_eq!(overlaps.len(), 2);
    assert_eq!(a.overtalk.len(), 2, "{:?}", a.overtalk);
    for (got, want) in a.overtalk.iter().zip(&overlaps) {
        assert!(
            got.start_ms.abs_diff(want.start_ms) <= 300,
            "{got:?} {want:?}"
        );
        assert!(got.end_ms.abs_diff(want.end_ms) <= 300, "{got:?} {want:?}");
    }
    assert_eq!((a.interruptions_by_rep, a.interruptions_by_client), (1, 1));
    // The rep's longest stretch: 8.5 s to 21 s (the client's 20 s turn starts
    // while the rep is still talking, not in a pause, so it ends there).
    let mono = a.longest_rep_monologue_ms.unwrap();
    assert!(mono.abs_diff(12_500) <= 500, "{mono}");
    assert!(a.flags.is_empty(), "no false flags: {:?}", a.flags);
    // The waveform has both channels, louder where the rep speaks.
    assert_eq!(a.waveform.peaks.len(), 2);
    let cols = a.waveform.columns(0, 60);
    assert!(cols[2] > cols[30] + 60, "{cols:?}");
}

#[test]
fn one_way_audio_with_bursts_and_a_silent_or_noisy_side() {
    for noise in [None, Some(-65.0), Some(-50.0), Some(-40.0)] {
        let mut call = burst_call();
        call.sides[1].fill(0.0);
        if let Some(n) = noise {
            call.noise(1, n, 3);
        }
        let a = analyze(&call, ChannelLayout::RepLeft);
        assert_eq!(
            a.flags,
            vec![HealthFlag::OneWayAudio {
                silent_side: Side::Client
            }],
            "noise {noise:?}"
        );
        // The other way round, with the rep on the right.
        let a = analyze(&call, ChannelLayout::RepRight);
        assert!(
            a.flags.contains(&HealthFlag::OneWayAudio {
                silent_side: Side::Rep
            }),
            "noise {noise:?}: {:?}",
            a.flags
        );
    }
}

#[test]
fn a_30_second_answered_call_is_short_and_a_long_one_is_not() {
    for (secs, short) in [(15, true), (30, true), (39, true), (45, false)] {
        let mut c = Call::new(secs * 1000);
        c.burst(0, 1_000, &voiced(3_000, 1, -18.0));
        c.burst(1, 5_000, &voiced(3_000, 2, -22.0));
        c.noise(0, -60.0, 1);
        c.noise(1, -60.0, 2);
        let a = analyze(&c, ChannelLayout::RepLeft);
        assert_eq!(
            a.has_flag(|f| *f == HealthFlag::ShortAnswered),
            short,
            "{secs} s: {:?}",
            a.flags
        );
        assert!(!a.has_flag(|f| matches!(f, HealthFlag::OneWayAudio { .. })));
        let mono = analyze_samples(c.mono().into_iter(), 1, RATE, ChannelLayout::Mono);
        assert_eq!(mono.has_flag(|f| *f == HealthFlag::ShortAnswered), short);
    }
}

#[test]
fn silence_noise_and_pbx_tones_are_a_silent_call() {
    // Digital silence.
    let a = analyze(&Call::new(30_000), ChannelLayout::RepLeft);
    assert_eq!(a.flags[0], HealthFlag::Silent);
    assert!(a.speech.is_empty(), "{:?}", a.speech);
    assert_eq!(a.level_dbfs, -120.0);
    assert_eq!(
        a.dead_air,
        vec![Segment {
            start_ms: 0,
            end_ms: 30_000
        }]
    );
    assert!(a.has_flag(|f| *f == HealthFlag::LongDeadAir { longest_ms: 30_000 }));
    assert!(!a.has_flag(|f| matches!(
        f,
        HealthFlag::ShortAnswered | HealthFlag::OneWayAudio { .. }
    )));

    // Line noise and call-progress tones (ITU-T E.180 cadences) only.
    for (name, f1, f2, cadence) in TONES {
        let mut c = Call::new(30_000);
        c.place(0, 0, &tones(f1, f2, cadence, 30_000), vec![]);
        c.noise(0, -55.0, 1);
        c.noise(1, -50.0, 2);
        let a = analyze(&c, ChannelLayout::RepLeft);
        assert!(
            a.speech_ms() < SILENT_MAX_SPEECH_MS,
            "{name}: {:?}",
            a.speech
        );
        assert_eq!(a.flags.first(), Some(&HealthFlag::Silent), "{name}");
        // No speech: a side's level is its whole channel's (the noise here).
        let client = a.client.as_ref().unwrap().level_dbfs;
        assert!((-51.0..-49.0).contains(&client), "{client}");
    }
}

/// Call-progress tones: name, two frequencies, on/off cadence in ms.
const TONES: [(&str, f32, f32, &[u64]); 7] = [
    ("ru ringback", 425.0, 425.0, &[800, 3200]),
    ("ru busy", 425.0, 425.0, &[350, 350]),
    ("ru congestion", 425.0, 425.0, &[175, 175]),
    ("us ringback", 440.0, 480.0, &[2000, 4000]),
    ("us busy", 480.0, 620.0, &[500, 500]),
    ("us reorder", 480.0, 620.0, &[250, 250]),
    ("uk ringback", 400.0, 450.0, &[400, 200, 400, 2000]),
];

/// A tone (two sines at -21 dBFS each) switched on and off by `cadence`.
fn tones(f1: f32, f2: f32, cadence: &[u64], ms: u64) -> Vec<f32> {
    let amp = db(-18.0);
    let mut out = Vec::new();
    let mut on = true;
    for &len in cadence.iter().cycle() {
        if out.len() as u64 >= ms * u64::from(RATE) / 1000 {
            break;
        }
        let burst = if on {
            let a = steady_tone(len, f1, amp);
            let b = steady_tone(len, f2, amp);
            a.iter().zip(&b).map(|(x, y)| x + y).collect()
        } else {
            vec![0.0; (len * u64::from(RATE) / 1000) as usize]
        };
        out.extend(burst);
        on = !on;
    }
    out
}

#[test]
fn a_busy_tone_after_the_hang_up_is_not_talk() {
    for (name, f1, f2, cadence) in TONES {
        let mut c = Call::new(40_000);
        c.burst(0, 1_000, &voiced(12_000, 1, -18.0));
        c.burst(1, 13_500, &voiced(12_000, 2, -22.0));
        c.place(0, 26_000, &tones(f1, f2, cadence, 14_000), vec![]);
        c.noise(0, -60.0, 1);
        c.noise(1, -60.0, 2);
        let a = analyze(&c, ChannelLayout::RepLeft);
        let rep = a.rep.as_ref().unwrap().talk_ms;
        assert!(rep.abs_diff(12_000) <= 1000, "{name}: {rep} {:?}", a.rep);
    }
}

#[test]
fn clipping_is_flagged_on_an_overdriven_side_only() {
    let mut call = burst_call();
    call.gain(0, 22.0); // the rep's gain far too high: peaks flattened
    let a = analyze(&call, ChannelLayout::RepLeft);
    let rep = a.rep.as_ref().unwrap();
    assert!(rep.clipping_ratio > 0.05, "{}", rep.clipping_ratio);
    assert_eq!(a.client.as_ref().unwrap().clipping_ratio, 0.0);
    assert!(
        a.has_flag(|f| *f == HealthFlag::HeavyClipping),
        "{:?}",
        a.flags
    );

    // Mono, clipped at the G.711 ceiling (0.98 of full scale).
    let m: Vec<f32> = call
        .mono()
        .iter()
        .map(|x| (x * 4.0).clamp(-0.98, 0.98))
        .collect();
    let a = analyze_samples(m.into_iter(), 1, RATE, ChannelLayout::Mono);
    assert!(
        a.has_flag(|f| *f == HealthFlag::HeavyClipping),
        "{:?}",
        a.flags
    );

    // Loud but clean (peaks normalised to 0.99): not clipping.
    let clean = burst_call();
    let peak = clean.sides[0].iter().fold(0f32, |m, x| m.max(x.abs()));
    let m: Vec<f32> = clean.sides[0].iter().map(|x| x * 0.99 / peak).collect();
    let a = analyze_samples(m.into_iter(), 1, RATE, ChannelLayout::Mono);
    assert!(
        a.clipping_ratio < HEAVY_CLIPPING_RATIO,
        "{}",
        a.clipping_ratio
    );
    assert!(!a.has_flag(|f| *f == HealthFlag::HeavyClipping));
}

#[test]
fn long_dead_air_is_flagged_with_its_length() {
    let mut c = Call::new(60_000);
    c.burst(0, 1_000, &voiced(10_000, 1, -18.0));
    c.burst(1, 11_500, &voiced(10_000, 2, -22.0));
    c.burst(0, 36_500, &voiced(20_000, 3, -18.0));
    c.noise(0, -60.0, 1);
    c.noise(1, -60.0, 2);
    let a = analyze(&c, ChannelLayout::RepLeft);
    let long = a.flags.iter().find_map(|f| match f {
        HealthFlag::LongDeadAir { longest_ms } => Some(*longest_ms),
        _ => None,
    });
    assert!(
        long.is_some_and(|l| l.abs_diff(15_000) <= 300),
        "{:?}",
        a.flags
    );
    assert_eq!(a.dead_air.len(), 2, "{:?}", a.dead_air); // 21.5-36.5 and the 3.5 s tail
}

/// Upsample by linear interpolation (only for building test input).
fn resample(x: &[f32], to: u32) -> Vec<f32> {
    let n = (x.len() as u64 * u64::from(to) / u64::from(RATE)) as usize;
    (0..n)
        .map(|i| {
            let pos = i as f64 * f64::from(RATE) / f64::from(to);
            let (k, frac) = (pos as usize, pos.fract() as f32);
            let a = x[k.min(x.len() - 1)];
            let b = x[(k + 1).min(x.len() - 1)];
            a + (b - a) * frac
        })
        .collect()
}

#[test]
fn other_sample_rates_give_the_same_talk_times() {
    let call = burst_call();
    let base = analyze(&call, ChannelLayout::RepLeft);
    for rate in [11_025, 16_000, 22_050, 44_100, 48_000] {
        let (l, r) = (
            resample(&call.sides[0], rate),
            resample(&call.sides[1], rate),
        );
        let s: Vec<f32> = l.iter().zip(&r).flat_map(|(a, b)| [*a, *b]).collect();
        let a = analyze_samples(s.into_iter(), 2, rate, ChannelLayout::RepLeft);
        assert!(
            a.duration_ms.abs_diff(60_000) <= 1,
            "{rate}: {}",
            a.duration_ms
        );
        for (got, want) in [(&a.rep, &base.rep), (&a.client, &base.client)] {
            let (got, want) = (got.as_ref().unwrap(), want.as_ref().unwrap());
            assert!(
                got.talk_ms.abs_diff(want.talk_ms) <= 500,
                "{rate} Hz: {} vs {}",
                got.talk_ms,
                want.talk_ms
            );
        }
        assert_eq!(a.dead_air.len(), 1, "{rate}");
        assert_eq!(a.flags, base.flags, "{rate}");
    }
}

#[test]
fn analyze_file_reads_through_call_source_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.wav");
    let call = burst_call();
    let samples = call.stereo();
    write_wav(&path, 2, &samples);
    let seen = RefCell::new(Vec::new());
    let a = analyze_file(&path, ChannelLayout::RepLeft, &|p| {
        seen.borrow_mut().push(p)
    })
    .unwrap();
    // The WAV holds the samples rounded to 16 bits: same result.
    let direct = analyze_samples(samples.into_iter(), 2, RATE, ChannelLayout::RepLeft);
    assert_eq!(
        a.rep.as_ref().unwrap().speech,
        direct.rep.as_ref().unwrap().speech
    );
    assert_eq!(a.flags, direct.flags);
    assert_eq!(a.duration_ms, 60_000);
    let seen = seen.into_inner();
    assert!(seen.len() >= 5, "{seen:?}");
    assert_eq!(seen.first(), Some(&0.0));
    assert_eq!(seen.last(), Some(&1.0));
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");

    // What the workspace stores comes back equal.
    let json = serde_json::to_string(&a).unwrap();
    assert!(json.len() < 16_000, "{}", json.len());
    let back: CallAnalysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    assert_eq!(a.version, ANALYSIS_VERSION);
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone.wav");
    let err = analyze_file(&missing, ChannelLayout::Mono, &|_| {}).unwrap_err();
    assert!(err.to_string().starts_with("gone.wav: "), "{err}");
    let empty = dir.path().join("empty.wav");
    std::fs::write(&empty, b"").unwrap();
    let err = analyze_file(&empty, ChannelLayout::Mono, &|_| {}).unwrap_err();
    assert!(err.to_string().starts_with("empty.wav: "), "{err}");
}
