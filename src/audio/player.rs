//! The playback thread.
//!
//! One thread owns the output device (on some platforms a device stream may
//! not even move between threads) and the current recording. The UI talks to
//! it only through [`PlayerHandle`]: `send` pushes a command on an unbounded
//! channel (never blocks) and `status` takes a snapshot whose position comes
//! from the source's atomics (never waits for audio). Slow work (probing a
//! long MP3, opening a device) happens on the thread, not in the UI loop.
//!
//! Output is either the default device through rodio's mixer or a *null
//! clock*: a thread that pulls samples from a device-less `rodio::Player`
//! queue at real-time rate (in 20 ms slices) and discards them. The null clock
//! is what makes playback, position, speed and end-of-call behave the same
//! over SSH and in CI; it is also the fallback when the device cannot be
//! opened or is lost mid-session, with the reason in [`OutputState::NoDevice`].
//!
//! Each loaded recording gets its own `rodio::Player` (dropping it stops the
//! old one at once) fed by a [`Chain`]: the call's source, then channel solo,
//! pitch-kept speed and gain. Pause, seek, skip silence and position live in
//! the source's [`Controls`]; speed, channel mode, volume and automatic gain
//! in the shared [`Effects`], which outlive a call so the reviewer's choices
//! carry over to the next one. rodio's own speed stage is never used (it
//! shifts the pitch). Everything that changes timing sits after the source,
//! so the position stays in recording time.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::AudioError;
use super::chain::{Chain, Effects};
pub use super::chain::{ChannelMode, MAX_SPEED, MAX_VOLUME, MIN_SPEED};
use super::output::Output;
use super::source::{CallSource, Controls};

/// Where the sound goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputChoice {
    /// The default device; if it cannot be opened, fall back to the null clock
    /// and report `NoDevice(reason)`.
    Device,
    /// No device: samples are consumed at real-time rate and discarded.
    Null,
}

