//! Where callqa keeps things and the reviewer's own settings.
//!
//! `CALLQA_CONFIG_DIR` and `CALLQA_DATA_DIR` override the XDG folders, so
//! tests and second reviewers on one machine stay apart.
//!
//! Settings files are read only when they are regular files of a sane size
//! ([`read_settings_file`]): a FIFO or `/dev/zero` behind `config.toml` would
//! otherwise hang every command.

use crate::domain::Lang;
use crate::files::OpenError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The largest settings file (`config.toml`, `keymap.toml`) read: far more
/// than any real one holds.
pub const MAX_SETTINGS_BYTES: u64 = 256 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Name stored on every review; else the OS user.
    pub reviewer: Option<String>,
    /// Language for new workspaces; else from the locale.
    pub language: Option<Lang>,
}

pub fn config_dir() -> PathBuf {
    std::env::var_os("CALLQA_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::config_dir().map(|d| d.join("callqa")))
        .unwrap_or_else(|| PathBuf::from(".callqa"))
}

pub fn data_dir() -> PathBuf {
    std::env::var_os("CALLQA_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("callqa")))
        .unwrap_or_else(|| PathBuf::from(".callqa"))
}

/// The workspace used when neither `--db` nor `CALLQA_DB` names one.
pub fn default_workspace() -> PathBuf {
    data_dir().join("workspace.sqlite")
}

impl Config {
    pub fn path() -> PathBuf {
        config_dir().join("config.toml")
    }

    /// The config file, or defaults when there is none.
    pub fn load() -> anyhow::Result<Config> {
        Config::load_from(&Config::path())
    }

    fn load_from(path: &Path) -> anyhow::Result<Config> {
        match read_settings_file(path)? {
            Some(text) => toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", crate::text::path_line(path), e.message())),
            None => Ok(Config::default()),
        }
    }

    pub fn reviewer(&self) -> String {
        self.reviewer
            .clone()
            .filter(|r| !r.trim().is_empty())
            .or_else(|| std::env::var("USER").ok().filter(|u| !u.is_empty()))
            .or_else(|| std::env::var("USERNAME").ok().filter(|u| !u.is_empty()))
            .unwrap_or_else(|| "reviewer".to_string())
    }

    pub fn language(&self) -> Lang {
        self.language.unwrap_or_else(|| {
            let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
                .unwrap_or_default();
            Lang::from_locale(&locale)
        })
    }
}

/// A settings file's text, or `None` when there is none. Only a regular
/// file (or a symlink to one) of at most [`MAX_SETTINGS_BYTES`] is read; a
/// FIFO, a device or a folder is refused at once instead of blocking or
/// reading forever.
pub fn read_settings_file(path: &Path) -> anyhow::Result<Option<String>> {
    let fail = |why: String| anyhow::anyhow!("{}: {why}", crate::text::path_line(path));
    let file = match crate::files::open_regular(path, false) {
        Ok(file) => file,
        Err(OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(fail(format!(
                "{e}; settings are read only from regular files"
            )));
        }
    };
    let bytes = crate::files::read_limited(file, MAX_SETTINGS_BYTES)
        .map_err(|e| fail(format!("{e} (larger than a settings file can be)")))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| fail("not UTF-8 text".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn only_regular_settings_files_of_a_sane_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("config.toml");
        std::fs::write(&good, "reviewer = \"Мария\"\n").unwrap();
        let config = Config::load_from(&good).unwrap();
        assert_eq!(config.reviewer.as_deref(), Some("Мария"));
        let linked = dir.path().join("linked.toml");
        std::os::unix::fs::symlink(&good, &linked).unwrap();
        assert_eq!(
            read_settings_file(&linked).unwrap().unwrap(),
            "reviewer = \"Мария\"\n"
        );
        assert!(
            read_settings_file(&dir.path().join("none.toml"))
                .unwrap()
                .is_none()
        );

        let fifo = dir.path().join("fifo.toml");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let zero = dir.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let big = dir.path().join("big.toml");
        std::fs::write(&big, "# x\n".repeat(100_000)).unwrap();
        for (path, why) in [
            (&fifo, "not a regular file"),
            (&zero, "not a regular file"),
            (&dir.path().to_path_buf(), "not a regular file"),
            (&big, "larger than a settings file"),
        ] {
            let err = Config::load_from(path).unwrap_err().to_string();
            assert!(err.contains(why), "{}: {err}", path.display());
        }
    }
}
