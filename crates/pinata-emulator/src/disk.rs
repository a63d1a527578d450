//! The data directory on disk: its free space ([`available`]), and two rules.
//!
//! Every directory and file the emulator makes, opens, narrows or cleans inside its data directory
//! goes through these functions, so two rules hold at every site:
//!
//! - **For the owner only.** Directories are created `0700` and files `0600` (the mode is given
//!   to the call that creates them, so they are never wider, not even for a moment); what an
//!   earlier version left wider is narrowed at start-up ([`private_dir`], [`narrow_files`]).
//! - **No symbolic link is followed.** A directory the emulator owns (`objects/`, `incoming/`,
//!   `tus/`) that is a link, and a link among the files it keeps, stop the start-up with an error
//!   that names the path (nothing is removed or emptied then); a new file is created with
//!   `create_new`, so a link planted under its name makes the creation fail instead of writing
//!   through it; an existing file is opened with `O_NOFOLLOW`; and cleaning removes a link as a
//!   link, never what it points to.
//!
//! The data directory itself is the user's choice and may be a link to elsewhere: it is created
//! `0700` when the emulator creates it, and an existing one keeps its mode (everything the
//! emulator keeps in it is private by itself). The mode bits and `O_NOFOLLOW` are Unix's; elsewhere
//! the same calls are made without them.

use std::fs::{DirBuilder, OpenOptions};
use std::io;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};

/// The mode of every directory the emulator creates in its data directory.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;

/// The mode of every file the emulator creates in its data directory.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// A start-up refusal naming `path`, a symbolic link where the emulator keeps its own data.
fn link_refused(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{} is a symbolic link: the emulator follows none inside its data directory; remove \
             it (or choose another --data-dir)",
            path.display()
        ),
    )
}

/// Creates the data directory `path` and its missing parents, each `0700`; one that exists is
/// left as it is (it may be a link to where the user wants the data).
pub(crate) fn create_data_dir(path: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(path)
}

/// Creates the directory `path` (its parent must exist), `0700`; an error if anything is there
/// already, a link included (for a new temporary directory, in a place others write to).
pub(crate) fn create_new_dir(path: &Path) -> io::Result<()> {
    #[cfg_attr(not(unix), allow(unused_mut))] // Only Unix sets a mode.
    let mut builder = DirBuilder::new();
    #[cfg(unix)]
    builder.mode(DIR_MODE);
    builder.create(path)
}

/// Makes `path` a directory of the emulator's own: created `0700` if missing; refused (naming
/// it) if it is a symbolic link or not a directory; narrowed to `0700` if wider.
pub(crate) fn private_dir(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(link_refused(path)),
        Ok(meta) if !meta.is_dir() => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is not a directory; move it away (or choose another --data-dir)",
                path.display()
            ),
        )),
        Ok(_) => narrow(path, true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_new_dir(path),
        Err(e) => Err(e),
    }
}

/// Refuses a symbolic link at `path` (naming it); anything else, or nothing, passes.
pub(crate) fn refuse_link(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(link_refused(path)),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Narrows every regular file directly in `dir` to `0600`, and refuses (naming it) a symbolic
/// link there: the emulator keeps these files and never made a link among them. Other entries
/// are left alone. One directory read and, for each entry, the file type it gives; a file is
/// opened only when its mode is too wide.
pub(crate) fn narrow_files(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            return Err(link_refused(&entry.path()));
        }
        if kind.is_file() {
            #[cfg(unix)]
            if entry.metadata()?.permissions().mode() & 0o777 & !FILE_MODE == 0 {
                continue;
            }
            narrow(&entry.path(), false)?;
        }
    }
    Ok(())
}

/// Narrows the file `path` to `0600` if it is wider (a link there is an error, never followed).
/// Only the database needs it (the content store narrows whole directories).
#[cfg(feature = "persistence")]
pub(crate) fn narrow_file(path: &Path) -> io::Result<()> {
    narrow(path, false)
}

