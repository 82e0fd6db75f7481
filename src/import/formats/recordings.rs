//! Finding a call's recording in the batch by the PBX's ids.
//!
//! Asterisk's CDR does not say where MixMonitor wrote the file; FreePBX
//! names it `{type}-{dest}-{from}-{YYYYMMDD}-{HHMMSS}-{uniqueid}.wav` under
//! `monitor/YYYY/MM/DD/`, and other dialplans put the `uniqueid` in the name
//! some other way. So the batch's audio files are indexed once by every
//! `digits.digits` token in their names, and by file name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

const AUDIO: &[&str] = &[
    "wav", "mp3", "gsm", "ogg", "oga", "flac", "wav49", "opus", "m4a",
];

#[derive(Debug, Default)]
pub struct RecordingIndex {
    by_uniqueid: HashMap<String, String>,
    by_name: HashMap<String, String>,
    by_stem: HashMap<String, String>,
}

impl RecordingIndex {
    /// Index the audio files under `root` (links are not followed: a
    /// recording must be inside the batch).
    pub fn build(root: &Path) -> RecordingIndex {
        let mut index = RecordingIndex::default();
        let mut stack = vec![root.to_path_buf()];
        let mut files: Vec<PathBuf> = Vec::new();
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    stack.push(entry.path());
                } else if kind.is_file() && is_audio(&entry.path()) {
                    files.push(entry.path());
                }
            }
        }
        files.sort();
        for path in files {
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            let name = path.file_name().map(|n| n.to_string_lossy().to_string());
            if let Some(name) = name {
                for id in uniqueids_in(&name) {
                    index.by_uniqueid.entry(id).or_insert(relative.clone());
                }
                let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
                index
                    .by_stem
                    .entry(stem.to_string())
                    .or_insert(relative.clone());
                index.by_name.entry(name).or_insert(relative);
            }
        }
        index
    }

    pub fn by_uniqueid(&self, id: &str) -> Option<&str> {
        self.by_uniqueid.get(id.trim()).map(String::as_str)
    }

    /// A `recordingfile` value: a bare name, or a path on the PBX
    /// (`/var/spool/asterisk/monitor/2026/11/23/out-...wav`).
    pub fn by_file(&self, value: &str) -> Option<&str> {
        let name = value.trim().rsplit(['/', '\\']).next()?;
        self.by_name.get(name).map(String::as_str)
    }

    /// A file named after an id (`9079.mp3` for Bitrix24 `RECORD_FILE_ID`).
    pub fn by_stem(&self, id: &str) -> Option<&str> {
        self.by_stem.get(id.trim()).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

fn is_audio(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| AUDIO.contains(&e.as_str()))
}

/// `1700000000.123`-shaped tokens (Asterisk uniqueids: Unix seconds, a
/// dot, a counter) in a file name.
fn uniqueids_in(name: &str) -> Vec<String> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut out = Vec::new();
    for token in stem.split(['-', '_', ' ']) {
        if let Some((secs, seq)) = token.split_once('.')
            && secs.len() >= 9
            && !seq.is_empty()
            && secs.chars().all(|c| c.is_ascii_digit())
            && seq.chars().all(|c| c.is_ascii_digit())
        {
            out.push(token.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_are_found_by_uniqueid_and_name() {
        let dir = tempfile::tempdir().unwrap();
        let day = dir.path().join("monitor/2026/11/23");
        std::fs::create_dir_all(&day).unwrap();
        let name = "out-89123456789-101-20261123-101502-1795418100.17.wav";
        std::fs::write(day.join(name), b"RIFF").unwrap();
        std::fs::write(dir.path().join("1795418200.20_in.mp3"), b"ID3").unwrap();
        std::fs::write(dir.path().join("1795418300.30.txt"), b"x").unwrap();
        let index = RecordingIndex::build(dir.path());
        let path = format!("monitor/2026/11/23/{name}");
        assert_eq!(index.by_uniqueid("1795418100.17"), Some(path.as_str()));
        assert_eq!(
            index.by_uniqueid("1795418200.20"),
            Some("1795418200.20_in.mp3")
        );
        assert_eq!(index.by_uniqueid("1795418300.30"), None);
        let pbx_path = format!("/var/spool/asterisk/monitor/2026/11/23/{name}");
        assert_eq!(index.by_file(&pbx_path), Some(path.as_str()));
    }
}
