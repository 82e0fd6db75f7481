//! Measuring a recording on every core, a chunk at a time.
//!
//! Why: decoding and measuring an hour-long call on one core takes longer
//! than ffmpeg needs to merely decode it. The recording is cut into chunks
//! of [`CHUNK_FRAMES`]; worker threads (one per core) each open their own
//! [`CallSource`], take the next chunk, seek to it and decode and measure it
//! with an [`Extractor`] of its own; the chunks' features are joined in order.
//!
//! The chunk boundaries are fixed, not derived from the number of cores, so
//! a recording gets the same analysis on any machine. Each chunk after the
//! first starts [`WARMUP_FRAMES`] early: those frames prime webrtc-vad's
//! noise model and the bleed window and are then dropped, so a chunk's
//! decisions are nearly those of one pass over the whole file (the analysis
//! tests compare the two). Recordings up to one chunk long are one pass.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use rodio::Source;

use super::features::{Extractor, Features, Mix, frame_start};
use super::{AnalysisError, ChannelLayout, mix_for};
use crate::audio::file_label;
use crate::audio::source::CallSource;

/// Two minutes of 10 ms frames: 30 chunks for an hour, so two or four cores
/// finish at nearly the same time, while the warm-up adds under 2%.
pub(crate) const CHUNK_FRAMES: u64 = 12_000;

/// Two seconds before each chunk: webrtc-vad adapts within a second.
/// A whole number of webrtc-vad blocks, so a chunk's blocks line up with
/// those of one pass over the file.
pub(crate) const WARMUP_FRAMES: u64 = 201;

/// At most this many chunks (two weeks of audio); the last chunk reads to
/// the end whatever length the container claims.
const MAX_CHUNKS: u64 = 10_000;

/// Report progress after about this many sample frames per worker.
const PROGRESS_SAMPLES: u64 = 80_000;

/// What workers tell the thread that waits for them (it waits until every
/// worker has dropped its sender).
enum Report {
    /// Sample frames decoded since the last report.
    Read(u64),
}

/// Decode and measure `path` (its sides as `layout` says) in chunks of
/// `chunk_frames` on up to `workers` threads. `progress` gets 0..1.
pub(crate) fn measure_file(
    path: &Path,
    layout: ChannelLayout,
    chunk_frames: u64,
    workers: usize,
    progress: &dyn Fn(f32),
) -> Result<Features, AnalysisError> {
    // Opening refuses sample rates and lengths no recording can have
    // (`audio::probe`), so every size below is bounded by the file.
    let first = CallSource::open(path)?;
    let results = measure_chunks(first, path, layout, chunk_frames, workers, progress);
    join(results, chunk_frames.max(WARMUP_FRAMES + 1))?.ok_or_else(|| AnalysisError::NoAudio {
        file: file_label(path),
    })
}

/// Each chunk's features, in order; `None` for the chunks never measured
/// (after a failure, or past the real end of the audio).
pub(crate) fn measure_chunks(
    first: CallSource,
    path: &Path,
    layout: ChannelLayout,
    chunk_frames: u64,
    workers: usize,
    progress: &dyn Fn(f32),
) -> Vec<Option<Result<Features, AnalysisError>>> {
    let channels = first.channels().get();
    let mix = mix_for(layout, channels);
    let rate = first.sample_rate().get().max(1);
    let controls = first.controls();
    let total_samples = controls
        .total_frames()
        .unwrap_or(first.info().duration_ms * u64::from(rate) / 1000);
    let total_frames = total_samples.saturating_mul(100).div_ceil(u64::from(rate));
    let chunk_frames = chunk_frames.max(WARMUP_FRAMES + 1);
    let chunks = total_frames.div_ceil(chunk_frames).clamp(1, MAX_CHUNKS) as usize;
    let plan = Plan {
        path,
        channels,
        rate,
        mix,
        chunk_frames,
        chunks,
        total_frames,
    };
    let workers = workers.clamp(1, chunks);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Features, AnalysisError>>>> =
        Mutex::new((0..chunks).map(|_| None).collect());
    let (tx, rx) = mpsc::channel();
    progress(0.0);
    std::thread::scope(|scope| {
        let mut first = Some(first);
        for w in 0..workers {
            let (plan, next, results, worker_tx) = (&plan, &next, &results, tx.clone());
            let source = first.take();
            let spawned = std::thread::Builder::new()
                .name(format!("callqa-analysis-{w}"))
                .spawn_scoped(scope, move || plan.work(source, next, results, &worker_tx));
            if let Err(e) = spawned {
                // Fewer workers is fine as long as one runs; the chunks
                // left are taken by the others.
                if w == 0 {
                    results.lock().unwrap_or_else(|p| p.into_inner())[0] =
                        Some(Err(AnalysisError::Read {
                            file: file_label(path),
                            reason: format!("cannot start an analysis thread: {e}"),
                        }));
                    next.store(chunks, Ordering::SeqCst);
                }
            }
        }
        drop(tx);
        let mut read = 0u64;
        for report in rx {
            let Report::Read(n) = report;
            read += n;
            if total_samples > 0 {
                progress((read as f64 / total_samples as f64).min(1.0) as f32);
            }
        }
    });
    results.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// The chunks' features in order, up to the first chunk that came out
/// short (a file shorter than its header says: what follows is beyond
/// its end).
fn join(
    results: Vec<Option<Result<Features, AnalysisError>>>,
    chunk_frames: u64,
) -> Result<Option<Features>, AnalysisError> {
    let mut joined: Option<Features> = None;
    for result in results {
        let Some(result) = result else { break };
        let features = result?;
        let short = (features.frames() as u64) < chunk_frames;
        match &mut joined {
            None => joined = Some(features),
            Some(all) => all.append(features),
        }
        if short {
            break;
        }
    }
    Ok(joined)
}

/// What every worker needs to know.
struct Plan<'a> {
    path: &'a Path,
    channels: u16,
    rate: u32,
    mix: Mix,
    chunk_frames: u64,
    chunks: usize,
    /// Frames the recording is expected to have (the last chunk may find
    /// more or fewer).
    total_frames: u64,
}

