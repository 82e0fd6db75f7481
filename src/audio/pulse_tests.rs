//! Real sound: the player drives a PulseAudio server (cpal's `pulseaudio`
//! host) and the clock, pause, seek and speed are checked against the wall
//! clock while the server really consumes the stream.
//!
//! `./dev test` (and so CI) starts a private PulseAudio daemon with a null
//! sink and exports `PULSE_SERVER`. Without a server this test fails and
//! says why: a silent pass would hide that real playback was never tried.
//! `CALLQA_SKIP_PULSE=1` skips it on purpose.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::{OutputChoice, OutputState, PlayerCommand, PlayerHandle, PlayerStatus};
use crate::audio::testutil::wav_bytes;

fn wait_for(h: &PlayerHandle, what: &str, pred: impl Fn(&PlayerStatus) -> bool) -> PlayerStatus {
    let start = Instant::now();
    loop {
        let s = h.status();
        if pred(&s) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}: {s:?}"
        );
        sleep(Duration::from_millis(5));
    }
}

/// Recording seconds per wall second over `wall`.
fn rate(h: &PlayerHandle, wall: Duration) -> f64 {
    let (t0, p0) = (Instant::now(), h.status().position);
    sleep(wall);
    let (t1, p1) = (Instant::now(), h.status().position);
    (p1.as_secs_f64() - p0.as_secs_f64()) / (t1 - t0).as_secs_f64()
}

fn sink_inputs() -> String {
    Command::new("pactl")
        .args(["list", "short", "sink-inputs"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default()
}

fn server_or_why() -> Result<String, String> {
    let server = std::env::var("PULSE_SERVER")
        .map_err(|_| "PULSE_SERVER is not set, so no PulseAudio server to play to".to_string())?;
    let info = Command::new("pactl")
        .arg("info")
        .output()
        .map_err(|e| format!("cannot run pactl ({e}); install pulseaudio-utils"))?;
    if !info.status.success() {
        return Err(format!(
            "`pactl info` fails for PULSE_SERVER={server}: {}",
            String::from_utf8_lossy(&info.stderr).trim()
        ));
    }
    Ok(server)
}

#[test]
fn plays_through_a_real_pulseaudio_server() {
    if std::env::var("CALLQA_SKIP_PULSE").as_deref() == Ok("1") {
        println!("real-sound test skipped: CALLQA_SKIP_PULSE=1");
        return;
    }
    let server = server_or_why().unwrap_or_else(|why| {
        panic!(
            "real-sound test could not run: {why}. `./dev test` starts a private server; \
             set CALLQA_SKIP_PULSE=1 to skip this test on purpose"
        )
    });

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tone.wav");
    let data: Vec<u8> = (0..8000 * 30)
        .flat_map(|i| {
            let v = (0.2
                * (2.0 * std::f64::consts::PI * 440.0 * f64::from(i) / 8000.0).sin()
                * 32767.0) as i16;
            v.to_le_bytes()
        })
        .collect();
    std::fs::write(&path, wav_bytes(1, 1, 8000, 16, &data, None)).unwrap();

    let h = PlayerHandle::spawn(OutputChoice::Device);
    let s = wait_for(&h, "the device", |s| {
        s.output != OutputState::NoDevice("opening the audio device".into())
    });
    match &s.output {
        OutputState::Device(name) => println!("playing to {name} via {server}"),
        OutputState::NoDevice(why) => {
            panic!("PulseAudio at {server} is up but the player has no device: {why}")
        }
    }
    h.send(PlayerCommand::Load(path.clone()));
    wait_for(&h, "load", |s| s.loaded.is_some());
    h.send(PlayerCommand::Play);
    wait_for(&h, "the stream to start", |s| {
        s.position > Duration::from_millis(200)
    });

    let r = rate(&h, Duration::from_secs(2));
    assert!((0.85..=1.15).contains(&r), "1x plays at {r:.2}x real time");
    let inputs = sink_inputs();
    assert!(
        !inputs.trim().is_empty(),
        "no stream connected to the server (pactl list short sink-inputs is empty)"
    );

    h.send(PlayerCommand::Pause);
    wait_for(&h, "pause", |s| !s.playing);
    sleep(Duration::from_millis(150));
    let held = h.status().position;
    sleep(Duration::from_millis(600));
    assert_eq!(h.status().position, held, "pause holds the position");

    let target = Duration::from_secs(20);
    h.send(PlayerCommand::Seek(target));
    let s = wait_for(&h, "seek", |s| {
        s.position.abs_diff(target) < Duration::from_millis(50)
    });
    assert!(!s.playing);
    h.send(PlayerCommand::Play);
    let played = Instant::now();
    sleep(Duration::from_millis(500));
    let (pos, wall) = (h.status().position, played.elapsed());
    let ahead = pos.as_secs_f64() - target.as_secs_f64() - wall.as_secs_f64();
    // The device buffer (two 50 ms periods) is pulled ahead of the speaker.
    assert!(
        (-0.1..=0.15).contains(&ahead),
        "after the seek the clock is {ahead:.3} s off"
    );

    h.send(PlayerCommand::SetSpeed(2.0));
    sleep(Duration::from_millis(300));
    let r = rate(&h, Duration::from_secs(2));
    assert!(
        (1.7..=2.3).contains(&r),
        "2x advances recording time at {r:.2}x"
    );
    let s = h.status();
    assert_eq!((s.error, s.speed), (None, 2.0));
}
