//! Feeding one side to webrtc-vad, as rarely as the result allows.
//!
//! webrtc-vad is the dearest step of the analysis (its sub-band split filter
//! runs on every sample it sees), so it is asked only where its answer can
//! change the result:
//!
//! * A block whose frames are all below the energy gate or are the other
//!   side's echo is not speech whatever webrtc-vad says (`features.rs`
//!   decides "matters" per frame). One such block in [`KEEP_EVERY`] is still
//!   fed, its answer unused, so the noise model keeps following the line.
//! * Inside a stretch of blocks that matter, only every [`STRIDE`]-th block
//!   is asked. When two asked blocks agree, the blocks between them take the
//!   same answer; when they differ, the blocks between are asked too, so
//!   every change of decision is still found to the block. What this can
//!   miss is a flip of fewer than [`STRIDE`] blocks (shorter than
//!   [`MIN_SPEECH_MS`](super::MIN_SPEECH_MS)) between two agreeing asked
//!   blocks: a pause that short inside speech is closed by smoothing
//!   ([`MERGE_GAP_MS`](super::MERGE_GAP_MS)) anyway, and speech that short is
//!   dropped unless other speech is near.
//! * The cost of the shortcut: webrtc-vad's hangover (it keeps saying
//!   "voice" for three calls after speech ends) counts calls, not time, so
//!   on a stride it lasts up to `3 × STRIDE` blocks (450 ms) instead of 90
//!   ms. It only matters where a pause is louder than the side's noise gate
//!   (a breath, a quiet word, room echo): there a pause of up to about
//!   half a second inside a turn can be taken for speech. On the test calls
//!   (real speech, a line hissing above the gate) that moved talk time by
//!   at most 0.5 s in a minute, within the analysis' 1 s tolerance. Not
//!   striding once webrtc-vad has said "voice" doubled the analysis time of
//!   the benchmark's hour-long WAV (227 ms against 110 ms).
//!
//! Blocks are [`BLOCK_FRAMES`] analysis frames (30 ms): webrtc-vad takes 10,
//! 20 or 30 ms, costs about a third less per second on 30 ms and decides
//! better with the longer context. Each 10 ms frame keeps its own "matters",
//! so boundaries stay at 10 ms. webrtc-vad always gets 8 kHz
//! ([`Decimator`]), rendered only for the blocks it is asked about.

use webrtc_vad::{SampleRate, Vad, VadMode};

use super::decimate::{Decimator, VAD_RATE, to_i16};

/// Analysis frames per webrtc-vad call.
pub(crate) const BLOCK_FRAMES: usize = 3;

/// Of the blocks webrtc-vad need not see, feed it one in this many.
const KEEP_EVERY: u32 = 8;

/// Inside a stretch that matters, ask webrtc-vad about one block in this
/// many: as many blocks as [`MIN_SPEECH_MS`](super::MIN_SPEECH_MS) lasts, so
/// any run of speech long enough to be kept contains an asked block, and the
/// run's edges are then found by asking the blocks between.
pub(crate) const STRIDE: usize =
    (super::MIN_SPEECH_MS / (super::FRAME_MS * BLOCK_FRAMES as u64)) as usize;

/// 8 kHz samples per analysis frame.
const VAD_FRAME: usize = (VAD_RATE / 100) as usize;

/// One block waiting for its decision.
#[derive(Clone, Copy)]
struct Block {
    /// Index of its first frame, counted from the start of the feed.
    first_frame: u64,
    frames: usize,
    matters: [bool; BLOCK_FRAMES],
}

impl Block {
    fn any(&self) -> bool {
        self.matters[..self.frames].iter().any(|&m| m)
    }
}

/// One side's webrtc-vad and what it has not decided yet.
pub(crate) struct VadFeed {
    vad: Vad,
    rate: u32,
    /// None at 8 kHz.
    decimator: Option<Decimator>,
    /// This side's samples at the source rate, from sample `hist_start` on;
    /// kept back as far as the oldest undecided block (and its filter) needs.
    hist: Vec<f32>,
    hist_start: u64,
    /// The block being collected.
    current: Block,
    /// Blocks that matter, waiting for the next asked block.
    held: Vec<Block>,
    /// The decision of the block just before `held`, if it mattered.
    last: Option<bool>,
    /// Blocks in a row that did not matter.
    skipped: u32,
    /// [`STRIDE`], or 1 to ask about every block (tests compare the two).
    stride: usize,
    /// Scratch: one block at 8 kHz.
    pcm: Vec<i16>,
    /// webrtc-vad calls made (for tests and the curious).
    pub(crate) calls: u64,
}

