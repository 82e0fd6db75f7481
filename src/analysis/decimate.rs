//! Any sample rate down to the 8 kHz webrtc-vad decides on, computed only for
//! the stretches that get a decision.
//!
//! Why our own: webrtc-vad accepts 8, 16, 32 and 48 kHz but works at 8 kHz
//! inside, and its 48 → 32 → 16 → 8 kHz chain (after our interpolation of
//! 44.1 kHz up to 48 kHz) cost more than decoding the MP3. A windowed-sinc
//! low-pass evaluated only at the 8 kHz output instants costs a dot product
//! per output sample, and nothing at all for the blocks whose decision
//! cannot matter (silence, the other side's echo): those are never computed.
//! The general resampling crates convert whole streams, which is the cost
//! this avoids.
//!
//! The filter is causal: output sample `m` is built from input samples up to
//! `m × rate / 8000`, so the 8 kHz signal lags the input by half the filter,
//! [`LOBES`] / 2 output periods (1 ms). That is a tenth of an analysis frame.

/// The rate webrtc-vad is fed.
pub(crate) const VAD_RATE: u32 = 8000;

/// Filter length in output periods (8 kHz samples). 16 gives a Blackman
/// transition of about 2.7 kHz: flat to about 2.4 kHz, -74 dB from 5.2 kHz,
/// so only 4-5.2 kHz folds (attenuated) into webrtc-vad's top band.
const LOBES: u32 = 16;

/// Cut-off, Hz (the -6 dB point).
const CUTOFF_HZ: f64 = 3_800.0;

/// Fractional input positions are rounded to this many phases (1/128 of an
/// input sample at worst: far below what a VAD can notice).
const PHASES: usize = 64;

/// A fixed-ratio low-pass resampler from any rate to [`VAD_RATE`], evaluated
/// on demand over a caller-kept history of input samples.
pub(crate) struct Decimator {
    /// Input samples per output sample.
    step: f64,
    /// Filter taps (input samples per output sample).
    taps: usize,
    /// `PHASES + 1` rows of `taps` coefficients, each row in input order
    /// (oldest sample first), for fractional positions `p / PHASES`.
    table: Vec<f32>,
}

impl Decimator {
    /// None when the input is already at [`VAD_RATE`]. Rates below it are
    /// interpolated up with the same filter (cut below their own Nyquist).
    pub(crate) fn new(rate: u32) -> Option<Decimator> {
        if rate == VAD_RATE || rate == 0 {
            return None;
        }
        let step = f64::from(rate) / f64::from(VAD_RATE);
        let taps = (f64::from(LOBES) * step.max(1.0)).ceil() as usize;
        let fc = CUTOFF_HZ.min(0.45 * f64::from(rate)) / f64::from(rate);
        let half = taps as f64 / 2.0;
        let mut table = Vec::with_capacity((PHASES + 1) * taps);
        for p in 0..=PHASES {
            let frac = p as f64 / PHASES as f64;
            let row: Vec<f64> = (0..taps)
                .map(|j| {
                    // Distance of tap j from the filter's centre, which sits
                    // half the filter behind the output instant.
                    let d = j as f64 + 1.0 - half - frac;
                    let sinc = if d.abs() < 1e-9 {
                        2.0 * fc
                    } else {
                        (2.0 * std::f64::consts::PI * fc * d).sin() / (std::f64::consts::PI * d)
                    };
                    sinc * blackman(d / half)
                })
                .collect();
            let sum: f64 = row.iter().sum();
            table.extend(row.iter().map(|&c| (c / sum) as f32));
        }
        Some(Decimator { step, taps, table })
    }

    /// Input samples the filter reaches back from an output instant.
    pub(crate) fn taps(&self) -> usize {
        self.taps
    }

