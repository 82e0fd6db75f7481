//! Opening files that come from outside: batch files, recordings, settings.
//!
//! Any of them may turn out to be a FIFO (opening one waits for a writer, a
//! read waits forever), a device such as `/dev/zero` (a read never ends) or
//! a folder. One rule for all: open without blocking, keep only regular
//! files, and read text whole only up to a limit. The import adds its own
//! rule on top (the file must be inside the batch folder, `import::files`).

use std::fs::{File, FileType};
use std::io::Read;
use std::path::Path;

/// Open `path` for reading without waiting, and keep it only if it is a
/// regular file (a symlink to one is followed unless `no_follow`). The
/// error is a short reason a user can act on.
pub fn open_regular(path: &Path, no_follow: bool) -> Result<File, OpenError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Has no effect on reading a regular file, the only kind kept.
        let follow = if no_follow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | follow);
    }
    let file = options.open(path).map_err(OpenError::Io)?;
    let kind = file.metadata().map_err(OpenError::Io)?.file_type();
    if !kind.is_file() {
        return Err(OpenError::NotRegular(kind_name(kind)));
    }
    Ok(file)
}

#[derive(Debug)]
pub enum OpenError {
    Io(std::io::Error),
    /// What it is instead (`a named pipe`, `a device`, `a folder`).
    NotRegular(&'static str),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Io(e) => write!(f, "cannot be opened: {}", io_reason(e)),
            OpenError::NotRegular(kind) => write!(f, "is not a regular file ({kind}); refused"),
        }
    }
}

/// What a path is when it is not a regular file, for a refusal.
pub fn kind_name(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// A file read whole, refused if it holds more than `limit` bytes (also
/// when it grows after the size was checked).
pub fn read_limited(file: File, limit: u64) -> Result<Vec<u8>, String> {
    let too_big = || {
        let size = if limit >= 1024 * 1024 {
            format!("{} MiB", limit / (1024 * 1024))
        } else {
            format!("{limit} bytes")
        };
        format!("is larger than {size}, too big for a text file; refused")
    };
    let size = file
        .metadata()
        .map_err(|e| format!("cannot be read: {}", io_reason(&e)))?
        .len();
    if size > limit {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    // One byte past the limit tells a file that grew after the check.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {}", io_reason(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(too_big());
    }
    Ok(bytes)
}

/// An io::Error as a short reason: "No such file or directory", without the
/// "(os error 2)" tail that means nothing to a reviewer.
pub fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Bytes an unprivileged writer may still use on the file system holding
/// `folder`, or `None` when it cannot be asked.
pub fn free_space(folder: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok()?;
    // SAFETY: a valid NUL-terminated path and a zeroed struct statvfs(3) fills.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    Some(stats.f_bavail as u64 * stats.f_frsize as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_open_and_never_block() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let refused = open_regular(&fifo, false).unwrap_err().to_string();
        assert_eq!(refused, "is not a regular file (a named pipe); refused");
        let folder = open_regular(dir.path(), false).unwrap_err().to_string();
        assert!(
            folder.contains("a folder") || folder.contains("cannot be opened"),
            "{folder}"
        );
        assert!(
            open_regular(Path::new("/dev/zero"), false)
                .unwrap_err()
                .to_string()
                .contains("a device")
        );
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "abc").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(open_regular(&link, false).is_ok());
        assert!(
            open_regular(&link, true).is_err(),
            "no_follow refuses a link"
        );
        let missing = open_regular(&dir.path().join("none"), false).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "cannot be opened: No such file or directory"
        );
    }

    #[test]
    fn text_is_read_whole_only_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "abcd").unwrap();
        let open = || open_regular(&file, false).unwrap();
        assert_eq!(read_limited(open(), 4).unwrap(), b"abcd");
        assert!(
            read_limited(open(), 2)
                .unwrap_err()
                .contains("larger than 2 bytes")
        );
    }
}
