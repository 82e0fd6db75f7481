//! Field parsers shared by every batch file: times, flags, amounts and the
//! recording path, which must stay inside the batch folder.

use crate::domain::crm::{ChannelLayout, Recording};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use std::path::{Component, Path, PathBuf};

/// ISO 8601 with an offset: `2026-11-23T10:15:00+03:00`, also without
/// seconds, with a space instead of `T`, or with `Z`. A time without an
/// offset is refused: the batch may span time zones.
pub fn parse_time(text: &str) -> Result<DateTime<FixedOffset>, String> {
    let t = text.trim();
    if let Ok(ts) = DateTime::parse_from_rfc3339(t) {
        return Ok(ts);
    }
    for format in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M%:z",
    ] {
        if let Ok(ts) = DateTime::parse_from_str(t, format) {
            return Ok(ts);
        }
    }
    if NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").is_ok()
        || NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").is_ok()
    {
        return Err(format!(
            "time {t:?} has no UTC offset; write it like 2026-11-23T10:15:00+03:00"
        ));
    }
    Err(format!(
        "time {:?} does not parse; write it like 2026-11-23T10:15:00+03:00",
        crate::text::one_line(t, 60)
    ))
}

pub fn parse_flag(text: &str) -> Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "" | "0" | "false" | "no" | "n" | "нет" => Ok(false),
        "1" | "true" | "yes" | "y" | "да" => Ok(true),
        other => Err(format!(
            "{:?} is not a yes/no value (use 1 or 0)",
            crate::text::one_line(other, 40)
        )),
    }
}

/// Amounts as people type them: `150000`, `150 000,50`, `1,500.50`.
pub fn parse_amount(text: &str) -> Result<Option<f64>, String> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    let normalized = if t.contains('.') {
        t.replace(',', "")
    } else {
        t.replace(',', ".")
    };
    normalized
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| {
            format!(
                "amount {:?} is not a number",
                crate::text::one_line(text, 40)
            )
        })
}

/// Find, check and probe a recording file, its channel layout as for a
/// batch that says nothing (see [`with_layout`]). A batch names one file
/// for many rows at times (a conference, a test batch): the importer probes
/// each file once with this and gives every row its own layout.
pub fn probe_file(root: &Path, relative: &str) -> Result<Recording, String> {
    let path = resolve_recording(root, relative)?;
    let info = crate::audio::probe(&path).map_err(|e| format!("recording {relative:?}: {e}"))?;
    Ok(with_layout(
        Recording {
            path: path.display().to_string(),
            container: info.container,
            codec: info.codec,
            duration_ms: info.duration_ms,
            channels: info.channels,
            sample_rate: info.sample_rate,
            channel_layout: ChannelLayout::Mono,
        },
        None,
    ))
}

/// The recording with the layout a row gives it: a mono file is mono
/// whatever the row says; a stereo file the row says nothing about is
/// taken as rep-left.
pub fn with_layout(mut recording: Recording, layout: Option<ChannelLayout>) -> Recording {
    recording.channel_layout = if recording.channels < 2 {
        ChannelLayout::Mono
    } else {
        layout.unwrap_or(ChannelLayout::RepLeft)
    };
    recording
}

/// Resolve a recording path given in a CSV. Only relative paths that stay
/// inside the batch folder are accepted, also after following links.
pub fn resolve_recording(batch_dir: &Path, relative: &str) -> Result<PathBuf, String> {
    let rel = Path::new(relative.trim());
    if relative.trim().is_empty() {
        return Err("the recording path is empty".into());
    }
    if rel.is_absolute() || rel.has_root() {
        return Err(format!(
            "recording path {relative:?} is absolute; paths must be relative to the batch folder"
        ));
    }
    if rel
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err(format!(
            "recording path {relative:?} leaves the batch folder (..); refused"
        ));
    }
    super::files::resolve_inside(batch_dir, rel)
        .map_err(|reason| format!("recording {relative:?} {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_need_an_offset() {
        assert_eq!(
            parse_time("2026-11-23T10:15:00+03:00")
                .unwrap()
                .to_rfc3339(),
            "2026-11-23T10:15:00+03:00"
        );
        assert!(parse_time("2026-11-23 10:15+03:00").is_ok());
        assert!(parse_time("2026-11-23T07:15:00Z").is_ok());
        assert!(
            parse_time("2026-11-23T10:15:00")
                .unwrap_err()
                .contains("no UTC offset")
        );
        assert!(
            parse_time("23.11.2026")
                .unwrap_err()
                .contains("does not parse")
        );
    }

    #[test]
    fn amounts_and_flags() {
        assert_eq!(parse_amount("150 000,50").unwrap(), Some(150_000.5));
        assert_eq!(parse_amount("1,500.50").unwrap(), Some(1_500.5));
        assert_eq!(parse_amount("").unwrap(), None);
        assert!(parse_amount("много").is_err());
        assert!(parse_flag("1").unwrap());
        assert!(!parse_flag("").unwrap());
        assert!(parse_flag("maybe").is_err());
    }

    #[test]
    fn recording_paths_stay_inside_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rec")).unwrap();
        std::fs::write(dir.path().join("rec/a.wav"), b"x").unwrap();
        assert!(resolve_recording(dir.path(), "rec/a.wav").is_ok());
        assert!(
            resolve_recording(dir.path(), "../x.wav")
                .unwrap_err()
                .contains("leaves")
        );
        assert!(
            resolve_recording(dir.path(), "/etc/passwd")
                .unwrap_err()
                .contains("absolute")
        );
        assert!(
            resolve_recording(dir.path(), "rec/none.wav")
                .unwrap_err()
                .contains("cannot be opened")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", dir.path().join("rec/link.wav")).unwrap();
            assert!(
                resolve_recording(dir.path(), "rec/link.wav")
                    .unwrap_err()
                    .contains("outside")
            );
        }
    }
}
