//! The free space of the disk the data directory is on, for refusing an upload that cannot fit.

use std::io;
use std::path::Path;

/// The bytes an unprivileged writer may still store on the file system holding `path`
/// (`statvfs`'s `f_bavail × f_frsize`).
#[cfg(unix)]
pub(crate) fn available(path: &Path) -> io::Result<u64> {
    let stat = rustix::fs::statvfs(path)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Not measured on this platform: every upload is taken, up to `--max-upload-bytes`.
#[cfg(not(unix))]
pub(crate) fn available(_path: &Path) -> io::Result<u64> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "free space is not measured on this platform",
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_temporary_directory_has_some_room() {
        let free = super::available(&std::env::temp_dir()).unwrap();
        assert!(free > 0);
    }
}
