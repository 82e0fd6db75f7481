//! Volume, automatic gain and a limiter: the last stage before the device.
//!
//! Telephony recordings are often quiet (one side at -35 dBFS is common), so
//! a reviewer who turns the system volume up for one call is deafened by the
//! next. Automatic gain follows the speech level (RMS over roughly half a
//! second) and steers it toward -20 dBFS, boosting by up to 24 dB and cutting
//! by up to 12 dB. It only moves while someone speaks: in dead air the gain is
//! held, so line noise is not pumped up between phrases. Gain rises slowly
//! (about 1 s) and falls fast (about 50 ms) so a sudden loud voice is tamed
//! at once. A soft limiter keeps every sample within ±1 whatever the volume.

/// RMS the automatic gain aims at (-20 dBFS).
const TARGET_RMS: f32 = 0.1;
/// Below this block RMS (-50 dBFS) the block counts as silence.
const GATE_RMS: f32 = 0.003;
const MAX_GAIN: f32 = 16.0;
const MIN_GAIN: f32 = 0.25;
/// Samples above this level are bent smoothly toward 1.0.
const KNEE: f32 = 0.9;

pub(super) struct Gain {
    rate: f32,
    /// Smoothed mean square of the speech, per sample.
    level: f32,
    /// Automatic gain currently applied.
    agc: f32,
}

impl Gain {
    pub(super) fn new(rate: u32) -> Gain {
        Gain {
            rate: rate.max(1) as f32,
            level: TARGET_RMS * TARGET_RMS,
            agc: 1.0,
        }
    }

    /// Apply `volume` (and the automatic gain when `auto`) to interleaved
    /// samples in place.
    pub(super) fn process(&mut self, buf: &mut [f32], channels: usize, volume: f32, auto: bool) {
        if buf.is_empty() {
            return;
        }
        let frames = (buf.len() / channels.max(1)).max(1) as f32;
        let secs = frames / self.rate;
        let gain_before = self.agc;
        if auto {
            let mean_square = buf.iter().map(|s| s * s).sum::<f32>() / buf.len() as f32;
            if mean_square.sqrt() > GATE_RMS {
                let k = 1.0 - (-secs / 0.5).exp();
                self.level += (mean_square - self.level) * k;
                let want = (TARGET_RMS / self.level.sqrt().max(1e-6)).clamp(MIN_GAIN, MAX_GAIN);
                let tau = if want < self.agc { 0.05 } else { 1.0 };
                self.agc += (want - self.agc) * (1.0 - (-secs / tau).exp());
            }
        } else {
            self.agc = 1.0;
        }
        let (from, to) = (gain_before * volume, self.agc * volume);
        let n = buf.len() as f32;
        for (i, s) in buf.iter_mut().enumerate() {
            // Ramp across the block so gain changes never click.
            let g = from + (to - from) * (i as f32 / n);
            *s = limit(*s * g);
        }
    }
}

/// Soft limiter: identity below the knee, then a tanh bend that never
/// reaches ±1.
fn limit(x: f32) -> f32 {
    let a = x.abs();
    if a <= KNEE {
        x
    } else {
        let bent = KNEE + (1.0 - KNEE) * ((a - KNEE) / (1.0 - KNEE)).tanh();
        bent.copysign(x)
    }
}
