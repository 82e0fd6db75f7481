//! Call analytics computed from the audio: who talks when, dead air,
//! overtalk, telephony health flags and a waveform overview.
//!
//! Why it exists: a reviewer is paid per call, and listening is most of the
//! cost. Knowing before pressing play that the rep's side is dead (one-way
//! audio), that a third of the call is silence, or that the rep talked 85% of
//! the time tells the reviewer where to listen, lets the player skip dead air,
//! and lets the queue flag the calls that only show how the telephony works.
//!
//! Shape of the module, and why:
//!
//! * Pure functions, no terminal, no SQL, no threads: the result,
//!   [`CallAnalysis`], is plain data with serde derives that the workspace
//!   caches as JSON (keyed by [`ANALYSIS_VERSION`], so a changed algorithm
//!   makes cached results stale) and the TUI draws.
//! * [`analyze_file`] decodes through
//!   [`CallSource`](crate::audio::source::CallSource), the same source the
//!   player uses, so every codec the player can play can be analysed.
//!   [`analyze_samples`] takes interleaved samples from anywhere (tests,
//!   other decoders).
//! * A streaming pass (per 2-minute chunk, the chunks on every core: see
//!   `chunks.rs`) turns every 10 ms frame of each side
//!   into a few numbers (energy, peak, zero crossings, samples at full scale,
//!   the webrtc-vad decision); nothing is allocated per sample and the audio
//!   itself is never kept. Everything after that works on those frame
//!   features: a 60-minute call is 360 000 frames per side, about 10 MB.
//!   webrtc-vad is the dearest part, so it runs on 30 ms blocks and only
//!   where its answer can change the result (see `vad.rs`).
//! * Voice activity per side is webrtc-vad (mode 2, "aggressive") AND an
//!   energy gate (above the line noise and above an absolute floor) AND a
//!   cross-channel rule: a frame whose energy is more than
//!   [`BLEED_MARGIN_DB`] below the other side's is that side's voice leaking
//!   in (echo, hybrid bleed, 12-15 dB down in real PBX recordings), not
//!   speech. Call-progress tones (ringback, busy, congestion) are not speech
//!   either, although webrtc-vad says they are: they hold one level and pitch
//!   for 400 ms or repeat identical shorter bursts (`speech.rs`). Decisions
//!   are smoothed by closing pauses shorter than [`MERGE_GAP_MS`] (the
//!   hangover) and dropping blips shorter than [`MIN_SPEECH_MS`]; segment
//!   ends are not padded, because padding every segment would inflate talk
//!   time by the hangover times the number of turns.
//! * The thresholds are named constants below, each with the reason for its
//!   value; the metrics and flags are in `metrics.rs`.
//! * Limits: two people talking at once with more than [`BLEED_MARGIN_DB`]
//!   between their levels count as the louder one only (the quieter is taken
//!   for bleed); a mono recording cannot show one-way audio (there is one
//!   channel), only that it is short; music on hold counts as speech.

mod chunks;
mod decimate;
mod facts;
mod features;
mod metrics;
pub mod runner;
mod speech;
mod vad;
mod waveform;

#[cfg(test)]
#[path = "bad_recording_tests.rs"]
mod bad_recording_tests;
#[cfg(test)]
#[path = "bench_tests.rs"]
mod bench_tests;
#[cfg(test)]
#[path = "demo_tests.rs"]
mod demo_tests;
#[cfg(test)]
#[path = "shortcut_tests.rs"]
mod shortcut_tests;
#[cfg(test)]
#[path = "speech_tests.rs"]
mod speech_tests;
#[cfg(test)]
#[path = "synth_tests.rs"]
mod synth_tests;
#[cfg(test)]
mod test_audio;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::AudioError;

pub use waveform::Waveform;

/// Bump whenever the algorithm or a threshold changes: cached analyses with
/// another version are recomputed.
pub const ANALYSIS_VERSION: u32 = 2;

/// Length of one analysis frame. webrtc-vad accepts 10, 20 or 30 ms; 10 ms
/// gives the finest boundaries (dead-air edges within a frame).
pub const FRAME_MS: u64 = 10;

/// Silence on every side longer than this is dead air (what skip-silence
/// jumps over). Pauses in a conversation are rarely over 2 s; anything longer
/// is someone looking something up, hold, or a dropped line.
pub const DEAD_AIR_MIN_MS: u64 = 2_000;

/// Dead air longer than this is worth a flag in the queue: a client left
/// waiting 10 s without a word notices it.
pub const LONG_DEAD_AIR_MS: u64 = 10_000;

/// Pauses inside speech shorter than this are closed (the hangover): pauses
/// between words and breaths are 100-300 ms, so a shorter gap is the same turn.
pub const MERGE_GAP_MS: u64 = 300;

/// Speech runs shorter than this (after closing gaps) are dropped: clicks,
/// line pops and the onset of a bleed frame are 10-100 ms, while the shortest
/// real answer ("да", "yes") lasts 200 ms or more.
pub const MIN_SPEECH_MS: u64 = 150;

