//! The demo batch (assets/demo): every recording analyses, with the flags a
//! reviewer would expect, and the speech found agrees with the transcripts
//! (turn start times, to 0.1 s). The batch's `channel_layout` is taken as
//! `rep-left` for the two stereo calls.

use std::path::PathBuf;

use super::metrics::intersect;
use super::*;

fn recording(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo/recordings")
        .join(name)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Rep,
    Client,
    /// A PBX prompt (on the rep's channel in stereo calls).
    Ivr,
    /// Ringback, busy tone.
    Nobody,
    /// Silence: someone waits for an answer.
    Pause,
}

/// The transcript's events as (who, span).
fn transcript(call: &str, duration_ms: u64) -> Vec<(Who, Segment)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo/transcripts")
        .join(format!("{call}.txt"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut events: Vec<(Who, u64)> = Vec::new();
    for line in text.lines().filter(|l| l.starts_with('[')) {
        let (time, rest) = line[1..].split_once("] ").unwrap();
        let (min, sec) = time.split_once(':').unwrap();
        let ms =
            min.parse::<u64>().unwrap() * 60_000 + (sec.parse::<f64>().unwrap() * 1000.0) as u64;
        let who = if rest.starts_with("IVR") {
            Who::Ivr
        } else if rest.starts_with("(silence") {
            Who::Pause
        } else if rest.starts_with('(') {
            Who::Nobody
        } else if rest.contains("(rep)") {
            Who::Rep
        } else {
            assert!(rest.contains("(client)"), "{line}");
            Who::Client
        };
        events.push((who, ms));
    }
    (0..events.len())
        .map(|i| {
            let end = events.get(i + 1).map_or(duration_ms, |e| e.1);
            let span = Segment {
                start_ms: events[i].1,
                end_ms: end,
            };
            (events[i].0, span)
        })
        .collect()
}

fn spans(events: &[(Who, Segment)], who: &[Who]) -> Vec<Segment> {
    events
        .iter()
        .filter(|(w, _)| who.contains(w))
        .map(|(_, s)| *s)
        .collect()
}

/// Each turn starts with detected speech (within 400 ms of the transcript's
/// time, which is to 0.1 s and the turn's span includes the pause after it)
/// and holds some, and detected speech lies in the turns (300 ms of slack at
/// each turn's edges).
fn check_speech(call: &str, found: &[Segment], turns: &[Segment]) {
    for t in turns {
        let covered: u64 = intersect(found, &[*t]).iter().map(Segment::len_ms).sum();
        let onset = found.iter().any(|s| s.start_ms.abs_diff(t.start_ms) <= 400);
        assert!(
            onset && covered * 10 >= t.len_ms().min(2_000) * 3,
            "{call}: turn {t:?}: onset found {onset}, {covered} ms covered\n{found:?}"
        );
    }
    let slack: Vec<Segment> = turns
        .iter()
        .map(|t| Segment {
            start_ms: t.start_ms.saturating_sub(300),
            end_ms: t.end_ms + 300,
        })
        .collect();
    let slack = super::metrics::union(&slack, &[]);
    let inside: u64 = intersect(found, &slack).iter().map(Segment::len_ms).sum();
    let total: u64 = found.iter().map(Segment::len_ms).sum();
    assert!(
        total - inside <= 500,
        "{call}: {} ms of speech outside the turns\n{found:?}\n{turns:?}",
        total - inside
    );
}

#[test]
fn stereo_demo_calls_have_sides_matching_the_transcripts_and_no_flags() {
    for (call, file) in [("call-003", "call-003.flac"), ("call-007", "call-007.mp3")] {
        let a = analyze_file(&recording(file), ChannelLayout::RepLeft, &|_| {}).unwrap();
        assert_eq!(a.layout, ChannelLayout::RepLeft);
        assert!(a.flags.is_empty(), "{call}: {:?}", a.flags);
        let events = transcript(call, a.duration_ms);
        let (rep, client) = (a.rep.as_ref().unwrap(), a.client.as_ref().unwrap());
        check_speech(call, &rep.speech, &spans(&events, &[Who::Rep, Who::Ivr]));
        check_speech(call, &client.speech, &spans(&events, &[Who::Client]));
        // Nobody talks over anybody in these calls.
        assert!(a.overtalk.is_empty(), "{call}: {:?}", a.overtalk);
        let share = a.talk_share_rep.unwrap();
        assert!((0.5..0.75).contains(&share), "{call}: {share}");
        assert!(
            (-26.0..-18.0).contains(&a.level_dbfs),
            "{call}: {}",
            a.level_dbfs
        );
        // The ringback before the pickup is dead air, not talk.
        let ring = spans(&events, &[Who::Nobody])[0];
        let dead = a.dead_air.iter().find(|d| d.contains(ring.start_ms + 100));
        assert!(
            dead.is_some_and(|d| d.end_ms.abs_diff(ring.end_ms) <= 300),
            "{call}: {:?}",
            a.dead_air
        );
    }
    // call-003's longest rep turn is the 19 s summary at 68.4 s.
    let a = analyze_file(&recording("call-003.flac"), ChannelLayout::RepLeft, &|_| {}).unwrap();
    let mono = a.longest_rep_monologue_ms.unwrap();
    assert!((17_000..=19_500).contains(&mono), "{mono}");
}

#[test]
fn call_004_the_dead_rep_side_is_a_short_answered_call() {
    let a = analyze_file(&recording("call-004.wav"), ChannelLayout::Mono, &|_| {}).unwrap();
    assert_eq!(a.layout, ChannelLayout::Mono);
    // Mono, so one-way audio cannot be seen from the channels; the short
    // answered call is what sends it to the telephony check.
    assert_eq!(a.flags, vec![HealthFlag::ShortAnswered]);
    let events = transcript("call-004", a.duration_ms);
    // Only the client's hellos are speech: not the ringback, not the busy tone.
    check_speech("call-004", &a.speech, &spans(&events, &[Who::Client]));
    // The pauses where the client waits for an answer are dead air.
    let pauses = spans(&events, &[Who::Pause]);
    assert_eq!(pauses.iter().filter(|g| g.len_ms() >= 2_200).count(), 3);
    for gap in pauses.iter().filter(|g| g.len_ms() >= 2_200) {
        let found = a.dead_air.iter().find(|d| d.contains(gap.start_ms + 500));
        assert!(
            found.is_some_and(|d| d.start_ms.abs_diff(gap.start_ms) <= 400
                && d.end_ms.abs_diff(gap.end_ms) <= 400),
            "{gap:?}: {:?}",
            a.dead_air
        );
    }
}

#[test]
fn the_same_stereo_call_analysed_as_mono_finds_the_same_speech() {
    let path = recording("call-003.flac");
    let stereo = analyze_file(&path, ChannelLayout::RepLeft, &|_| {}).unwrap();
    let mono = analyze_file(&path, ChannelLayout::Mono, &|_| {}).unwrap();
    assert_eq!(mono.layout, ChannelLayout::Mono);
    assert!(mono.rep.is_none() && mono.talk_share_rep.is_none());
    // The mix differs in pauses right at MERGE_GAP_MS; within 4% of the call.
    assert!(
        mono.speech_ms().abs_diff(stereo.speech_ms()) * 25 <= stereo.duration_ms,
        "{} vs {}\n{:?}\n{:?}",
        mono.speech_ms(),
        stereo.speech_ms(),
        mono.speech,
        stereo.speech
    );
    assert_eq!(stereo.waveform.peaks.len(), 2);
    assert_eq!(mono.waveform.peaks.len(), 1);
}

#[test]
fn mono_demo_calls_are_healthy_and_start_with_the_ringback_as_dead_air() {
    for (call, file) in [
        ("call-001", "call-001.wav"),
        ("call-002", "call-002.mp3"),
        ("call-005", "call-005.ogg"),
        ("call-006", "call-006.wav"),
    ] {
        let progress = std::cell::Cell::new(0.0f32);
        let a = analyze_file(&recording(file), ChannelLayout::RepLeft, &|p| {
            progress.set(p)
        })
        .unwrap();
        assert_eq!(progress.get(), 1.0);
        assert_eq!(
            a.layout,
            ChannelLayout::Mono,
            "{call}: mono files stay mono"
        );
        assert!(a.flags.is_empty(), "{call}: {:?}", a.flags);
        assert!(
            a.speech_ms() * 10 >= a.duration_ms * 7,
            "{call}: {}",
            a.speech_ms()
        );
        assert!(
            (-24.0..-17.0).contains(&a.level_dbfs),
            "{call}: {}",
            a.level_dbfs
        );
        assert_eq!(a.clipping_ratio, 0.0, "{call}");
        let events = transcript(call, a.duration_ms);
        let talk = spans(&events, &[Who::Rep, Who::Client, Who::Ivr]);
        check_speech(call, &a.speech, &talk);
        if events[0].0 == Who::Nobody {
            let ring = events[0].1;
            assert_eq!(a.dead_air.first().map(|d| d.start_ms), Some(0), "{call}");
            assert!(
                a.dead_air[0].end_ms.abs_diff(ring.end_ms) <= 300,
                "{call}: {:?}",
                a.dead_air
            );
        }
    }
}
