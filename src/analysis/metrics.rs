//! Speech frames to the numbers a reviewer sees: talk time and share, dead
//! air, overtalk and who interrupted, the longest rep monologue, level,
//! clipping, and the telephony health flags.

use super::features::{Features, SideFrames};
use super::waveform::Waveform;
use super::{
    ANALYSIS_VERSION, BACKCHANNEL_MAX_MS, CallAnalysis, ChannelLayout, DEAD_AIR_MIN_MS, FRAME_MS,
    HEAVY_CLIPPING_RATIO, HealthFlag, LONG_DEAD_AIR_MS, MONOLOGUE_MAX_PAUSE_MS,
    ONE_WAY_MAX_SIDE_TALK_MS, ONE_WAY_MIN_OTHER_TALK_MS, OVERTALK_MIN_MS, SHORT_CALL_MAX_MS,
    SILENT_MAX_SPEECH_MS, Segment, Side, SideStats,
};

/// Put the analysis together from the frame features and the per-side speech
/// frames (same order as `f.channels`).
pub(crate) fn build(f: &Features, speech: &[Vec<bool>], layout: ChannelLayout) -> CallAnalysis {
    let duration_ms = f.duration_ms();
    let per_side: Vec<Vec<Segment>> = speech.iter().map(|s| segments(s, duration_ms)).collect();
    let spf = f.samples_per_frame();

    // Level and clipping over every side's speech frames together.
    let mut total = Acc::default();
    for (c, s) in f.channels.iter().zip(speech) {
        total.add_speech(c, s);
    }
    if total.frames == 0 {
        for c in &f.channels {
            total.add_all(c);
        }
    }

    let mut a = CallAnalysis {
        version: ANALYSIS_VERSION,
        duration_ms,
        layout,
        rep: None,
        client: None,
        speech: Vec::new(),
        dead_air: Vec::new(),
        dead_air_total_ms: 0,
        overtalk: Vec::new(),
        interruptions_by_rep: 0,
        interruptions_by_client: 0,
        talk_share_rep: None,
        longest_rep_monologue_ms: None,
        clipping_ratio: total.clipping(spf),
        level_dbfs: total.level_db(),
        flags: Vec::new(),
        waveform: Waveform::build(f),
    };

    if layout == ChannelLayout::Mono || per_side.len() < 2 {
        a.speech = per_side.into_iter().next().unwrap_or_default();
    } else {
        let (rep_i, client_i) = match layout {
            ChannelLayout::RepRight => (1, 0),
            _ => (0, 1),
        };
        let rep = side_stats(&f.channels[rep_i], &speech[rep_i], &per_side[rep_i], spf);
        let client = side_stats(
            &f.channels[client_i],
            &speech[client_i],
            &per_side[client_i],
            spf,
        );
        a.speech = union(&rep.speech, &client.speech);
        let overlaps = intersect(&rep.speech, &client.speech);
        for o in overlaps
            .into_iter()
            .filter(|o| o.len_ms() >= OVERTALK_MIN_MS)
        {
            match interrupter(&rep.speech, &client.speech, o) {
                Some(Side::Rep) => a.interruptions_by_rep += 1,
                Some(Side::Client) => a.interruptions_by_client += 1,
                None => {}
            }
            a.overtalk.push(o);
        }
        let talk = rep.talk_ms + client.talk_ms;
        a.talk_share_rep = (talk > 0).then(|| rep.talk_ms as f32 / talk as f32);
        a.longest_rep_monologue_ms = Some(longest_monologue(&rep.speech, &client.speech));
        a.rep = Some(rep);
        a.client = Some(client);
    }
    a.dead_air = gaps(&a.speech, duration_ms, DEAD_AIR_MIN_MS);
    a.dead_air_total_ms = a.dead_air.iter().map(Segment::len_ms).sum();
    a.flags = flags(&a);
    a
}

