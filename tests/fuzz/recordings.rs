//! Recordings with damaged headers and bodies: the demo's WAV, MP3, FLAC
//! and Ogg Vorbis, and GSM (raw Asterisk `.gsm` and WAV49) made with sox
//! and ffmpeg. Each case puts one damaged recording in a one-call batch
//! and takes it the reviewer's way: import (probe), then, if it went in,
//! decode it to the end as the player does and analyse it as the
//! workstation does. None of it may panic or hang; the call is imported
//! or a problem names `calls.csv`, line 2; the copy outside the batch is
//! never opened.

use super::harness::{Figures, OutsideWatch, bounded, mkfifo, run_tool, trace};
use super::importers::crate_path;
use super::mutate::{Shape, mutate};
use super::rng::Rng;
use callqa::analysis::{ChannelLayout, analyze_file};
use callqa::audio::source::CallSource;
use callqa::import::import_batch;
use callqa::store::Workspace;
use std::path::{Path, PathBuf};

pub struct Seed {
    pub name: String,
    pub bytes: Vec<u8>,
    pub shape: Shape,
}

/// The recordings every case starts from; `None` when a tool is missing
/// and skipping was asked for.
pub fn seeds(dir: &Path) -> Option<Vec<Seed>> {
    let demo = |file: &str, shape| Seed {
        name: file.into(),
        bytes: std::fs::read(crate_path("assets/demo/recordings").join(file)).unwrap(),
        shape,
    };
    let mut seeds = vec![
        demo("call-001.wav", Shape::Wav),
        demo("call-002.mp3", Shape::Mp3),
        demo("call-003.flac", Shape::Flac),
        demo("call-005.ogg", Shape::Ogg),
    ];
    let gsm = dir.join("tone.gsm");
    let wav49 = dir.join("wav49.wav");
    let made = run_tool(
        "sox",
        &[
            "-n",
            "-r",
            "8000",
            "-c",
            "1",
            gsm.to_str()?,
            "synth",
            "3",
            "sine",
            "440",
        ],
    ) && run_tool(
        "ffmpeg",
        &[
            "-loglevel",
            "error",
            "-y",
            "-i",
            gsm.to_str()?,
            "-c:a",
            "gsm_ms",
            wav49.to_str()?,
        ],
    );
    if !made {
        return None;
    }
    for (path, shape) in [(gsm, Shape::Gsm), (wav49, Shape::Wav)] {
        seeds.push(Seed {
            name: path.file_name()?.to_string_lossy().into_owned(),
            bytes: std::fs::read(&path).unwrap(),
            shape,
        });
    }
    Some(seeds)
}

/// A one-call batch in `dir/batch` whose recording is `recording`; the
/// demo's call-001.wav sits in `dir/outside`.
pub fn one_call_batch(dir: &Path, recording: &str) -> (PathBuf, PathBuf) {
    let root = dir.join("batch");
    std::fs::create_dir_all(root.join("recordings")).unwrap();
    std::fs::write(
        root.join("calls.csv"),
        format!(
            "call_id,started_at,rep,direction,phone,recording\n\
             c1,2026-11-23T10:15:00+03:00,Анна,in,+79160000101,recordings/{recording}\n"
        ),
    )
    .unwrap();
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::copy(
        crate_path("assets/demo/recordings/call-001.wav"),
        outside.join("canary.wav"),
    )
    .unwrap();
    (root, outside)
}

struct Taken {
    imported: bool,
    named: bool,
    stored_path: Option<PathBuf>,
    layout: ChannelLayout,
}

fn take(root: PathBuf, db: PathBuf) -> Taken {
    let ws = Workspace::open(&db).unwrap();
    let report = import_batch(&ws, &root).unwrap();
    let calls = ws.all_calls().unwrap();
    Taken {
        imported: !calls.is_empty(),
        named: report
            .problems
            .iter()
            .any(|p| p.file == "calls.csv" && p.line == Some(2)),
        stored_path: calls.first().map(|c| PathBuf::from(&c.recording.path)),
        layout: calls
            .first()
            .map_or(ChannelLayout::Mono, |c| c.recording.channel_layout),
    }
}

pub fn run(seeds: &[Seed], cases: usize, seed: u64, only: Option<usize>) -> Figures {
    let mut figures = Figures::default();
    for case in 0..cases {
        if only.is_some_and(|o| o != case) {
            continue;
        }
        let source = &seeds[case % seeds.len()];
        let mut rng = Rng::new(seed ^ 0xA0D1 ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        figures.cases += 1;
        one_case(source, &mut rng, case, &mut figures);
    }
    figures
}

fn one_case(source: &Seed, rng: &mut Rng, case: usize, figures: &mut Figures) {
    let dir = tempfile::tempdir().unwrap();
    let (root, outside) = one_call_batch(dir.path(), &source.name);
    let path = root.join("recordings").join(&source.name);
    let what = match rng.below(12) {
        0 => {
            mkfifo(&path);
            "a named pipe".to_string()
        }
        1 => {
            std::os::unix::fs::symlink(outside.join("canary.wav"), &path).unwrap();
            "a link to a recording outside the batch".into()
        }
        2 => {
            std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
            "a link to /dev/zero".into()
        }
        _ => {
            let (bytes, what) = mutate(rng, &source.bytes, source.shape);
            std::fs::write(&path, bytes).unwrap();
            what
        }
    };
    let label = format!("recording case {case} ({}: {what})", source.name);
    trace(&label);
    let watch = OutsideWatch::new(std::slice::from_ref(&outside));
    let db = dir.path().join("ws.sqlite");
    let Some(taken) = figures.settle(bounded(move || take(root, db)), &label, "import") else {
        // A hung thread may still use its folder: leave it.
        std::mem::forget(dir);
        return;
    };
    if !taken.imported && !taken.named {
        figures.fail(
            |f| &mut f.silent_losses,
            &label,
            "the call is neither imported nor named".into(),
        );
    }
    let opened = watch.opened();
    if !opened.is_empty() {
        figures.fail(
            |f| &mut f.outside_reads,
            &label,
            format!("opened outside the batch: {opened:?}"),
        );
    }
    let Some(stored) = taken.stored_path else {
        return;
    };
    let decode = bounded({
        let stored = stored.clone();
        move || decode_to_end(&stored)
    });
    if figures.settle(decode, &label, "decode").is_none() {
        std::mem::forget(dir);
        return;
    }
    let layout = taken.layout;
    let analysis = bounded(move || analyze_file(&stored, layout, &|_| {}).is_ok());
    if figures.settle(analysis, &label, "analysis").is_none() {
        std::mem::forget(dir);
    }
}

/// Open the recording as the player does and read it to the end.
pub fn decode_to_end(path: &Path) -> Result<(), String> {
    let mut source = CallSource::open(path).map_err(|e| e.to_string())?;
    let mut empty = 0;
    while let Some(block) = source.next_block() {
        if block.is_empty() {
            empty += 1;
            if empty > 1000 {
                return Err("only empty blocks".into());
            }
        }
    }
    Ok(())
}