/// What the output actually is, for the status line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputState {
    /// Playing through a device: its name and stream configuration.
    Device(String),
    /// No sound (null clock): one line saying why.
    NoDevice(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlayerCommand {
    /// Open a recording, paused at 0 (the reviewer presses Space to play).
    Load(PathBuf),
    /// Play; after the end, restart from 0.
    Play,
    Pause,
    TogglePause,
    /// Jump to a recording time (clamped to the length).
    Seek(Duration),
    /// Jump by milliseconds, negative for back.
    SeekBy(i64),
    /// Playback speed, clamped to `MIN_SPEED..=MAX_SPEED`; the pitch is kept.
    SetSpeed(f32),
    /// Dead-air ranges of the loaded call (recording time), for skip
    /// silence. Loading another call clears them.
    SetSkipRanges(Vec<(Duration, Duration)>),
    /// Jump over the skip ranges while playing (kept across calls).
    SetSkipSilence(bool),
    /// Hear both sides, or one side of a stereo call in both ears (kept
    /// across calls; mono recordings ignore it).
    SetChannelMode(ChannelMode),
    /// Volume factor, clamped to `0.0..=MAX_VOLUME` (kept across calls).
    SetVolume(f32),
    /// Automatic gain for quiet recordings (kept across calls).
    SetAutoGain(bool),
    Unload,
    Shutdown,
}

/// A snapshot for the UI. `position` and `duration` are recording time.
#[derive(Clone, Debug)]
pub struct PlayerStatus {
    pub loaded: Option<PathBuf>,
    pub position: Duration,
    pub duration: Option<Duration>,
    pub playing: bool,
    pub speed: f32,
    pub output: OutputState,
    pub error: Option<String>,
    /// When `error` is a recording that would not open: the typed error,
    /// for the screen to word in the reviewer's language.
    pub recording_error: Option<AudioError>,
    pub finished: bool,
    /// Skip silence is on.
    pub skip_silence: bool,
    /// Recording time jumped over by skip silence in this call so far.
    pub skipped: Duration,
    pub channel_mode: ChannelMode,
    pub volume: f32,
    pub auto_gain: bool,
}

/// State the thread publishes; locked only for short copies, never across audio work.
struct Shared {
    loaded: Option<PathBuf>,
    controls: Option<Arc<Controls>>,
    effects: Arc<Effects>,
    skip_silence: bool,
    output: OutputState,
    error: Option<String>,
    recording_error: Option<AudioError>,
    /// The supervisor restarted the playback thread: why, until the
    /// reviewer loads another call.
    restarted: Option<String>,
    device_error: Option<String>,
    /// When the last device error came: a glitch the stream survives
    /// (ALSA's pulse plugin reports one at start) is shown only briefly.
    device_error_at: Option<std::time::Instant>,
}

/// How long a device error the stream survived stays in the status.
const DEVICE_GLITCH_SHOWN: Duration = Duration::from_secs(3);

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// The UI's handle on the playback thread. Dropping it stops the thread.
///
/// It is also the thread's supervisor: should the thread ever die (every
/// command already runs under `catch_unwind`, so only a panic outside one
/// gets that far), the next `send` or `status` starts a new one, reloads
/// the call where it was, and says so in `PlayerStatus::error`.
pub struct PlayerHandle {
    choice: OutputChoice,
    shared: Arc<Mutex<Shared>>,
    worker: Mutex<Worker>,
}

/// The playback thread and its command channel.
struct Worker {
    tx: Sender<PlayerCommand>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn spawn(choice: OutputChoice, shared: &Arc<Mutex<Shared>>) -> Worker {
        let (tx, rx) = mpsc::channel();
        let thread_shared = Arc::clone(shared);
        let thread = thread::Builder::new()
            .name("callqa-audio".into())
            .spawn(move || run(choice, &rx, &thread_shared));
        let thread = match thread {
            Ok(handle) => Some(handle),
            Err(err) => {
                lock(shared).error = Some(format!("cannot start the audio thread: {err}"));
                None
            }
        };
        Worker { tx, thread }
    }
}

impl PlayerHandle {
    /// Start the playback thread. Returns at once; the device is opened on
    /// the thread and `status().output` says what came of it.
    pub fn spawn(choice: OutputChoice) -> PlayerHandle {
        let output = OutputState::NoDevice(match choice {
            OutputChoice::Null => "no sound: null output selected".into(),
            OutputChoice::Device => "opening the audio device".into(),
        });
        let shared = Arc::new(Mutex::new(Shared {
            loaded: None,
            controls: None,
            effects: Arc::new(Effects::default()),
            skip_silence: false,
            output,
            error: None,
            recording_error: None,
            restarted: None,
            device_error: None,
            device_error_at: None,
        }));
        let worker = Mutex::new(Worker::spawn(choice, &shared));
        PlayerHandle {
            choice,
            shared,
            worker,
        }
    }

    /// Queue a command for the playback thread. Never blocks.
    pub fn send(&self, cmd: PlayerCommand) {
        if matches!(cmd, PlayerCommand::Load(_) | PlayerCommand::Unload) {
            lock(&self.shared).restarted = None;
        }
        let worker = self.supervised();
        let _ = worker.tx.send(cmd);
    }

    /// The worker, restarted first if its thread has died.
    fn supervised(&self) -> MutexGuard<'_, Worker> {
        let mut worker = self.worker.lock().unwrap_or_else(|e| e.into_inner());
        if worker.thread.as_ref().is_some_and(JoinHandle::is_finished) {
            let died = worker.thread.take().map(JoinHandle::join);
            let why = match died {
                Some(Err(panic)) => super::panic_text(panic.as_ref()),
                _ => "it stopped".into(),
            };
            *worker = self.restart(&why);
        }
        worker
    }

    /// A new playback thread, with the call that was loaded reloaded at
    /// the same position (paused) and its skip ranges.
    fn restart(&self, why: &str) -> Worker {
        let resume = {
            let mut s = lock(&self.shared);
            s.restarted = Some(format!("the player stopped ({why}) and was restarted"));
            let controls = s.controls.take();
            s.loaded.take().map(|path| (path, controls))
        };
        let worker = Worker::spawn(self.choice, &self.shared);
        if let Some((path, controls)) = resume {
            let _ = worker.tx.send(PlayerCommand::Load(path));
            if let Some(c) = controls {
                let ranges = c.skip_ranges_as_durations();
                let _ = worker.tx.send(PlayerCommand::SetSkipRanges(ranges));
                let _ = worker.tx.send(PlayerCommand::Seek(c.position()));
            }
        }
        worker
    }

    /// A snapshot of the player; cheap, never waits for audio.
    pub fn status(&self) -> PlayerStatus {
        drop(self.supervised());
        let s = lock(&self.shared);
        let mut status = PlayerStatus {
            loaded: s.loaded.clone(),
            position: Duration::ZERO,
            duration: None,
            playing: false,
            speed: s.effects.speed(),
            output: s.output.clone(),
            error: s.error.clone(),
            recording_error: s.recording_error.clone(),
            finished: false,
            skip_silence: s.skip_silence,
            skipped: Duration::ZERO,
            channel_mode: s.effects.channel_mode(),
            volume: s.effects.volume(),
            auto_gain: s.effects.auto_gain(),
        };
        if let Some(c) = &s.controls {
            status.finished = c.is_finished();
            status.duration = c.duration();
            status.position = match (status.finished, status.duration) {
                (true, Some(d)) => d,
                _ => c.position(),
            };
            status.playing = !c.is_paused() && !status.finished;
            status.error = status.error.or_else(|| c.error());
            status.skipped = c.skipped();
        }
        status.error = status.error.or_else(|| s.restarted.clone());
        let recent = s
            .device_error_at
            .is_some_and(|at| at.elapsed() < DEVICE_GLITCH_SHOWN);
        if recent {
            status.error = status.error.or_else(|| s.device_error.clone());
        }
        status
    }
}