/// Health flags, in a fixed order: silent, one-way, clipping, short, dead air.
fn flags(a: &CallAnalysis) -> Vec<HealthFlag> {
    let mut flags = Vec::new();
    let speech_ms: u64 = a.speech.iter().map(Segment::len_ms).sum();
    let silent = speech_ms < SILENT_MAX_SPEECH_MS;
    if silent {
        flags.push(HealthFlag::Silent);
    }
    if let (Some(rep), Some(client)) = (&a.rep, &a.client) {
        let one_way = |quiet: &SideStats, loud: &SideStats| {
            quiet.talk_ms < ONE_WAY_MAX_SIDE_TALK_MS && loud.talk_ms >= ONE_WAY_MIN_OTHER_TALK_MS
        };
        if one_way(rep, client) {
            flags.push(HealthFlag::OneWayAudio {
                silent_side: Side::Rep,
            });
        } else if one_way(client, rep) {
            flags.push(HealthFlag::OneWayAudio {
                silent_side: Side::Client,
            });
        }
    }
    if !silent && a.clipping_ratio > HEAVY_CLIPPING_RATIO {
        flags.push(HealthFlag::HeavyClipping);
    }
    if !silent && a.duration_ms < SHORT_CALL_MAX_MS {
        flags.push(HealthFlag::ShortAnswered);
    }
    if let Some(longest_ms) = a.dead_air.iter().map(Segment::len_ms).max()
        && longest_ms > LONG_DEAD_AIR_MS
    {
        flags.push(HealthFlag::LongDeadAir { longest_ms });
    }
    flags
}

/// Sums over frames for a power-mean level and a clipping share.
#[derive(Default)]
struct Acc {
    power: f64,
    frames: u64,
    clipped: u64,
}

impl Acc {
    fn add_speech(&mut self, c: &SideFrames, speech: &[bool]) {
        for (i, _) in speech.iter().enumerate().filter(|(_, s)| **s) {
            self.add_frame(c, i);
        }
    }

    fn add_all(&mut self, c: &SideFrames) {
        for i in 0..c.energy_db.len() {
            self.add_frame(c, i);
        }
    }

    fn add_frame(&mut self, c: &SideFrames, i: usize) {
        self.power += (f64::from(c.energy_db[i]) * (std::f64::consts::LN_10 / 10.0)).exp();
        self.frames += 1;
        self.clipped += u64::from(c.clipped[i]);
    }

    fn level_db(&self) -> f32 {
        if self.frames == 0 || self.power <= 0.0 {
            return super::features::FLOOR_DB;
        }
        ((10.0 * (self.power / self.frames as f64).log10()) as f32).max(super::features::FLOOR_DB)
    }

    fn clipping(&self, samples_per_frame: f64) -> f32 {
        if self.frames == 0 {
            return 0.0;
        }
        (self.clipped as f64 / (self.frames as f64 * samples_per_frame)).min(1.0) as f32
    }
}

fn side_stats(c: &SideFrames, speech: &[bool], segs: &[Segment], spf: f64) -> SideStats {
    let mut acc = Acc::default();
    acc.add_speech(c, speech);
    if acc.frames == 0 {
        acc.add_all(c);
    }
    SideStats {
        speech: segs.to_vec(),
        talk_ms: segs.iter().map(Segment::len_ms).sum(),
        level_dbfs: acc.level_db(),
        clipping_ratio: acc.clipping(spf),
    }
}

