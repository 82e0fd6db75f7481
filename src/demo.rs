//! The bundled demo batch lives inside the binary, so `callqa demo` works
//! from any folder; it is written out next to the demo workspace.

use anyhow::Context;
use include_dir::{Dir, DirEntry, include_dir};
use std::path::{Path, PathBuf};

static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// The colleague's reviews `callqa demo` applies to a fresh demo workspace
/// (`callqa::reports::demo_reviews`).
pub fn reviews() -> &'static str {
    DEMO.get_file("reviews.toml")
        .and_then(|f| f.contents_utf8())
        .expect("assets/demo/reviews.toml is bundled")
}

/// Write the demo batch under `target` (only files missing or different)
/// and return the folder to import.
pub fn extract(target: &Path) -> anyhow::Result<PathBuf> {
    write_dir(&DEMO, target)?;
    Ok(target.to_path_buf())
}

fn write_dir(dir: &Dir, target: &Path) -> anyhow::Result<()> {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(sub) => write_dir(sub, target)?,
            DirEntry::File(file) => {
                let path = target.join(file.path());
                if std::fs::read(&path).ok().as_deref() == Some(file.contents()) {
                    continue;
                }
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("{}: cannot create", parent.display()))?;
                }
                std::fs::write(&path, file.contents())
                    .with_context(|| format!("{}: cannot write", path.display()))?;
            }
        }
    }
    Ok(())
}