/// Energy gate, absolute: frames quieter than this are never speech. Speech
/// in telephony recordings sits at -35..-10 dBFS; line noise and comfort
/// noise at -70..-50 dBFS.
pub const ABS_GATE_DBFS: f32 = -48.0;

/// Energy gate, relative: a frame must be this far above the side's noise
/// floor (its 10th-percentile frame energy), so a noisy line's hiss does
/// not count as speech even where webrtc-vad is unsure.
pub const NOISE_MARGIN_DB: f32 = 8.0;

/// Cross-channel rule: a frame more than this below the other side's energy
/// (over the last [`BLEED_WINDOW_MS`]) is the other side leaking in. Echo and
/// hybrid bleed in PBX recordings are 12-15 dB down; two people genuinely
/// talking at once are within a few dB of each other after the line's AGC.
pub const BLEED_MARGIN_DB: f32 = 10.0;

/// The other side's energy is taken as its maximum over this window, so an
/// echo that arrives a little late (VoIP jitter buffers add 20-100 ms) is
/// still compared with the speech that caused it.
pub const BLEED_WINDOW_MS: u64 = 100;

/// Samples at or above this magnitude count as clipped. Not 1.0: A-law and
/// µ-law decode their largest code to 0.98 of full scale, so a clipped G.711
/// recording never reaches 1.0; clean speech normalised near full scale
/// spends far less than 1% of its samples this high.
pub const CLIP_LEVEL: f32 = 0.97;

/// More than this share of the speech samples at full scale is heavy
/// clipping: audible distortion, usually a mis-set gain on the PBX or headset.
pub const HEAVY_CLIPPING_RATIO: f32 = 0.01;

/// A call with less speech than this on every side is silent (or near
/// silent): nothing was said that a reviewer could score.
pub const SILENT_MAX_SPEECH_MS: u64 = 1_000;

/// One-way audio: one side talks at least this much...
pub const ONE_WAY_MIN_OTHER_TALK_MS: u64 = 3_000;
/// ...while the other side has less than this (a line with only noise or a
/// cough on it). A real client who only says "yes" twice still talks more.
pub const ONE_WAY_MAX_SIDE_TALK_MS: u64 = 700;

/// Answered calls (someone spoke) shorter than this are flagged: the
/// article's rule is that 20-40 s calls show how the telephony works
/// (dropped calls, one-way audio, wrong routing), and a call under 20 s with
/// speech in it is even more likely to be a drop.
pub const SHORT_CALL_MAX_MS: u64 = 40_000;

/// Overlaps of both sides shorter than this are not overtalk: one side's
/// last syllable meeting the other's first is normal turn taking.
pub const OVERTALK_MIN_MS: u64 = 300;

/// A rep monologue goes on across the rep's own pauses up to this long,
/// as long as the client does not take a turn.
pub const MONOLOGUE_MAX_PAUSE_MS: u64 = 3_000;

/// Client speech shorter than this ("uh-huh", "yes") does not break a rep
/// monologue: it is a backchannel, not a turn.
pub const BACKCHANNEL_MAX_MS: u64 = 1_000;

/// Which channel carries whom: the call's own layout, one type for the
/// batch, the player and the analysis.
pub use crate::domain::crm::ChannelLayout;

/// One side of a stereo call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Rep,
    Client,
}

/// A stretch of the recording, in milliseconds from its start; `end_ms` is
/// exclusive and never past the end of the recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Segment {
    pub start_ms: u64,
    pub end_ms: u64,
}

impl Segment {
    pub fn len_ms(&self) -> u64 {
        self.end_ms.saturating_sub(self.start_ms)
    }

    /// Whether `ms` lies inside the segment.
    pub fn contains(&self, ms: u64) -> bool {
        self.start_ms <= ms && ms < self.end_ms
    }
}

/// What one side of a stereo call did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideStats {
    /// When this side speaks, in order, not overlapping.
    pub speech: Vec<Segment>,
    /// Sum of `speech`.
    pub talk_ms: u64,
    /// Average level (power mean) of this side's speech; of the whole channel
    /// when it has no speech (so a dead side shows its noise level).
    pub level_dbfs: f32,
    /// Share of this side's speech samples at full scale (of all its samples
    /// when it has no speech).
    pub clipping_ratio: f32,
}

/// A telephony fault or an oddity worth showing in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "flag")]
pub enum HealthFlag {
    /// Stereo only: one side talks while the other is silent or carries only
    /// noise (a dead microphone, a broken RTP direction).
    OneWayAudio { silent_side: Side },
    /// Nobody says anything (less than [`SILENT_MAX_SPEECH_MS`] of speech).
    Silent,
    /// More than [`HEAVY_CLIPPING_RATIO`] of the speech is at full scale.
    HeavyClipping,
    /// Answered (there is speech) but shorter than [`SHORT_CALL_MAX_MS`]:
    /// the article's telephony check.
    ShortAnswered,
    /// Some dead air is longer than [`LONG_DEAD_AIR_MS`].
    LongDeadAir { longest_ms: u64 },
}

