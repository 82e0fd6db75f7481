//! Behaviour tests for the playback thread on the null clock (no device).
//!
//! No assertion depends on how fast this machine is: the tests wait for a
//! state with a generous deadline, and a rate is measured over short
//! windows until one lands in range, so a busy machine (a stalled window)
//! slows a test down instead of failing it. A wrong rate never lands.

use std::path::Path;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::*;
use crate::audio::testutil::write_ramp_wav;

/// Long enough for any machine under load; only a hang reaches it.
const DEADLINE: Duration = Duration::from_secs(10);

/// Poll the status until `pred` holds; fail after [`DEADLINE`].
pub(super) fn wait_for(
    h: &PlayerHandle,
    what: &str,
    pred: impl Fn(&PlayerStatus) -> bool,
) -> PlayerStatus {
    let start = Instant::now();
    loop {
        let s = h.status();
        if pred(&s) {
            return s;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "timed out waiting for {what}: {s:?}"
        );
        sleep(Duration::from_millis(5));
    }
}

/// Recording seconds per wall second, measured over half-second windows
/// until one is within 15% of `expected`; fails with every measurement
/// when none is (after [`DEADLINE`]).
pub(super) fn wait_for_rate(h: &PlayerHandle, what: &str, expected: f64) -> f64 {
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed() < DEADLINE {
        let (t0, p0) = (Instant::now(), h.status().position);
        sleep(Duration::from_millis(500));
        let (t1, p1) = (Instant::now(), h.status().position);
        let rate = (p1.as_secs_f64() - p0.as_secs_f64()) / (t1 - t0).as_secs_f64();
        if (rate - expected).abs() <= 0.15 * expected {
            return rate;
        }
        seen.push(format!("{rate:.2}"));
    }
    panic!("{what}: expected {expected}x real time, measured {seen:?}");
}

/// Wait until the position stops moving (a slice in flight when the pause
/// landed has finished) and return it.
pub(super) fn wait_until_still(h: &PlayerHandle) -> Duration {
    let mut last = h.status().position;
    let start = Instant::now();
    loop {
        sleep(Duration::from_millis(50));
        let now = h.status().position;
        if now == last {
            return now;
        }
        assert!(start.elapsed() < DEADLINE, "the position keeps moving");
        last = now;
    }
}

fn load(h: &PlayerHandle, path: &Path) -> PlayerStatus {
    h.send(PlayerCommand::Load(path.to_path_buf()));
    wait_for(h, "load", |s| s.loaded.as_deref() == Some(path))
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

#[test]
fn null_clock_plays_pauses_and_seeks() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "call.wav", 8000, 1, 5.0);
    let h = PlayerHandle::spawn(OutputChoice::Null);
    assert!(matches!(h.status().output, OutputState::NoDevice(_)));

    let s = load(&h, &path);
    assert_eq!(
        (s.position, s.playing, s.finished),
        (Duration::ZERO, false, false)
    );
    assert_eq!(s.duration, Some(Duration::from_secs(5)));
    assert_eq!(s.error, None);
    sleep(Duration::from_millis(100));
    assert_eq!(h.status().position, Duration::ZERO, "load starts paused");

    h.send(PlayerCommand::Play);
    wait_for(&h, "playing", |s| s.playing && s.position > Duration::ZERO);
    wait_for_rate(&h, "1x on the null clock", 1.0);

    h.send(PlayerCommand::Pause);
    wait_for(&h, "pause", |s| !s.playing);
    let held = wait_until_still(&h);
    sleep(Duration::from_millis(200));
    assert_eq!(h.status().position, held, "pause holds the position");

    h.send(PlayerCommand::Seek(Duration::from_millis(2000)));
    let s = wait_for(&h, "seek", |s| s.position == Duration::from_millis(2000));
    assert!(!s.playing, "seeking keeps the pause");
    h.send(PlayerCommand::SeekBy(-5000));
    wait_for(&h, "seek back to 0", |s| s.position == Duration::ZERO);
    h.send(PlayerCommand::SeekBy(1500));
    wait_for(&h, "seek by 1.5 s", |s| {
        s.position == Duration::from_millis(1500)
    });

    let sent = Instant::now();
    h.send(PlayerCommand::TogglePause);
    let s = wait_for(&h, "play on from the seek", |s| s.playing);
    // From 1.5 s on, never faster than real time (plus one device buffer).
    let from = Duration::from_millis(1500);
    let latest = from + sent.elapsed() + Duration::from_millis(250);
    assert!((from..=latest).contains(&s.position), "{s:?}");

    h.send(PlayerCommand::Unload);
    let s = wait_for(&h, "unload", |s| s.loaded.is_none());
    assert_eq!(
        (s.position, s.duration, s.playing),
        (Duration::ZERO, None, false)
    );
}