impl Drop for PlayerHandle {
    fn drop(&mut self) {
        let worker = self.worker.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = worker.tx.send(PlayerCommand::Shutdown);
        if let Some(thread) = worker.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The recording currently loaded.
struct Current {
    path: PathBuf,
    // Dropping the rodio player stops its queue.
    _player: rodio::Player,
    controls: Arc<Controls>,
}

fn run(choice: OutputChoice, rx: &Receiver<PlayerCommand>, shared: &Arc<Mutex<Shared>>) {
    // The device is opened and closed on this thread; keep alsa-lib quiet here.
    super::output::silence_alsa_on_this_thread();
    let device_lost = Arc::new(AtomicBool::new(false));
    let mut output = open_output(choice, shared, &device_lost);
    let mut current: Option<Current> = None;
    let effects = Arc::clone(&lock(shared).effects);
    loop {
        let cmd = match rx.recv_timeout(Duration::from_millis(250)) {
            Ok(cmd) => Some(cmd),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if device_lost.swap(false, Ordering::SeqCst) {
            output = fall_back_to_null(output, &mut current, shared);
        }
        let Some(cmd) = cmd else {
            continue;
        };
        // A panic in one command (a codec, the output stack) fails the
        // call it was about; the thread and the next call go on.
        let handled = catch_unwind(AssertUnwindSafe(|| {
            command(cmd, &output, &mut current, &effects, shared)
        }));
        match handled {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => break,
            Err(panic) => {
                current = None;
                let mut s = lock(shared);
                s.error = Some(format!(
                    "{}: the player failed on this call: {}",
                    s.loaded
                        .as_deref()
                        .map(super::file_label)
                        .unwrap_or_default(),
                    super::panic_text(panic.as_ref())
                ));
                s.loaded = None;
                s.controls = None;
            }
        }
    }
    drop(current);
    drop(output);
}

/// Whether the playback thread goes on after a command.
enum Flow {
    Continue,
    Stop,
}

/// Carry out one command on the playback thread.
fn command(
    cmd: PlayerCommand,
    output: &Output,
    current: &mut Option<Current>,
    effects: &Effects,
    shared: &Arc<Mutex<Shared>>,
) -> Flow {
    match cmd {
        PlayerCommand::Load(path) => {
            drop(current.take()); // stop the old call before opening the new one
            *current = load(output, path, shared);
        }
        PlayerCommand::Unload => {
            *current = None;
            let mut s = lock(shared);
            s.loaded = None;
            s.controls = None;
            s.error = None;
            s.recording_error = None;
        }
        PlayerCommand::SetSpeed(value) => {
            effects.set_speed(value);
        }
        PlayerCommand::SetChannelMode(mode) => effects.set_channel_mode(mode),
        PlayerCommand::SetVolume(value) => {
            effects.set_volume(value);
        }
        PlayerCommand::SetAutoGain(on) => effects.set_auto_gain(on),
        PlayerCommand::SetSkipSilence(on) => {
            lock(shared).skip_silence = on;
            if let Some(c) = current.as_ref() {
                c.controls.set_skip_silence(on);
            }
        }
        PlayerCommand::SetSkipRanges(ranges) => {
            if let Some(c) = current.as_ref() {
                c.controls.set_skip_ranges(&ranges);
            }
        }
        PlayerCommand::Shutdown => return Flow::Stop,
        other => {
            if let Some(c) = current.as_ref() {
                control(&c.controls, other);
            }
        }
    }
    Flow::Continue
}

/// Transport commands: they only touch the source's atomics.
fn control(c: &Controls, cmd: PlayerCommand) {
    let play = |c: &Controls| {
        if c.is_finished() {
            c.seek(Duration::ZERO);
        }
        c.set_paused(false);
    };
    match cmd {
        PlayerCommand::Play => play(c),
        PlayerCommand::Pause => c.set_paused(true),
        PlayerCommand::TogglePause if c.is_paused() || c.is_finished() => play(c),
        PlayerCommand::TogglePause => c.set_paused(true),
        PlayerCommand::Seek(to) => c.seek(to),
        PlayerCommand::SeekBy(ms) => {
            let pos = c.position();
            let delta = Duration::from_millis(ms.unsigned_abs());
            c.seek(if ms >= 0 {
                pos + delta
            } else {
                pos.saturating_sub(delta)
            });
        }
        _ => {}
    }
}

fn load(output: &Output, path: PathBuf, shared: &Mutex<Shared>) -> Option<Current> {
    match CallSource::open(&path) {
        Ok(source) => {
            let source = source.hold_at_end(true);
            let controls = source.controls();
            controls.set_paused(true);
            let (effects, skip) = {
                let s = lock(shared);
                (Arc::clone(&s.effects), s.skip_silence)
            };
            controls.set_skip_silence(skip);
            let player = output.new_player();
            player.append(Chain::new(source, effects));
            let mut s = lock(shared);
            s.loaded = Some(path.clone());
            s.controls = Some(Arc::clone(&controls));
            s.error = None;
            s.recording_error = None;
            Some(Current {
                path,
                _player: player,
                controls,
            })
        }
        Err(err) => {
            let mut s = lock(shared);
            s.loaded = None;
            s.controls = None;
            s.error = Some(err.to_string());
            s.recording_error = Some(err);
            None
        }
    }
}

/// Open the chosen output and publish what it turned out to be.
fn open_output(
    choice: OutputChoice,
    shared: &Arc<Mutex<Shared>>,
    lost: &Arc<AtomicBool>,
) -> Output {
    if choice == OutputChoice::Null {
        return Output::null();
    }
    let (cb_shared, cb_lost) = (Arc::clone(shared), Arc::clone(lost));
    let on_error = move |message: String, device_gone: bool| {
        let mut shared = lock(&cb_shared);
        shared.device_error = Some(message);
        shared.device_error_at = Some(std::time::Instant::now());
        if device_gone {
            cb_lost.store(true, Ordering::SeqCst);
        }
    };
    let (output, state) = match Output::open_device(on_error) {
        Ok((output, description)) => (output, OutputState::Device(description)),
        Err(reason) => (Output::null(), OutputState::NoDevice(reason)),
    };
    lock(shared).output = state;
    output
}

/// The device went away: carry on with the null clock, same call, same place.
fn fall_back_to_null(
    output: Output,
    current: &mut Option<Current>,
    shared: &Arc<Mutex<Shared>>,
) -> Output {
    let reason = lock(shared)
        .device_error
        .take()
        .unwrap_or_else(|| "audio device lost".into());
    let resume = current.take().map(|c| {
        let ranges = c.controls.skip_ranges_as_durations();
        (
            c.path,
            c.controls.position(),
            c.controls.is_paused(),
            ranges,
        )
    });
    drop(output);
    let output = Output::null();
    lock(shared).output = OutputState::NoDevice(format!("{reason} (continuing without sound)"));
    if let Some((path, position, paused, ranges)) = resume {
        *current = load(&output, path, shared);
        if let Some(c) = current {
            c.controls.set_skip_ranges(&ranges);
            c.controls.seek(position);
            c.controls.set_paused(paused);
        }
    }
    output
}

#[cfg(test)]
#[path = "player_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "pulse_tests.rs"]
mod pulse_tests;
