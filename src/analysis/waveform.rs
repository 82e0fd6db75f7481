//! A compact waveform overview: peak level per bucket and channel.
//!
//! The player draws the whole call on one line of 80-400 columns, so a fixed
//! number of buckets ([`Waveform::MAX_BUCKETS`]) is plenty at any length and
//! keeps the cached JSON small (a few KB) whether the call lasts 20 seconds or
//! two hours. Peaks are stored on a dB scale, not linear: telephony speech
//! sits 20-35 dB below full scale, and on a linear scale quiet lines would
//! draw as a flat line while a dB scale shows every side's turns.

use serde::{Deserialize, Serialize};

use super::Segment;
use super::features::Features;

/// Peak level per bucket: `peaks[channel][bucket]`, 0 for
/// [`Waveform::FLOOR_DBFS`] or less, 255 for full scale, linear in dB.
/// Channels in file order (left, right) for stereo, one for mono; the
/// analysis `layout` says which one is the rep. Bucket `i` of `n` covers
/// `[i * duration / n, (i + 1) * duration / n)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waveform {
    pub duration_ms: u64,
    pub peaks: Vec<Vec<u8>>,
}

impl Waveform {
    /// Buckets per channel at most (fewer for calls under 10.24 s: one per
    /// 10 ms frame).
    pub const MAX_BUCKETS: usize = 1024;
    /// The level drawn as 0.
    pub const FLOOR_DBFS: f32 = -60.0;

    pub(crate) fn build(f: &Features) -> Waveform {
        let frames = f.frames();
        let buckets = frames.min(Self::MAX_BUCKETS);
        let peaks = f
            .channels
            .iter()
            .map(|c| {
                (0..buckets)
                    .map(|b| {
                        let from = b * frames / buckets;
                        let to = ((b + 1) * frames / buckets).max(from + 1);
                        let peak = c.peak[from..to].iter().copied().fold(0.0, f32::max);
                        Self::encode(peak)
                    })
                    .collect()
            })
            .collect();
        Waveform {
            duration_ms: f.duration_ms(),
            peaks,
        }
    }

    /// Number of buckets per channel.
    pub fn buckets(&self) -> usize {
        self.peaks.first().map_or(0, Vec::len)
    }

    /// The stretch of the recording bucket `i` covers.
    pub fn bucket_span(&self, i: usize) -> Segment {
        let n = self.buckets().max(1) as u64;
        let i = i as u64;
        Segment {
            start_ms: i * self.duration_ms / n,
            end_ms: (i + 1) * self.duration_ms / n,
        }
    }

    /// Peaks of `channel` resampled to `columns` (the loudest bucket under
    /// each column, so short loud bursts are never lost when shrinking).
    pub fn columns(&self, channel: usize, columns: usize) -> Vec<u8> {
        let Some(peaks) = self.peaks.get(channel) else {
            return vec![0; columns];
        };
        let n = peaks.len();
        if n == 0 {
            return vec![0; columns];
        }
        (0..columns)
            .map(|col| {
                let from = col * n / columns;
                let to = ((col + 1) * n / columns).max(from + 1).min(n);
                peaks[from.min(n - 1)..to]
                    .iter()
                    .copied()
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// A peak magnitude (0..1) as a stored value.
    pub fn encode(peak: f32) -> u8 {
        if peak <= 0.0 {
            return 0;
        }
        let db = 20.0 * peak.log10();
        let x = (db - Self::FLOOR_DBFS) / -Self::FLOOR_DBFS * 255.0;
        x.round().clamp(0.0, 255.0) as u8
    }

    /// A stored value back to dBFS.
    pub fn to_dbfs(value: u8) -> f32 {
        Self::FLOOR_DBFS + f32::from(value) / 255.0 * -Self::FLOOR_DBFS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::features::{Features, SideFrames};

    #[test]
    fn encoding_is_linear_in_db() {
        assert_eq!(Waveform::encode(1.0), 255);
        assert_eq!(Waveform::encode(0.0), 0);
        assert_eq!(Waveform::encode(0.0001), 0);
        assert_eq!(Waveform::encode(0.1), 170); // -20 dBFS
        assert!((Waveform::to_dbfs(170) + 20.0).abs() < 0.2);
    }

    #[test]
    fn long_calls_get_max_buckets_and_columns_keep_the_peaks() {
        let frames = 360_000; // one hour
        let mut peak = vec![0.001f32; frames];
        peak[123_456] = 1.0;
        let f = Features {
            sample_rate: 8000,
            samples: frames as u64 * 80,
            channels: vec![SideFrames {
                peak,
                ..SideFrames::default()
            }],
        };
        // Features::frames counts energy frames; give it some.
        let mut f = f;
        f.channels[0].energy_db = vec![-60.0; frames];
        let w = Waveform::build(&f);
        assert_eq!(w.buckets(), Waveform::MAX_BUCKETS);
        assert_eq!(w.duration_ms, 3_600_000);
        let loud = w.peaks[0].iter().position(|&p| p == 255).unwrap();
        assert!(w.bucket_span(loud).contains(1_234_560));
        for width in [80, 200, 400, 2000] {
            let cols = w.columns(0, width);
            assert_eq!(cols.len(), width);
            assert_eq!(cols.iter().filter(|&&p| p == 255).count().min(1), 1);
        }
        assert_eq!(w.columns(5, 10), vec![0; 10]);
    }
}
