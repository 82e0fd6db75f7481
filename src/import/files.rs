//! Opening the files an import reads. A batch or an export comes from
//! outside, and so does every name in it: a `calls.csv` may be a link to a
//! file elsewhere, a `crm/` a link to another folder, a mapping profile may
//! name `/abs/x.csv` or `../x.csv`, a recording may be a FIFO (a read that
//! never returns) or a link to `/dev/zero` (a read that never ends). So
//! every import file is opened through [`open_inside`]: resolved, required
//! to be inside the batch folder, required to be a regular file, and for
//! text read whole, held to [`TEXT_LIMIT`].

use crate::files::{OpenError, io_reason, kind_name, open_regular, read_limited};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The largest text file (CSV, JSON, TOML) an import reads whole: a year of
/// a busy PBX's `Master.csv` is a few hundred megabytes at most.
pub const TEXT_LIMIT: u64 = 512 * 1024 * 1024;

/// `path` (absolute, or relative to `root`) resolved through every link,
/// if it is a regular file inside `root`. The reason says which rule it
/// broke, for the user to act on.
pub fn resolve_inside(root: &Path, path: &Path) -> Result<PathBuf, String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("the batch folder cannot be opened: {e}"))?;
    let real = root
        .join(path)
        .canonicalize()
        .map_err(|e| format!("cannot be opened: {e}"))?;
    if !real.starts_with(&root) {
        return Err(format!(
            "is outside the batch folder (it resolves to {}); refused",
            crate::text::one_line(&real.display().to_string(), 200)
        ));
    }
    // `metadata` does not open the file, so a FIFO cannot block here.
    let kind = std::fs::metadata(&real)
        .map_err(|e| format!("cannot be opened: {}", io_reason(&e)))?
        .file_type();
    if !kind.is_file() {
        return Err(OpenError::NotRegular(kind_name(kind)).to_string());
    }
    Ok(real)
}

/// Open `path` as [`resolve_inside`] allows. The open itself does not wait
/// on a FIFO swapped in after the check, and the handle is checked again.
pub fn open_inside(root: &Path, path: &Path) -> Result<File, String> {
    let real = resolve_inside(root, path)?;
    open_regular(&real, true).map_err(|e| e.to_string())
}

/// A text file of the batch read whole, at most [`TEXT_LIMIT`] bytes.
pub fn read_inside(root: &Path, path: &Path) -> Result<Vec<u8>, String> {
    read_limited(open_inside(root, path)?, TEXT_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_inside_the_folder_within_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("batch");
        std::fs::create_dir_all(root.join("crm")).unwrap();
        std::fs::write(root.join("calls.csv"), "a,b\n").unwrap();
        std::fs::write(dir.path().join("outside.csv"), "x\n").unwrap();
        assert_eq!(
            read_inside(&root, Path::new("calls.csv")).unwrap(),
            b"a,b\n"
        );
        let err = |p: &str| read_inside(&root, Path::new(p)).unwrap_err();
        assert!(err("../outside.csv").contains("outside the batch folder"));
        let abs = dir.path().join("outside.csv");
        assert!(err(abs.to_str().unwrap()).contains("outside the batch folder"));
        assert!(err("crm").contains("a folder"));
        assert!(err("none.csv").contains("cannot be opened"));
        let file = std::fs::File::open(root.join("calls.csv")).unwrap();
        assert!(read_limited(file, 2).unwrap_err().contains("larger than"));
    }
}