/// Sets `path`'s mode to `0700` (a directory) or `0600` (a file) if it is wider, through a handle
/// opened without following a link (so a link swapped in meanwhile is an error, not a change of
/// what it points to). An error names `path`.
fn narrow(path: &Path, dir: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        let want = if dir { DIR_MODE } else { FILE_MODE };
        let narrowed = || -> io::Result<()> {
            // Non-blocking, in case a FIFO was swapped in: opening it must not wait for a writer.
            let handle = OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .open(path)?;
            let meta = handle.metadata()?;
            if meta.is_dir() != dir {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "it changed while it was checked",
                ));
            }
            if meta.permissions().mode() & 0o777 & !want != 0 {
                handle.set_permissions(std::fs::Permissions::from_mode(want))?;
            }
            Ok(())
        };
        narrowed().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("making {} private ({want:o}): {e}", path.display()),
            )
        })?;
    }
    #[cfg(not(unix))]
    let _ = (path, dir);
    Ok(())
}

/// Options that open an existing file without following a link (`O_NOFOLLOW`); the caller says
/// how (read, write).
pub(crate) fn open_options() -> OpenOptions {
    #[cfg_attr(not(unix), allow(unused_mut))] // Only Unix adds a flag.
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    options.custom_flags(libc::O_NOFOLLOW);
    options
}

/// A new file at `path`, `0600`, open for writing; an error if anything is there already (a
/// planted link included), so the bytes written go nowhere else.
pub(crate) fn create_private_file(path: &Path) -> io::Result<std::fs::File> {
    let mut options = open_options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    options.open(path)
}

/// [`create_private_file`] for async code.
pub(crate) async fn create_private_file_async(path: &Path) -> io::Result<tokio::fs::File> {
    let mut options = tokio::fs::OpenOptions::from(open_options());
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(FILE_MODE);
    options.open(path).await
}

/// [`open_options`] for async code.
pub(crate) fn open_options_async() -> tokio::fs::OpenOptions {
    tokio::fs::OpenOptions::from(open_options())
}

/// Whether `path` is a regular file itself (a link to one is not).
pub(crate) fn is_regular_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Removes everything inside `dir` (what another request removed meanwhile is no error): a link
/// is removed as a link, a directory with what it holds (never through a link: `remove_dir_all`
/// does not follow them). `dir` itself must not be a link (refused, naming it).
pub(crate) fn empty_dir(dir: &Path) -> io::Result<()> {
    refuse_link(dir)?;
    for entry in std::fs::read_dir(dir)? {
        remove_entry(&entry?)?;
    }
    Ok(())
}

/// Removes the directory entry `entry` as `empty_dir` does (already gone is no error).
pub(crate) fn remove_entry(entry: &std::fs::DirEntry) -> io::Result<()> {
    let path = entry.path();
    // The entry's own type: a link to a directory is a link.
    let removed = if entry.file_type()?.is_dir() {
        std::fs::remove_dir_all(&path)
    } else {
        std::fs::remove_file(&path)
    };
    match removed {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// The bytes an unprivileged writer may still store on the file system holding `path`
/// (`statvfs`'s `f_bavail × f_frsize`): a resumable upload longer than this is refused at its
/// creation.
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

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::os::unix::fs::symlink;
    use std::path::PathBuf;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "pinata-emulator-disk-{name}-{}",
            crate::ids::random_hex(8).unwrap()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn the_temporary_directory_has_some_room() {
        assert!(available(&std::env::temp_dir()).unwrap() > 0);
    }

    #[test]
    fn cleaning_removes_a_link_to_a_directory_as_a_link() {
        let d = scratch("empty");
        let target = scratch("empty-target");
        std::fs::write(target.join("kept"), b"x").unwrap();
        symlink(&target, d.join("link")).unwrap();
        symlink(target.join("kept"), d.join("file-link")).unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub").join("f"), b"y").unwrap();
        empty_dir(&d).unwrap();
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 0);
        assert_eq!(std::fs::read(target.join("kept")).unwrap(), b"x");
        // A linked directory is not emptied at all.
        let linked = scratch("empty-linked").join("l");
        symlink(&target, &linked).unwrap();
        let e = empty_dir(&linked).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read(target.join("kept")).unwrap(), b"x");
    }

    #[test]
    fn a_private_file_is_new_and_0600() {
        let d = scratch("file");
        let f = d.join("f");
        drop(create_private_file(&f).unwrap());
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(create_private_file(&f).is_err(), "never an existing file");
        let victim = d.join("victim");
        std::fs::write(&victim, b"v").unwrap();
        symlink(&victim, d.join("l")).unwrap();
        assert!(create_private_file(&d.join("l")).is_err());
        assert!(open_options().write(true).open(d.join("l")).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"v");
    }
}