#[test]
fn bad_file_sets_error_and_thread_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("notes.wav");
    std::fs::write(&bad, "this is a CSV, not a call\n").unwrap();
    let good = write_ramp_wav(dir.path(), "good.wav", 8000, 1, 1.0);
    let h = PlayerHandle::spawn(OutputChoice::Null);
    load(&h, &good);

    h.send(PlayerCommand::Load(bad));
    let s = wait_for(&h, "error", |s| s.error.is_some());
    assert_eq!(
        s.error.as_deref(),
        Some("notes.wav: not an audio file (unrecognised format)")
    );
    assert_eq!((s.loaded, s.playing), (None, false));
    h.send(PlayerCommand::Play); // nothing loaded: ignored

    h.send(PlayerCommand::Load(dir.path().join("gone.wav")));
    let s = wait_for(&h, "missing file", |s| {
        s.error
            .as_deref()
            .is_some_and(|e| e.starts_with("gone.wav"))
    });
    assert!(s.error.unwrap().contains("cannot open"));

    let s = load(&h, &good);
    assert_eq!(s.error, None, "a good load clears the error");
}

/// A recording replaced on disk after import by a bad one (issue 12):
/// a header that used to panic the playback thread, then a FIFO that used
/// to hang it. Each load fails alone with the reason, and the next call
/// plays.
#[test]
fn a_recording_broken_after_import_fails_alone() {
    use crate::audio::bad_header_tests::{Fmt, silence};
    let dir = tempfile::tempdir().unwrap();
    let call = write_ramp_wav(dir.path(), "call.wav", 8000, 1, 2.0);
    let next = write_ramp_wav(dir.path(), "next.wav", 8000, 1, 2.0);
    // On a hang, failing must not wait for the thread (dropping joins it).
    let h = std::mem::ManuallyDrop::new(PlayerHandle::spawn(OutputChoice::Null));
    load(&h, &call);

    let (_, mut pcm) = Fmt::all_codecs().remove(0);
    pcm.rate = 0;
    std::fs::write(&call, pcm.wav(&silence())).unwrap();
    h.send(PlayerCommand::Load(call.clone()));
    let s = wait_for(&h, "the header's error", |s| s.error.is_some());
    assert_eq!(
        s.error.as_deref(),
        Some(
            "call.wav: header cannot be right: a sample rate of 0 Hz \
             (recordings have 1000 to 384000 Hz)"
        )
    );
    assert_eq!(s.loaded, None);

    #[cfg(unix)]
    {
        std::fs::remove_file(&call).unwrap();
        let c_path = std::ffi::CString::new(call.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        h.send(PlayerCommand::Load(call.clone()));
        wait_for(&h, "the FIFO refused", |s| {
            s.error
                .as_deref()
                .is_some_and(|e| e.contains("not a regular file (a named pipe)"))
        });
    }

    let s = load(&h, &next);
    assert_eq!(s.error, None);
    h.send(PlayerCommand::Play);
    wait_for(&h, "the next call plays", |s| s.position > Duration::ZERO);
    drop(std::mem::ManuallyDrop::into_inner(h));
}

/// Should the playback thread die all the same, the handle starts a new
/// one with the call where it was, and says so.
#[test]
fn a_dead_playback_thread_is_restarted_with_the_call() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "call.wav", 8000, 1, 5.0);
    let h = PlayerHandle::spawn(OutputChoice::Null);
    load(&h, &path);
    h.send(PlayerCommand::Seek(Duration::from_millis(1500)));
    wait_for(&h, "seek", |s| s.position == Duration::from_millis(1500));

    // The thread ends as if it had died: its channel is gone.
    h.worker.lock().unwrap().tx = mpsc::channel().0;
    let s = wait_for(&h, "the restart", |s| {
        s.error.as_deref().is_some_and(|e| e.contains("restarted"))
            && s.loaded.as_deref() == Some(path.as_path())
            && s.position == Duration::from_millis(1500)
    });
    assert!(!s.playing);
    h.send(PlayerCommand::Play);
    wait_for(&h, "playing on", |s| {
        s.position > Duration::from_millis(1500)
    });
    assert!(
        h.status().error.is_some(),
        "the notice stays until another load"
    );
    load(&h, &path);
    assert_eq!(h.status().error, None);
}

#[test]
fn end_of_call_finishes_and_play_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "short.wav", 8000, 2, 0.4);
    let h = PlayerHandle::spawn(OutputChoice::Null);
    load(&h, &path);
    h.send(PlayerCommand::Play);
    let s = wait_for(&h, "end", |s| s.finished);
    assert!(!s.playing);
    assert_eq!(s.position, Duration::from_millis(400));
    assert_eq!(s.duration, Some(Duration::from_millis(400)));
    sleep(Duration::from_millis(100));
    assert_eq!(h.status().position, Duration::from_millis(400));

    let sent = Instant::now();
    h.send(PlayerCommand::Play);
    let s = wait_for(&h, "restart", |s| !s.finished && s.playing);
    let latest = sent.elapsed() + Duration::from_millis(250);
    assert!(s.position <= latest, "restarted from 0: {s:?}");
    wait_for(&h, "second end", |s| s.finished);

    // Space at the end also restarts; seeking back from the end keeps it paused.
    h.send(PlayerCommand::SeekBy(-100));
    let s = wait_for(&h, "seek from end", |s| !s.finished);
    assert_eq!((s.position, s.playing), (Duration::from_millis(300), false));
}

