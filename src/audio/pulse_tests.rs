//! Real sound: the player drives a PulseAudio server (cpal's `pulseaudio`
//! host) and the clock, pause, seek and speed are checked against the wall
//! clock while the server really consumes the stream.
//!
//! `./dev test` (and so CI) starts a private PulseAudio daemon with a null
//! sink and exports `PULSE_SERVER`. Without a server this test fails and
//! says why: a silent pass would hide that real playback was never tried.
//! `CALLQA_SKIP_PULSE=1` skips it on purpose, and so does
//! `CALLQA_SKIP_MISSING_TOOLS=1` when there is no server (the policy for
//! every test that needs something from outside, in `codec_tests.rs`).
//!
//! Rates are measured over short windows until one lands in range (see
//! `player_tests.rs`), so a busy machine slows the test instead of failing it.

use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::tests::{wait_for, wait_for_rate};
use super::{OutputChoice, OutputState, PlayerCommand, PlayerHandle};
use crate::audio::codec_tests::missing_tool;
use crate::audio::testutil::wav_bytes;

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
    let server = match server_or_why() {
        Ok(server) => server,
        Err(why) => {
            missing_tool(
                &format!("real-sound test could not run: {why}"),
                "pulseaudio and pulseaudio-utils and start a server",
            );
            return;
        }
    };

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

    wait_for_rate(&h, "1x through PulseAudio", 1.0);
    let inputs = sink_inputs();
    assert!(
        !inputs.trim().is_empty(),
        "no stream connected to the server (pactl list short sink-inputs is empty)"
    );

    h.send(PlayerCommand::Pause);
    wait_for(&h, "pause", |s| !s.playing);
    let held = super::tests::wait_until_still(&h);
    sleep(Duration::from_millis(600));
    assert_eq!(h.status().position, held, "pause holds the position");

    let target = Duration::from_secs(20);
    h.send(PlayerCommand::Seek(target));
    let s = wait_for(&h, "seek", |s| {
        s.position.abs_diff(target) < Duration::from_millis(50)
    });
    assert!(!s.playing);
    let sent = Instant::now();
    h.send(PlayerCommand::Play);
    let s = wait_for(&h, "play on from the seek", |s| {
        s.playing && s.position > target
    });
    // On from the seek, never ahead of real time by more than the device
    // buffer (two 50 ms periods are pulled ahead of the speaker).
    let latest = target + sent.elapsed() + Duration::from_millis(150);
    assert!(s.position <= latest, "after the seek: {s:?}");

    h.send(PlayerCommand::SetSpeed(2.0));
    wait_for(&h, "speed", |s| s.speed == 2.0);
    wait_for_rate(&h, "2x through PulseAudio", 2.0);
    let s = h.status();
    assert_eq!((s.error, s.speed), (None, 2.0));
}
