//! Writing the files a person asks for (`--out`, exports) without ever
//! leaving half of one: a regular file is written to a temporary file
//! beside it and renamed into place; a symbolic link is followed to its
//! target; a device or pipe (`/dev/null`, `/dev/stdout`) is written to as it
//! is, never replaced; a folder is refused. Temporary files carry the
//! writer's process id, are removed when a signal stops the program, and
//! are swept up by the next write into the same folder if a `kill -9` left
//! them behind.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Every temporary file starts with this, then the process id: `.skyhound-tmp-1234-…`.
const PREFIX: &str = ".skyhound-tmp-";

/// Temporary files being written now, removed if a signal ends the program.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Where a write to `path` goes.
enum Destination {
    /// A regular file (or none yet): write beside it, then rename.
    File(PathBuf),
    /// A character device, pipe or socket: write to it directly.
    Stream(PathBuf),
}

fn refuse(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{}: {why}", path.display()),
    )
}

/// Follow symbolic links to what they name (even a target that does not
/// exist yet), and say how to write there.
fn destination(path: &Path) -> io::Result<Destination> {
    let mut target = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&target)?;
                target = match target.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Ok(m) if m.is_dir() => return Err(refuse(path, "is a folder; name a file")),
            Ok(m) if m.is_file() => return Ok(Destination::File(target)),
            Ok(_) => return Ok(Destination::Stream(target)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Destination::File(target)),
            Err(e) => return Err(e),
        }
    }
    Err(refuse(path, "too many levels of symbolic links"))
}

/// Write `path` whole or not at all (mode 0600 for a new file), through
/// `write`.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match destination(path)? {
        Destination::Stream(target) => {
            let file = std::fs::OpenOptions::new().write(true).open(&target)?;
            let mut out = io::BufWriter::new(file);
            write(&mut out)?;
            out.flush()
        }
        Destination::File(target) => {
            let dir = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            sweep(&dir);
            // tempfile creates the file with mode 0600 on Unix.
            let tmp = tempfile::Builder::new()
                .prefix(&format!("{PREFIX}{}-", std::process::id()))
                .tempfile_in(&dir)?;
            let tmp_path = tmp.path().to_path_buf();
            pending(&tmp_path, true);
            let result = (|| {
                {
                    let mut out = io::BufWriter::new(tmp.as_file());
                    write(&mut out)?;
                    out.flush()?;
                }
                tmp.as_file().sync_all()?;
                tmp.persist(&target).map_err(|e| e.error)?;
                Ok(())
            })();
            pending(&tmp_path, false);
            result
        }
    }
}

fn pending(path: &Path, add: bool) {
    if let Ok(mut list) = PENDING.lock() {
        if add {
            list.push(path.to_path_buf());
        } else {
            list.retain(|p| p != path);
        }
    }
}

/// Remove the temporary files being written now (from a signal handler's
/// thread, just before the program exits).
pub fn remove_pending() {
    if let Ok(list) = PENDING.lock() {
        for p in list.iter() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Remove temporary files of ours in `dir` whose writer is no longer
/// running (a `kill -9` leaves them).
fn sweep(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !running(pid) {
            tracing::info!(file = %entry.path().display(), "removing a stale temporary file");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id is running (on Linux, by /proc; elsewhere
/// assumed running, so nothing is removed that might be in use).
fn running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) -> io::Result<()> {
        write_atomically(path, |out| out.write_all(text.as_bytes()))
    }

    #[test]
    fn a_symlink_is_followed_and_a_folder_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("real.snapshot");
        let link = dir.path().join("link.snapshot");
        std::os::unix::fs::symlink("real.snapshot", &link).expect("symlink");
        write(&link, "one").expect("writes");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink(),
            "the link is still a link"
        );
        assert_eq!(std::fs::read_to_string(&target).expect("target"), "one");
        let err = write(dir.path(), "x").expect_err("a folder is refused");
        assert!(err.to_string().contains("is a folder"), "{err}");
    }

    #[test]
    fn a_device_is_written_to_not_replaced() {
        let null = Path::new("/dev/null");
        write(null, "discarded").expect("writes");
        let m = std::fs::metadata(null).expect("still there");
        assert!(!m.is_file(), "/dev/null is still a device");
    }

    #[test]
    fn stale_temporary_files_are_swept_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        // No process has id 4294967295.
        let stale = dir.path().join(format!("{PREFIX}4294967295-abc"));
        let ours = dir
            .path()
            .join(format!("{PREFIX}{}-abc", std::process::id()));
        std::fs::write(&stale, "half").expect("stale");
        std::fs::write(&ours, "in progress").expect("ours");
        write(&dir.path().join("out"), "whole").expect("writes");
        assert!(!stale.exists());
        assert!(ours.exists());
    }
}