impl Plan<'_> {
    fn work(
        &self,
        source: Option<CallSource>,
        next: &AtomicUsize,
        results: &Mutex<Vec<Option<Result<Features, AnalysisError>>>>,
        tx: &mpsc::Sender<Report>,
    ) {
        let mut source = source;
        loop {
            let index = next.fetch_add(1, Ordering::SeqCst);
            if index >= self.chunks {
                return;
            }
            let result = match source
                .take()
                .map_or_else(|| CallSource::open(self.path), Ok)
            {
                Ok(s) => self.measure_chunk(source.insert(s), index, tx),
                Err(e) => Err(e.into()),
            };
            // A failure fails the analysis; a chunk that came out short
            // is the real end of the audio, however long the header said
            // it was. Either way no later chunk is wanted (`join` stops
            // there): measuring them would only hold memory for nothing.
            let last = index + 1 == self.chunks;
            let done = result
                .as_ref()
                .map_or(true, |f| !last && (f.frames() as u64) < self.chunk_frames);
            results.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(result);
            if done {
                next.store(self.chunks, Ordering::SeqCst);
                return;
            }
        }
    }

    fn measure_chunk(
        &self,
        source: &mut CallSource,
        index: usize,
        tx: &mpsc::Sender<Report>,
    ) -> Result<Features, AnalysisError> {
        let controls = source.controls();
        let start = index as u64 * self.chunk_frames;
        let warmup = if index == 0 {
            0
        } else {
            WARMUP_FRAMES.min(start)
        };
        let from = start - warmup;
        let last = index + 1 == self.chunks;
        let from_sample = frame_start(from, self.rate);
        if controls.position_frames() != from_sample {
            controls.seek_frames(from_sample);
        }
        // Sample frames this chunk reads (the last one reads to the end).
        let wanted =
            (!last).then(|| frame_start(start + self.chunk_frames, self.rate) - from_sample);
        let channels = usize::from(self.channels.max(1));
        let frames = (warmup
            + self
                .chunk_frames
                .min(self.total_frames.saturating_sub(start))) as usize;
        let mut extractor = Extractor::new(
            self.channels,
            self.rate,
            self.mix,
            from,
            warmup as usize,
            frames,
        );
        let mut read = 0u64;
        let mut unreported = 0u64;
        while let Some(block) = source.next_block() {
            let mut got = (block.len() / channels) as u64;
            if read == 0 && got > 0 {
                // A seek that landed late (broken timestamps): keep the
                // frames in place by measuring the gap as silence.
                let landed = controls.position_frames().saturating_sub(got);
                let gap = landed.saturating_sub(from_sample);
                let gap = wanted.map_or(gap, |w| gap.min(w));
                if gap > 0 {
                    extractor.push(&vec![0.0; gap as usize * channels]);
                    read += gap;
                }
            }
            if let Some(w) = wanted {
                got = got.min(w.saturating_sub(read));
            }
            extractor.push(&block[..got as usize * channels]);
            read += got;
            unreported += got;
            if unreported >= PROGRESS_SAMPLES {
                let _ = tx.send(Report::Read(unreported));
                unreported = 0;
            }
            if wanted.is_some_and(|w| read >= w) {
                break;
            }
        }
        let _ = tx.send(Report::Read(unreported));
        if let Some(reason) = controls.error() {
            return Err(AnalysisError::Read {
                file: file_label(self.path),
                reason,
            });
        }
        Ok(extractor.finish())
    }
}