#[test]
fn speed_changes_playback_rate_not_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "call.wav", 8000, 1, 10.0);
    let h = PlayerHandle::spawn(OutputChoice::Null);
    load(&h, &path);
    h.send(PlayerCommand::SetSpeed(2.0));
    wait_for(&h, "speed", |s| s.speed == 2.0);
    h.send(PlayerCommand::Play);
    wait_for(&h, "playing", |s| s.position > Duration::ZERO);
    wait_for_rate(&h, "2x on the null clock", 2.0);
    h.send(PlayerCommand::SetSpeed(9.0));
    wait_for(&h, "clamped", |s| s.speed == MAX_SPEED);
    h.send(PlayerCommand::SetSpeed(0.1));
    wait_for(&h, "clamped", |s| s.speed == MIN_SPEED);
    h.send(PlayerCommand::SetSpeed(f32::NAN));
    // Commands are handled in order: once the volume shows, NaN was handled.
    h.send(PlayerCommand::SetVolume(0.5));
    let s = wait_for(&h, "the command after NaN", |s| s.volume == 0.5);
    assert_eq!(s.speed, MIN_SPEED);
}

#[test]
fn device_choice_falls_back_or_plays() {
    let dir = tempfile::tempdir().unwrap();
    // Silence, in case this machine does have a sound card.
    let path = dir.path().join("quiet.wav");
    let wav = crate::audio::testutil::wav_bytes(1, 1, 8000, 16, &[0u8; 16_000], None);
    std::fs::write(&path, wav).unwrap();
    let h = PlayerHandle::spawn(OutputChoice::Device);
    let s = wait_for(&h, "device", |s| {
        s.output != OutputState::NoDevice("opening the audio device".into())
    });
    println!("output: {:?}", s.output);
    load(&h, &path);
    h.send(PlayerCommand::Play);
    wait_for(&h, "position to advance", |s| ms(s.position) >= 100);
}

#[test]
fn drop_shuts_the_thread_down_promptly() {
    let dir = tempfile::tempdir().unwrap();
    // A minute of audio: a drop that waited for the end would take that long.
    let path = write_ramp_wav(dir.path(), "call.wav", 8000, 1, 60.0);
    let h = PlayerHandle::spawn(OutputChoice::Null);
    load(&h, &path);
    h.send(PlayerCommand::Play);
    wait_for(&h, "playing", |s| s.position > Duration::ZERO);
    let start = Instant::now();
    drop(h);
    assert!(
        start.elapsed() < DEADLINE,
        "drop took {:?}",
        start.elapsed()
    );
}

#[test]
fn handle_and_status_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<PlayerHandle>();
    send_sync::<PlayerStatus>();
    send_sync::<crate::audio::AudioError>();
}

#[test]
fn review_settings_show_in_the_status_and_outlive_a_call() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_ramp_wav(dir.path(), "call.wav", 8000, 2, 10.0);
    let other = write_ramp_wav(dir.path(), "other.wav", 8000, 2, 10.0);
    let h = PlayerHandle::spawn(OutputChoice::Null);
    let s = h.status();
    assert_eq!(
        (s.skip_silence, s.channel_mode, s.volume, s.auto_gain),
        (false, ChannelMode::Both, 1.0, false)
    );
    load(&h, &path);
    h.send(PlayerCommand::SetSkipSilence(true));
    h.send(PlayerCommand::SetChannelMode(ChannelMode::RightOnly));
    h.send(PlayerCommand::SetVolume(5.0));
    h.send(PlayerCommand::SetAutoGain(true));
    h.send(PlayerCommand::SetSkipRanges(vec![(
        Duration::from_millis(100),
        Duration::from_millis(2100),
    )]));
    h.send(PlayerCommand::Play);
    let s = wait_for(&h, "the skip", |s| s.skipped > Duration::ZERO);
    assert_eq!(s.skipped, Duration::from_millis(2000));
    assert!(s.position >= Duration::from_millis(2100), "{s:?}");
    assert_eq!(
        (s.skip_silence, s.channel_mode, s.volume, s.auto_gain),
        (true, ChannelMode::RightOnly, MAX_VOLUME, true)
    );

    // Another call: the settings stay, the ranges and the count do not.
    let s = load(&h, &other);
    assert_eq!(s.skipped, Duration::ZERO);
    assert_eq!(
        (s.skip_silence, s.channel_mode),
        (true, ChannelMode::RightOnly)
    );
    h.send(PlayerCommand::Play);
    // Past where the old range began: it would have jumped to 2.1 s.
    let s = wait_for(&h, "playing past 0.1 s", |s| {
        s.position > Duration::from_millis(150)
    });
    assert_eq!(s.skipped, Duration::ZERO, "old ranges were dropped: {s:?}");
    assert!(s.position < Duration::from_millis(2100), "{s:?}");
    h.send(PlayerCommand::SetSkipSilence(false));
    wait_for(&h, "toggle off", |s| !s.skip_silence);
}
