//! Where callqa keeps things and the reviewer's own settings.
//!
//! `CALLQA_CONFIG_DIR` and `CALLQA_DATA_DIR` override the XDG folders, so
//! tests and second reviewers on one machine stay apart.

use crate::domain::Lang;
use serde::Deserialize;
use std::path::PathBuf;

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
        let path = Config::path();
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(anyhow::anyhow!("{}: cannot read: {e}", path.display())),
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
