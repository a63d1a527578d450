//! Interrupted uploads, remembered: each resumable upload's token is kept in a file of its own
//! (mode 0600: the token's URL is a capability) under the state directory, from its creation
//! until it finishes.

use std::io::Write;
use std::path::{Path, PathBuf};

use pinata_ureq::tus::ResumeToken;

use crate::config::{create_private_dir, private_file, state_dir};
use crate::exit::CliResult;

/// The directory of remembered uploads.
#[derive(Debug, Clone)]
pub struct UploadState {
    dir: PathBuf,
}

/// FNV-1a, 64 bits: a stable file name for a path.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl UploadState {
    /// The state under `PINATA_STATE_DIR` or the platform's state directory.
    pub fn open() -> CliResult<Self> {
        Ok(Self {
            dir: state_dir()?.join("uploads"),
        })
    }

    /// The file that remembers the upload of the file at canonical path `path`.
    fn file_for(&self, path: &Path) -> PathBuf {
        let hash = fnv1a(path.as_os_str().as_encoded_bytes());
        self.dir.join(format!("{hash:016x}.json"))
    }

    /// Remembers `token` (for the file it reads).
    pub fn save(&self, token: &ResumeToken) -> std::io::Result<()> {
        create_private_dir(&self.dir)?;
        let target = self.file_for(&token.fingerprint().path);
        let tmp = target.with_extension("tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut file = private_file(&tmp)?;
        file.write_all(token.to_json().as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &target)
    }

    /// The remembered upload of the file at canonical path `path`.
    pub fn load(&self, path: &Path) -> Option<ResumeToken> {
        let text = std::fs::read_to_string(self.file_for(path)).ok()?;
        ResumeToken::from_json(&text).ok()
    }

    /// Forgets the upload of the file at canonical path `path`.
    pub fn remove(&self, path: &Path) {
        let _ = std::fs::remove_file(self.file_for(path));
    }

    /// Every remembered upload.
    pub fn all(&self) -> Vec<ResumeToken> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut tokens: Vec<ResumeToken> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter_map(|t| ResumeToken::from_json(&t).ok())
            .collect();
        tokens.sort_by(|a, b| a.fingerprint().path.cmp(&b.fingerprint().path));
        tokens
    }
}
