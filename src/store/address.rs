//! Where a workspace lives: an SQLite file (the solo default) or a
//! PostgreSQL database named by a `postgres://` URL (a team's). `--db` and
//! `CALLQA_DB` take either; the text is parsed once, here.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    File(PathBuf),
    /// A `postgres://` or `postgresql://` URL, as given (password and all:
    /// workers reconnect with it); [`Address`]'s display hides the password.
    Postgres(String),
}

const SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

impl Address {
    pub fn parse(text: &str) -> Address {
        if SCHEMES.iter().any(|s| text.starts_with(s)) {
            Address::Postgres(text.to_string())
        } else {
            Address::File(PathBuf::from(text))
        }
    }

    /// The file, for a workspace that is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Address::File(path) => Some(path),
            Address::Postgres(_) => None,
        }
    }

    /// The address as a path, for the code that hands a workspace to
    /// another thread or process by path: a URL passes through unchanged
    /// and [`Address::from`] reads it back as a URL.
    pub fn as_path(&self) -> &Path {
        match self {
            Address::File(path) => path,
            Address::Postgres(url) => Path::new(url),
        }
    }
}

impl From<&Path> for Address {
    fn from(path: &Path) -> Address {
        match path.to_str() {
            Some(text) => Address::parse(text),
            None => Address::File(path.to_path_buf()),
        }
    }
}

impl From<&PathBuf> for Address {
    fn from(path: &PathBuf) -> Address {
        Address::from(path.as_path())
    }
}

impl From<&str> for Address {
    fn from(text: &str) -> Address {
        Address::parse(text)
    }
}

impl From<&Address> for Address {
    fn from(address: &Address) -> Address {
        address.clone()
    }
}

impl std::str::FromStr for Address {
    type Err = std::convert::Infallible;
    fn from_str(text: &str) -> Result<Address, Self::Err> {
        Ok(Address::parse(text))
    }
}

/// A file as the user wrote it; a URL without its password.
impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::File(path) => write!(f, "{}", crate::text::path_line(path)),
            Address::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    match user_info.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_postgres_and_anything_else_a_file() {
        assert_eq!(
            Address::parse("postgresql://u@h/db"),
            Address::Postgres("postgresql://u@h/db".into())
        );
        assert_eq!(
            Address::from(Path::new("postgres://u@h/db")),
            Address::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            Address::parse("team/postgres.sqlite"),
            Address::File("team/postgres.sqlite".into())
        );
    }

    #[test]
    fn the_password_is_never_shown() {
        let url = "postgres://lead:s3cret@db.example:5432/callqa";
        let shown = Address::parse(url).to_string();
        assert_eq!(shown, "postgres://lead:***@db.example:5432/callqa");
        assert_eq!(
            without_password("postgres://lead@h/db"),
            "postgres://lead@h/db"
        );
    }
}