    /// Output samples `first..first + out.len()` (counted at [`VAD_RATE`]
    /// from input sample 0) into `out`, from `input`, which holds the input
    /// samples from index `input_start` on. Samples before `input_start` or
    /// past the end of `input` count as silence.
    pub(crate) fn render(&self, input: &[f32], input_start: u64, first: u64, out: &mut [i16]) {
        for (k, slot) in out.iter_mut().enumerate() {
            let x = (first + k as u64) as f64 * self.step;
            let mut i0 = x.floor() as i64;
            let mut phase = ((x - i0 as f64) * PHASES as f64).round() as usize;
            if phase == PHASES {
                phase = 0;
                i0 += 1;
            }
            // Taps cover input samples i0 + 1 - taps ..= i0.
            let from = i0 + 1 - self.taps as i64 - input_start as i64;
            let coeffs = &self.table[phase * self.taps..(phase + 1) * self.taps];
            let y = if from >= 0 && from as usize + self.taps <= input.len() {
                dot(coeffs, &input[from as usize..from as usize + self.taps])
            } else {
                coeffs
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| {
                        let i = from + j as i64;
                        if i >= 0 && (i as usize) < input.len() {
                            c * input[i as usize]
                        } else {
                            0.0
                        }
                    })
                    .sum()
            };
            *slot = to_i16(y);
        }
    }
}

/// Full-scale and over-range samples are clamped. (`as` saturates too, but
/// clamping first lets the compiler convert a block at a time.)
pub(crate) fn to_i16(x: f32) -> i16 {
    (x * 32768.0).clamp(-32768.0, 32767.0) as i32 as i16
}

/// Written with independent lanes so the compiler vectorises it.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 8;
    let mut acc = [0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for j in 0..LANES {
            acc[j] += x[j] * y[j];
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// The Blackman window over -1..1.
fn blackman(t: f64) -> f64 {
    if t.abs() > 1.0 {
        return 0.0;
    }
    let a = std::f64::consts::PI * (t + 1.0);
    0.42 - 0.5 * a.cos() + 0.08 * (2.0 * a).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(rate: u32, hz: f64, secs: f64) -> Vec<f32> {
        let n = (f64::from(rate) * secs) as usize;
        (0..n)
            .map(|i| (0.5 * (i as f64 * hz * std::f64::consts::TAU / f64::from(rate)).sin()) as f32)
            .collect()
    }

    fn rms_out(rate: u32, hz: f64) -> f64 {
        let d = Decimator::new(rate).expect("above 8 kHz");
        let input = sine(rate, hz, 0.5);
        // Skip the first 20 ms (the filter filling up).
        let mut out = vec![0i16; 3000];
        d.render(&input, 0, 160, &mut out);
        let p: f64 = out.iter().map(|&s| (f64::from(s) / 32768.0).powi(2)).sum();
        (p / out.len() as f64).sqrt()
    }

    #[test]
    fn speech_band_passes_and_what_would_fold_is_stopped() {
        for rate in [11_025, 16_000, 22_050, 44_100, 48_000, 96_000] {
            // A 0.5 sine has an RMS of 0.354.
            let pass = rms_out(rate, 1_000.0);
            assert!((pass - 0.354).abs() < 0.01, "{rate} Hz: 1 kHz at {pass}");
            // What would fold into the speech band: 6.5 kHz, or just under
            // the input's own Nyquist frequency. 60 dB down.
            let hz = 6_500f64.min(0.48 * f64::from(rate));
            let stop = rms_out(rate, hz);
            assert!(stop < 0.354 * 0.001, "{rate} Hz: {hz} Hz leaks at {stop}");
        }
    }

    #[test]
    fn rendering_a_block_alone_matches_rendering_the_whole() {
        let rate = 44_100;
        let d = Decimator::new(rate).unwrap();
        let input = sine(rate, 700.0, 0.2);
        let mut whole = vec![0i16; 1600];
        d.render(&input, 0, 0, &mut whole);
        // The block 800..1040 needs input from (800 * step - taps) on.
        let from = (800.0 * 44_100.0 / 8000.0) as usize - d.taps() - 2;
        let mut block = vec![0i16; 240];
        d.render(&input[from..], from as u64, 800, &mut block);
        assert_eq!(&whole[800..1040], &block[..]);
        assert!(Decimator::new(8000).is_none());
    }

    #[test]
    fn a_rate_below_8_khz_is_interpolated_up() {
        let pass = rms_out(6_000, 1_000.0);
        assert!((pass - 0.354).abs() < 0.01, "1 kHz at {pass}");
    }
}