/// Everything computed from one recording. Times are in milliseconds of
/// recording time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallAnalysis {
    /// [`ANALYSIS_VERSION`] of the code that computed this.
    pub version: u32,
    /// Length of the audio actually decoded.
    pub duration_ms: u64,
    /// The layout used: [`ChannelLayout::Mono`] for a mono file whatever the
    /// batch said.
    pub layout: ChannelLayout,
    /// Stereo only.
    pub rep: Option<SideStats>,
    /// Stereo only.
    pub client: Option<SideStats>,
    /// Mono: the speech of the single channel; stereo: the union of both sides.
    pub speech: Vec<Segment>,
    /// Silence on every side longer than [`DEAD_AIR_MIN_MS`], including at the
    /// start and end of the recording.
    pub dead_air: Vec<Segment>,
    pub dead_air_total_ms: u64,
    /// Stereo only: both sides speak at once for at least [`OVERTALK_MIN_MS`].
    pub overtalk: Vec<Segment>,
    /// Overtalk started by the rep (the client was speaking first).
    pub interruptions_by_rep: u32,
    /// Overtalk started by the client.
    pub interruptions_by_client: u32,
    /// Stereo only: the rep's share (0..1) of rep + client talk time.
    pub talk_share_rep: Option<f32>,
    /// Stereo only: the longest stretch of rep talk with no client turn.
    pub longest_rep_monologue_ms: Option<u64>,
    /// Share of speech samples at full scale (see [`CLIP_LEVEL`]).
    pub clipping_ratio: f32,
    /// Average level (power mean) of the speech in dBFS; of the whole
    /// recording when there is no speech.
    pub level_dbfs: f32,
    pub flags: Vec<HealthFlag>,
    pub waveform: Waveform,
}

impl CallAnalysis {
    pub fn has_flag(&self, pred: impl Fn(&HealthFlag) -> bool) -> bool {
        self.flags.iter().any(pred)
    }

    /// Total speech time (mono: the channel; stereo: the union of the sides).
    pub fn speech_ms(&self) -> u64 {
        self.speech.iter().map(Segment::len_ms).sum()
    }
}

/// Why a recording could not be analysed. Messages start with the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// The file cannot be opened or decoded at all (the message names it).
    #[error(transparent)]
    Audio(#[from] AudioError),
    /// Decoding failed part way through.
    #[error("{file}: analysis stopped: {reason}")]
    Read { file: String, reason: String },
    /// The file decoded to no audio frames.
    #[error("{file}: contains no audio to analyse")]
    NoAudio { file: String },
}

/// Analyse a recording, decoding it with the player's [`CallSource`](crate::audio::source::CallSource) on
/// every core (see `chunks.rs`). `progress` is called with 0..1 as the file
/// is read, and with 1.0 at the end.
pub fn analyze_file(
    path: &Path,
    layout: ChannelLayout,
    progress: &dyn Fn(f32),
) -> Result<CallAnalysis, AnalysisError> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    analyze_file_with(path, layout, progress, chunks::CHUNK_FRAMES, workers)
}

/// [`analyze_file`] with the chunk length and the number of threads chosen.
fn analyze_file_with(
    path: &Path,
    layout: ChannelLayout,
    progress: &dyn Fn(f32),
    chunk_frames: u64,
    workers: usize,
) -> Result<CallAnalysis, AnalysisError> {
    let feats = chunks::measure_file(path, layout, chunk_frames, workers, progress)?;
    if feats.frames() == 0 {
        return Err(AnalysisError::NoAudio {
            file: crate::audio::file_label(path),
        });
    }
    progress(1.0);
    Ok(analyze_features(&feats, layout))
}

/// Analyse interleaved samples (`channels` per frame, `sample_rate` Hz).
/// A trailing incomplete frame is ignored.
pub fn analyze_samples(
    interleaved: impl Iterator<Item = f32>,
    channels: u16,
    sample_rate: u32,
    layout: ChannelLayout,
) -> CallAnalysis {
    let channels = channels.max(1);
    let feats = features::extract(
        interleaved,
        channels,
        sample_rate.max(1),
        mix_for(layout, channels),
        &mut |_| {},
    );
    analyze_features(&feats, layout)
}

fn mix_for(layout: ChannelLayout, channels: u16) -> features::Mix {
    if layout == ChannelLayout::Mono || channels < 2 {
        features::Mix::Mono
    } else {
        features::Mix::Stereo
    }
}

fn analyze_features(feats: &features::Features, layout: ChannelLayout) -> CallAnalysis {
    let layout = if feats.channels.len() < 2 {
        ChannelLayout::Mono
    } else {
        layout
    };
    let speech = speech::detect(feats);
    metrics::build(feats, &speech, layout)
}