impl VadFeed {
    pub(crate) fn new(rate: u32) -> VadFeed {
        VadFeed {
            vad: Vad::new_with_rate_and_mode(SampleRate::Rate8kHz, VadMode::Aggressive),
            rate: rate.max(1),
            decimator: Decimator::new(rate),
            hist: Vec::with_capacity(rate as usize / 10),
            hist_start: 0,
            current: Block {
                first_frame: 0,
                frames: 0,
                matters: [false; BLOCK_FRAMES],
            },
            held: Vec::with_capacity(STRIDE),
            last: None,
            skipped: 0,
            stride: STRIDE,
            pcm: vec![0; VAD_FRAME * BLOCK_FRAMES],
            calls: 0,
        }
    }

    /// Ask about every `stride`-th block that matters (see the module docs).
    #[cfg(test)]
    pub(crate) fn set_stride(&mut self, stride: usize) {
        self.stride = stride.max(1);
    }

    /// Where the next analysis frame's samples go (appended by the caller,
    /// then [`VadFeed::close_frame`]).
    pub(crate) fn samples(&mut self) -> &mut Vec<f32> {
        &mut self.hist
    }

    /// The last `len` samples appended.
    pub(crate) fn latest(&self, len: usize) -> &[f32] {
        &self.hist[self.hist.len() - len.min(self.hist.len())..]
    }

    /// The frame just appended is complete; `matters`: its decision can
    /// change the result. Decisions are appended to `out` in frame order,
    /// a block or a few at a time.
    pub(crate) fn close_frame(&mut self, matters: bool, out: &mut Vec<bool>) {
        let b = &mut self.current;
        b.matters[b.frames] = matters;
        b.frames += 1;
        if b.frames == BLOCK_FRAMES {
            self.close_block(out);
        }
    }

    /// Decide everything still pending.
    pub(crate) fn finish(&mut self, out: &mut Vec<bool>) {
        if self.current.frames > 0 {
            self.close_block(out);
        }
        self.resolve_held_one_by_one(out);
    }

    fn close_block(&mut self, out: &mut Vec<bool>) {
        let block = self.current;
        self.current = Block {
            first_frame: block.first_frame + block.frames as u64,
            frames: 0,
            matters: [false; BLOCK_FRAMES],
        };
        if !block.any() {
            self.resolve_held_one_by_one(out);
            self.last = None;
            self.skipped += 1;
            if self.skipped.is_multiple_of(KEEP_EVERY) {
                self.ask(&block);
            }
            emit(&block, false, out);
        } else {
            self.skipped = 0;
            match self.last {
                Some(_) if self.held.len() + 1 < self.stride => self.held.push(block),
                Some(before) => {
                    let decision = self.ask(&block);
                    if decision == before {
                        for h in self.held.drain(..) {
                            emit(&h, decision, out);
                        }
                    } else {
                        self.resolve_held_one_by_one(out);
                    }
                    emit(&block, decision, out);
                    self.last = Some(decision);
                }
                None => {
                    let decision = self.ask(&block);
                    emit(&block, decision, out);
                    self.last = Some(decision);
                }
            }
        }
        self.trim_history();
    }

    fn resolve_held_one_by_one(&mut self, out: &mut Vec<bool>) {
        let held = std::mem::take(&mut self.held);
        for h in &held {
            let decision = self.ask(h);
            emit(h, decision, out);
        }
        self.held = held;
        self.held.clear();
    }

    /// webrtc-vad's answer for one block.
    fn ask(&mut self, block: &Block) -> bool {
        let n = block.frames * VAD_FRAME;
        let first = block.first_frame * VAD_FRAME as u64;
        match &self.decimator {
            Some(d) => d.render(&self.hist, self.hist_start, first, &mut self.pcm[..n]),
            None => {
                let from = ((first - self.hist_start) as usize).min(self.hist.len());
                let have = (self.hist.len() - from).min(n);
                for (slot, &x) in self.pcm.iter_mut().zip(&self.hist[from..from + have]) {
                    *slot = to_i16(x);
                }
                self.pcm[have..n].fill(0);
            }
        }
        self.calls += 1;
        self.vad.is_voice_segment(&self.pcm[..n]).unwrap_or(false)
    }

    /// Drop the samples no undecided block can need any more.
    fn trim_history(&mut self) {
        let oldest = self
            .held
            .first()
            .map_or(self.current.first_frame, |b| b.first_frame);
        let reach = self.decimator.as_ref().map_or(0, |d| d.taps() as u64 + 2);
        let keep_from = (oldest * u64::from(self.rate) / 100).saturating_sub(reach);
        let drop = keep_from.saturating_sub(self.hist_start) as usize;
        // Drain in large steps: a drain moves what is kept.
        if drop >= self.hist.capacity() / 2 && drop > 0 {
            let drop = drop.min(self.hist.len());
            self.hist.drain(..drop);
            self.hist_start += drop as u64;
        }
    }
}

fn emit(block: &Block, decision: bool, out: &mut Vec<bool>) {
    out.extend(block.matters[..block.frames].iter().map(|&m| m && decision));
}