/// Runs of speech frames as segments, clamped to the recording's length.
pub(crate) fn segments(speech: &[bool], duration_ms: u64) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < speech.len() {
        if speech[i] {
            let start = i;
            while i < speech.len() && speech[i] {
                i += 1;
            }
            let seg = Segment {
                start_ms: (start as u64 * FRAME_MS).min(duration_ms),
                end_ms: (i as u64 * FRAME_MS).min(duration_ms),
            };
            if seg.len_ms() > 0 {
                out.push(seg);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The time covered by either list (both sorted, non-overlapping).
pub(crate) fn union(a: &[Segment], b: &[Segment]) -> Vec<Segment> {
    let mut all: Vec<Segment> = a.iter().chain(b).copied().collect();
    all.sort_by_key(|s| s.start_ms);
    let mut out: Vec<Segment> = Vec::with_capacity(all.len());
    for s in all {
        match out.last_mut() {
            Some(last) if s.start_ms <= last.end_ms => last.end_ms = last.end_ms.max(s.end_ms),
            _ => out.push(s),
        }
    }
    out
}

/// The time covered by both lists (both sorted, non-overlapping).
pub(crate) fn intersect(a: &[Segment], b: &[Segment]) -> Vec<Segment> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let start = a[i].start_ms.max(b[j].start_ms);
        let end = a[i].end_ms.min(b[j].end_ms);
        if start < end {
            out.push(Segment {
                start_ms: start,
                end_ms: end,
            });
        }
        if a[i].end_ms < b[j].end_ms {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Pauses in `speech` of at least `min_ms`, including before the first and
/// after the last segment.
pub(crate) fn gaps(speech: &[Segment], duration_ms: u64, min_ms: u64) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut from = 0;
    let ends = speech
        .iter()
        .map(|s| (s.start_ms, s.end_ms))
        .chain(std::iter::once((duration_ms, duration_ms)));
    for (start, end) in ends {
        if start > from && start - from >= min_ms {
            out.push(Segment {
                start_ms: from,
                end_ms: start,
            });
        }
        from = from.max(end);
    }
    out
}

/// Who started the overlap `o`: the side whose segment began later (it came
/// in while the other was speaking). Nobody when both began together.
fn interrupter(rep: &[Segment], client: &[Segment], o: Segment) -> Option<Side> {
    let began = |segs: &[Segment]| {
        segs.iter()
            .find(|s| s.start_ms <= o.start_ms && o.start_ms < s.end_ms)
            .map(|s| s.start_ms)
    };
    match (began(rep), began(client)) {
        (Some(r), Some(c)) if r > c => Some(Side::Rep),
        (Some(r), Some(c)) if c > r => Some(Side::Client),
        _ => None,
    }
}

/// The longest stretch from the start of a rep segment to the end of a later
/// (or the same) one, across rep pauses up to [`MONOLOGUE_MAX_PAUSE_MS`], with
/// no client turn (client speech longer than [`BACKCHANNEL_MAX_MS`]) starting
/// inside it.
pub(crate) fn longest_monologue(rep: &[Segment], client: &[Segment]) -> u64 {
    let turns: Vec<&Segment> = client
        .iter()
        .filter(|s| s.len_ms() > BACKCHANNEL_MAX_MS)
        .collect();
    let turn_starts_in =
        |from: u64, to: u64| turns.iter().any(|t| from < t.start_ms && t.start_ms < to);
    let mut best = 0;
    let mut cur: Option<Segment> = None;
    for &s in rep {
        cur = match cur {
            Some(c)
                if s.start_ms - c.end_ms <= MONOLOGUE_MAX_PAUSE_MS
                    && !turn_starts_in(c.start_ms, s.start_ms) =>
            {
                Some(Segment {
                    start_ms: c.start_ms,
                    end_ms: s.end_ms,
                })
            }
            _ => Some(s),
        };
        best = best.max(cur.map_or(0, |c| c.len_ms()));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start_ms: u64, end_ms: u64) -> Segment {
        Segment { start_ms, end_ms }
    }

    #[test]
    fn frame_runs_become_segments_clamped_to_the_length() {
        let s = [false, true, true, false, true];
        assert_eq!(segments(&s, 45), vec![seg(10, 30), seg(40, 45)]);
    }

    #[test]
    fn union_intersection_and_gaps() {
        let a = [seg(0, 1000), seg(5000, 6000)];
        let b = [seg(500, 2000), seg(9000, 9500)];
        assert_eq!(
            union(&a, &b),
            vec![seg(0, 2000), seg(5000, 6000), seg(9000, 9500)]
        );
        assert_eq!(intersect(&a, &b), vec![seg(500, 1000)]);
        let u = union(&a, &b);
        assert_eq!(
            gaps(&u, 12_000, 2000),
            vec![seg(2000, 5000), seg(6000, 9000), seg(9500, 12_000)]
        );
        assert_eq!(gaps(&[], 1500, 2000), vec![]);
        assert_eq!(gaps(&[], 2500, 2000), vec![seg(0, 2500)]);
        assert_eq!(gaps(&[seg(2000, 3000)], 3000, 2000), vec![seg(0, 2000)]);
    }

    #[test]
    fn the_later_starter_is_the_interrupter() {
        let rep = [seg(0, 5000)];
        let client = [seg(4000, 8000)];
        assert_eq!(
            interrupter(&rep, &client, seg(4000, 5000)),
            Some(Side::Client)
        );
        assert_eq!(interrupter(&client, &rep, seg(4000, 5000)), Some(Side::Rep));
        assert_eq!(interrupter(&rep, &[seg(0, 100)], seg(0, 100)), None);
    }

    #[test]
    fn monologue_spans_rep_pauses_and_backchannels_but_not_client_turns() {
        let rep = [seg(0, 10_000), seg(12_000, 20_000), seg(30_000, 31_000)];
        // A backchannel inside the pause does not break it.
        assert_eq!(longest_monologue(&rep, &[seg(10_500, 11_000)]), 20_000);
        // A real client turn does.
        assert_eq!(longest_monologue(&rep, &[seg(10_100, 11_900)]), 10_000);
        // A long pause does.
        assert_eq!(longest_monologue(&rep[1..], &[]), 8_000);
        assert_eq!(longest_monologue(&[], &[]), 0);
    }
}
