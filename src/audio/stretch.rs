//! Pitch-preserving speed: SoundTouch's time stretch (WSOLA) with the
//! settings its authors recommend for speech.
//!
//! Why SoundTouch: rodio's `speed()` resamples, so 1.8x turns a rep into a
//! chipmunk. WSOLA cuts the audio into short overlapping sequences and drops
//! or repeats some of them, keeping the pitch. Its defaults are tuned for
//! music (long sequences, which smear syllables at high speed); speech wants
//! short ones: sequence 40 ms, seek window 15 ms, overlap 8 ms. That also
//! keeps the latency (what SoundTouch holds back) near 60 ms, so a speed
//! change is heard almost at once.
//!
//! At exactly 1x the audio bypasses SoundTouch (bit-exact, no latency); on
//! the switch back to 1x what SoundTouch still holds is flushed out first so
//! nothing is lost.

use soundtouch::{Setting, SoundTouch};

const SEQUENCE_MS: i32 = 40;
const SEEK_WINDOW_MS: i32 = 15;
const OVERLAP_MS: i32 = 8;

pub(super) struct Stretch {
    channels: usize,
    rate: u32,
    /// Created on the first use of a speed other than 1x.
    st: Option<SoundTouch>,
    /// SoundTouch holds audio (we are between 1x and not-1x).
    active: bool,
    tempo: f32,
    scratch: Vec<f32>,
}

impl Stretch {
    pub(super) fn new(channels: u16, rate: u32) -> Stretch {
        Stretch {
            channels: usize::from(channels.max(1)),
            rate: rate.max(1),
            st: None,
            active: false,
            tempo: 1.0,
            scratch: Vec::new(),
        }
    }

    /// Drop everything held (after a seek: the old audio must not play).
    pub(super) fn clear(&mut self) {
        if let Some(st) = self.st.as_mut() {
            st.clear();
        }
        self.active = false;
    }

    /// Whether the stretcher holds audio that is still to come out.
    pub(super) fn is_active(&self) -> bool {
        self.active
    }

    /// Feed interleaved `input` at `speed`, append what comes out to `out`.
    pub(super) fn process(&mut self, input: &[f32], speed: f32, out: &mut Vec<f32>) {
        let stretch = (speed - 1.0).abs() > 1e-3;
        if !stretch {
            if self.active {
                self.flush(out);
            }
            out.extend_from_slice(input);
            return;
        }
        let (channels, rate) = (self.channels, self.rate);
        let st = self
            .st
            .get_or_insert_with(|| speech_soundtouch(channels, rate));
        if !self.active || self.tempo != speed {
            st.set_tempo(f64::from(speed));
            self.tempo = speed;
        }
        self.active = true;
        let frames = input.len() / channels;
        if frames > 0 {
            st.put_samples(input, frames);
        }
        self.receive(out);
    }

    /// Push out what SoundTouch still holds (end of the call, or back to 1x).
    pub(super) fn flush(&mut self, out: &mut Vec<f32>) {
        if let Some(st) = self.st.as_mut()
            && self.active
        {
            st.flush();
            self.receive(out);
            if let Some(st) = self.st.as_mut() {
                st.clear();
            }
        }
        self.active = false;
    }

    fn receive(&mut self, out: &mut Vec<f32>) {
        let Some(st) = self.st.as_mut() else {
            return;
        };
        loop {
            let ready = usize::try_from(st.num_samples()).unwrap_or(0);
            if ready == 0 {
                break;
            }
            self.scratch.resize(ready * self.channels, 0.0);
            let got = st.receive_samples(&mut self.scratch, ready);
            if got == 0 {
                break;
            }
            out.extend_from_slice(&self.scratch[..got * self.channels]);
        }
    }
}

fn speech_soundtouch(channels: usize, rate: u32) -> SoundTouch {
    let mut st = SoundTouch::new();
    st.set_channels(channels as u32)
        .set_sample_rate(rate)
        .set_setting(Setting::SequenceMs, SEQUENCE_MS)
        .set_setting(Setting::SeekwindowMs, SEEK_WINDOW_MS)
        .set_setting(Setting::OverlapMs, OVERLAP_MS)
        .set_setting(Setting::UseQuickseek, 0);
    st
}
