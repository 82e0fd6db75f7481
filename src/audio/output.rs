//! Where the samples go: the default device through rodio's mixer, or the
//! null clock. See the `player` module docs for why the null clock exists.

use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rodio::Source;
use rodio::queue::SourcesQueueOutput;

const NULL_SLICE: Duration = Duration::from_millis(20);

pub(super) enum Output {
    Device(rodio::MixerDeviceSink),
    Null(NullClock),
}

impl Output {
    /// The null clock: no device, real-time pace.
    pub(super) fn null() -> Output {
        Output::Null(NullClock::start())
    }

    /// The default device, or why it cannot be used. `on_error(message,
    /// device_gone)` receives stream errors later (from cpal's thread).
    pub(super) fn open_device<F>(on_error: F) -> Result<(Output, String), String>
    where
        F: Fn(String, bool) + Clone + Send + 'static,
    {
        open_device(on_error).map(|(sink, description)| (Output::Device(sink), description))
    }

    /// A fresh rodio player feeding this output.
    pub(super) fn new_player(&self) -> rodio::Player {
        match self {
            Output::Device(sink) => rodio::Player::connect_new(sink.mixer()),
            Output::Null(clock) => {
                let (player, queue) = rodio::Player::new();
                clock.attach(queue);
                player
            }
        }
    }
}

/// Open the default device quietly (errors become values, nothing is
/// printed); if it fails, try the other real output devices, as rodio's
/// `open_default_sink` does, and report the default device's failure.
fn open_device<F>(on_error: F) -> Result<(rodio::MixerDeviceSink, String), String>
where
    F: Fn(String, bool) + Clone + Send + 'static,
{
    use rodio::cpal::traits::HostTrait;

    let host = rodio::cpal::default_host();
    let host_name = host.id().name();
    let first_failure = match host.default_output_device() {
        Some(device) => match open_on(device, host_name, on_error.clone()) {
            Ok(opened) => return Ok(opened),
            Err(reason) => reason,
        },
        None => format!("no sound: no output device ({host_name})"),
    };
    let others = host.output_devices().into_iter().flatten().filter(|d| {
        rodio::DeviceTrait::description(d)
            .is_ok_and(|desc| desc.driver().is_some_and(|driver| driver != "null"))
    });
    for device in others {
        if let Ok(opened) = open_on(device, host_name, on_error.clone()) {
            return Ok(opened);
        }
    }
    Err(first_failure)
}

fn open_on<F>(
    device: rodio::Device,
    host_name: &str,
    on_error: F,
) -> Result<(rodio::MixerDeviceSink, String), String>
where
    F: Fn(String, bool) + Clone + Send + 'static,
{
    use rodio::CpalErrorKind as Kind;

    let name = rodio::DeviceTrait::description(&device)
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| "default device".into());
    let on_error = move |err: rodio::CpalError| {
        if err.kind() == Kind::Xrun {
            return; // a glitch, not worth a message
        }
        let gone = matches!(
            err.kind(),
            Kind::DeviceNotAvailable | Kind::StreamInvalidated
        );
        on_error(format!("audio device: {err}"), gone);
    };
    let fail = |err: rodio::DeviceSinkError| {
        let mut text = format!("no sound: {name}: {err}");
        if let Some(cause) = std::error::Error::source(&err) {
            text.push_str(&format!(": {cause}"));
        }
        text
    };
    let mut sink = rodio::DeviceSinkBuilder::from_device(device)
        .map_err(&fail)?
        .with_error_callback(on_error)
        .open_sink_or_fallback()
        .map_err(&fail)?;
    sink.log_on_drop(false);
    let cfg = sink.config();
    let description = format!(
        "{name} ({host_name}): {} Hz, {} ch, {:?}",
        cfg.sample_rate(),
        cfg.channel_count(),
        cfg.sample_format()
    );
    Ok((sink, description))
}

/// Consumes a device-less rodio queue at real-time rate; see the module docs.
pub(super) struct NullClock {
    tx: Option<Sender<SourcesQueueOutput>>,
    thread: Option<JoinHandle<()>>,
}

impl NullClock {
    fn start() -> NullClock {
        let (tx, rx) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("callqa-null-clock".into())
            .spawn(move || run_null_clock(&rx))
            .ok();
        NullClock {
            tx: Some(tx),
            thread,
        }
    }

    /// Switch the clock to a new queue (the previous one is dropped).
    fn attach(&self, queue: SourcesQueueOutput) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(queue);
        }
    }
}

impl Drop for NullClock {
    fn drop(&mut self) {
        self.tx = None; // the thread sees the disconnect and exits
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run_null_clock(rx: &Receiver<SourcesQueueOutput>) {
    let mut queue: Option<SourcesQueueOutput> = None;
    let mut last = Instant::now();
    let mut owed = 0.0f64; // frames due but not yet pulled
    loop {
        loop {
            match rx.try_recv() {
                Ok(q) => queue = Some(q),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        thread::sleep(NULL_SLICE);
        let now = Instant::now();
        // Cap the catch-up after a stall (suspend, debugger) to a few slices.
        let elapsed = (now - last).min(NULL_SLICE * 10);
        last = now;
        let Some(q) = queue.as_mut() else {
            owed = 0.0;
            continue;
        };
        // Rate and channels as the output sees them: rodio's speed stage
        // scales the rate, so faster playback pulls more samples per slice.
        owed += elapsed.as_secs_f64() * f64::from(q.sample_rate().get());
        let frames = owed.floor();
        owed -= frames;
        let samples = frames as usize * usize::from(q.channels().get());
        if q.by_ref().take(samples).count() < samples {
            queue = None;
        }
    }
}

/// alsa-lib prints configuration errors ("ALSA lib confmisc.c: cannot find
/// card '0'") straight to stderr, over the TUI. Call on the thread that opens
/// and closes the device.
pub(super) fn silence_alsa_on_this_thread() {
    #[cfg(any(
        target_os = "linux",
        target_os = "dragonfly",
        target_os = "freebsd",
        target_os = "netbsd"
    ))]
    alsa_quiet::silence_this_thread();
}

/// alsa-lib (linked by cpal on these systems) reports errors through a
/// handler that defaults to printing on stderr; `snd_lib_error_set_local`
/// replaces it for the calling thread only.
#[cfg(any(
    target_os = "linux",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "netbsd"
))]
mod alsa_quiet {
    use std::ffi::{c_char, c_int, c_void};

    /// `snd_local_error_handler_t`: the last argument is a `va_list`, which
    /// is passed as a pointer on the ABIs we build for; we never touch it.
    type LocalHandler = Option<
        unsafe extern "C" fn(
            *const c_char,
            c_int,
            *const c_char,
            c_int,
            *const c_char,
            *mut c_void,
        ),
    >;

    unsafe extern "C" {
        fn snd_lib_error_set_local(handler: LocalHandler) -> LocalHandler;
    }

    unsafe extern "C" fn ignore(
        _file: *const c_char,
        _line: c_int,
        _function: *const c_char,
        _err: c_int,
        _fmt: *const c_char,
        _args: *mut c_void,
    ) {
    }

    pub(super) fn silence_this_thread() {
        // SAFETY: sets a thread-local function pointer inside alsa-lib; the
        // handler has the C signature alsa expects and ignores its arguments.
        unsafe {
            snd_lib_error_set_local(Some(ignore));
        }
    }
}
