//! Persistence with `--data-dir`: the account's state in an SQLite database,
//! `<data dir>/emulator.sqlite3`, so that keys (and their uses), pins, pin jobs, `/psa` requests,
//! files, groups, signed upload URLs, swaps, signatures, resumable uploads in progress, what the
//! content store knows of its objects, and the account's secrets survive a restart.
//!
//! Every store still answers from memory, as without a data directory, so what requests see —
//! use counting under concurrency included — is exactly what it is without one. Each store writes
//! every record it changes to its table *under its own lock*, before the request's answer is sent:
//! the database never holds an older record than one a client was told about, and two updates of
//! one record are written in the order they were made. At start-up every table is read back and
//! the stores rebuild their indexes from the records.
//!
//! One table per kind of record, each `(id TEXT PRIMARY KEY, record TEXT)` with the record as JSON
//! (the stores' own record types: a change to their fields is a new [`SCHEMA_VERSION`]); a row's
//! `rowid` keeps its insertion order, which the stores listed in creation order rely on. The
//! database is in WAL mode with `synchronous=NORMAL` (a commit is not flushed to disk at once: an
//! emulator killed with the machine may lose its last writes, never its consistency) and in
//! exclusive locking mode, so a second emulator pointed at the same data directory refuses to start
//! instead of writing beside the first.
//!
//! The file is created `0600` (SQLite gives its journals the same mode) and one left wider is
//! narrowed once it passed the checks below, as everything in the data directory (`disk.rs`).
//!
//! Refused at start-up, with a message that names the file and what to do, never a silent reset:
//! the file or one of SQLite's journals beside it being a symbolic link (never followed), a file
//! that is not an SQLite database, one that fails SQLite's `quick_check`, one written by a newer
//! emulator (a higher schema version), one without this schema, and a record that does not
//! decode. Not kept (they belong to one run): faults, rate limits, request counters and the
//! request journal.
//!
//! Each store writes its own records, so a change that spans two stores is two writes, and an
//! emulator killed between them (SIGKILL or a crash; a clean stop finishes every request) keeps
//! the first: a resumable upload's file recorded but the upload not yet marked finished (repaired
//! at start-up: the upload is finished with that file's CID), its signed URL not yet spent (usable
//! once more), a group deleted but its files not yet taken out of it (they name a group that is
//! gone), a reset or a first seeding half done. Counters that only order records (group page
//! positions, file id stamps) go on from the highest one kept.
//!
//! A write that fails at run time (a full disk) is printed once on stderr and from then on every
//! request but the health check is answered `503` naming it (the request whose write failed
//! too): the state in memory has moved past the one on disk, and a test should not go on as if
//! it had not.
//!
//! All of this needs the `persistence` feature (on by default), which brings rusqlite and the
//! SQLite it compiles. Without it there is no database: every store keeps its state in memory
//! only, and a data directory is refused at start-up ([`EmulatorConfig::validate`]).
//!
//! [`EmulatorConfig::validate`]: crate::EmulatorConfig::validate

use std::io;
#[cfg(feature = "persistence")]
use std::path::{Path, PathBuf};
use std::sync::Arc;
#[cfg(feature = "persistence")]
use std::sync::{Mutex, MutexGuard, PoisonError};

#[cfg(feature = "persistence")]
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The schema this emulator reads and writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// The database's file name inside the data directory.
pub const FILE_NAME: &str = "emulator.sqlite3";

/// Why a data directory is refused by a build without the `persistence` feature.
pub(crate) const NO_PERSISTENCE: &str = "a data directory (--data-dir, PINATA_EMULATOR_DATA_DIR, \
     EmulatorConfig::data_dir) needs pinata-emulator's `persistence` cargo feature, which this build \
     leaves out; build it with the feature (on by default), or keep the state in memory";

/// What follows [`FILE_NAME`] in the names of the database file and of SQLite's journals beside it.
#[cfg(feature = "persistence")]
const SUFFIXES: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// A table: one kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// The account: its id, admin key and JWT secret (by name).
    Account,
    /// API keys, by public key.
    Keys,
    /// Legacy pins, by row id.
    Pins,
    /// Pin-by-hash jobs, by id.
    Jobs,
    /// v3 files, by id.
    Files,
    /// v3 groups, by id.
    Groups,
    /// Signed upload URLs, by id.
    Grants,
    /// CID swap histories, by `network/cid`.
    Swaps,
    /// CID signatures, by `network/cid`.
    Signatures,
    /// Resumable uploads, by upload token.
    Tus,
    /// `/psa` pin requests, by request id.
    Psa,
    /// Folder manifests of the content store, by root CID.
    Folders,
    /// DAG size and file count of stored roots, by CID.
    Roots,
    /// CIDs stored by private uploads only.
    Private,
}

impl Table {
    #[cfg(feature = "persistence")]
    const ALL: [Table; 14] = [
        Table::Account,
        Table::Keys,
        Table::Pins,
        Table::Jobs,
        Table::Files,
        Table::Groups,
        Table::Grants,
        Table::Swaps,
        Table::Signatures,
        Table::Tus,
        Table::Psa,
        Table::Folders,
        Table::Roots,
        Table::Private,
    ];

    #[cfg(feature = "persistence")]
    fn name(self) -> &'static str {
        match self {
            Table::Account => "account",
            Table::Keys => "keys",
            Table::Pins => "pins",
            Table::Jobs => "jobs",
            Table::Files => "files",
            Table::Groups => "groups",
            Table::Grants => "signed_uploads",
            Table::Swaps => "swaps",
            Table::Signatures => "signatures",
            Table::Tus => "tus_uploads",
            Table::Psa => "psa_requests",
            Table::Folders => "folders",
            Table::Roots => "roots",
            Table::Private => "private_cids",
        }
    }
}

/// The open database.
#[cfg(feature = "persistence")]
#[derive(Debug)]
pub(crate) struct Db {
    conn: Mutex<Connection>,
    path: PathBuf,
    /// The first write that failed, if any.
    failure: Mutex<Option<String>>,
    /// Whether the file was new (or had no account yet): the seed is applied only then.
    fresh: bool,
}

/// A start-up refusal: `InvalidData`, naming the file.
#[cfg(feature = "persistence")]
fn refused(path: &Path, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the emulator's database {}: {what}; move it away (or choose another --data-dir) to start afresh",
            path.display()
        ),
    )
}

#[cfg(feature = "persistence")]
impl Db {
    /// Opens (or creates) the database in `dir`, checked as the module says: every check reads
    /// only, so a refused file is left exactly as it was.
    pub(crate) fn open(dir: &Path) -> io::Result<Self> {
        let path = dir.join(FILE_NAME);
        // Neither the file nor SQLite's journals beside it are reached through a symbolic link.
        for suffix in SUFFIXES {
            let file = dir.join(format!("{FILE_NAME}{suffix}"));
            crate::disk::refuse_link(&file)?;
        }
        // The database holds the keys' secrets: for the owner only, like a key file, from its
        // creation on (SQLite takes an empty file as a new database, and gives its journals the
        // file's mode).
        let existed = match crate::disk::create_private_file(&path) {
            Ok(_) => false,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => true,
            Err(e) => return Err(refused(&path, e)),
        };
        let conn = Connection::open(&path).map_err(|e| refused(&path, e))?;
        // Nothing else should hold the file: another emulator's lock is reported at once.
        conn.busy_timeout(std::time::Duration::from_millis(100))
            .map_err(|e| refused(&path, e))?;
        // Every table's put, delete and clear stay prepared.
        conn.set_prepared_statement_cache_capacity(4 * Table::ALL.len());
        let busy = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                refused(&path, "another emulator is using it")
            }
            _ => refused(&path, e),
        };
        // Held from the first read on: the lock is taken before anything is looked at.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(busy)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(busy)?;
        if version > SCHEMA_VERSION {
            return Err(refused(
                &path,
                format!(
                    "it has schema version {version}, written by a newer emulator; this one ({}) reads version {SCHEMA_VERSION}",
                    crate::VERSION
                ),
            ));
        }
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |row| row.get(0))
            .map_err(busy)?;
        if check != "ok" {
            return Err(refused(&path, format!("it is corrupt ({check})")));
        }
        if version == 0 {
            let tables: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
                .map_err(busy)?;
            if tables > 0 {
                return Err(refused(
                    &path,
                    "it is an SQLite database, but not one of this emulator's (no schema version)",
                ));
            }
        }
        // One an earlier version (or the user) left readable by others is narrowed, now that it
        // passed, with its journals.
        if existed {
            for suffix in SUFFIXES {
                let file = dir.join(format!("{FILE_NAME}{suffix}"));
                if file.exists() {
                    crate::disk::narrow_file(&file)?;
                }
            }
        }
        // WAL (a write: only for a database that passed). A file system without it keeps SQLite's
        // rollback journal, slower but as safe.
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(busy)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(busy)?;
        let create = || -> rusqlite::Result<()> {
            let tx = conn.unchecked_transaction()?;
            for table in Table::ALL {
                tx.execute(
                    &format!(
                        "CREATE TABLE IF NOT EXISTS {} (id TEXT PRIMARY KEY NOT NULL, record TEXT NOT NULL)",
                        table.name()
                    ),
                    [],
                )?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            tx.commit()
        };
        // The exclusive write lock is held from here for as long as the emulator runs.
        create().map_err(busy)?;
        let fresh = conn
            .query_row("SELECT 1 FROM account LIMIT 1", [], |_| Ok(()))
            .optional()
            .map_err(|e| refused(&path, e))?
            .is_none();
        Ok(Self {
            conn: Mutex::new(conn),
            path,
            failure: Mutex::new(None),
            fresh,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A statement either ran or not; the connection is usable after a panic elsewhere.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fail(&self, table: Table, e: impl std::fmt::Display) {
        let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        if failure.is_none() {
            let message = format!(
                "writing to {} (table {}) failed: {e}",
                self.path.display(),
                table.name()
            );
            eprintln!("pinata-emulator: {message}; every request is answered 503 from now on");
            *failure = Some(message);
        }
    }

    fn run(&self, table: Table, sql: &str, params: impl rusqlite::Params) {
        let conn = self.lock();
        let result = conn
            .prepare_cached(sql)
            .and_then(|mut statement| statement.execute(params));
        if let Err(e) = result {
            self.fail(table, e);
        }
    }

    /// Whether the file was new (or had no account yet).
    fn fresh(&self) -> bool {
        self.fresh
    }

    /// Writes `json` as the row `id` of `table` (added, or replacing the one there).
    fn put(&self, table: Table, id: &str, json: &str) {
        let sql = format!(
            "INSERT INTO {} (id, record) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET record = excluded.record",
            table.name()
        );
        self.run(table, &sql, params![id, json]);
    }

    /// Removes the row `id` of `table` (nothing if there is none).
    fn delete(&self, table: Table, id: &str) {
        let sql = format!("DELETE FROM {} WHERE id = ?1", table.name());
        self.run(table, &sql, params![id]);
    }

    /// Removes every row of `table`.
    fn clear(&self, table: Table) {
        self.run(table, &format!("DELETE FROM {}", table.name()), []);
    }

    /// Every row of `table` in insertion order, as `(id, JSON)`.
    fn rows(&self, table: Table) -> io::Result<Vec<(String, String)>> {
        let conn = self.lock();
        let read = || -> rusqlite::Result<Vec<(String, String)>> {
            let mut statement = conn.prepare(&format!(
                "SELECT id, record FROM {} ORDER BY rowid",
                table.name()
            ))?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect()
        };
        read().map_err(|e| refused(&self.path, e))
    }

    /// The start-up refusal for a row of `table` that does not decode.
    fn undecodable(&self, table: Table, id: &str, e: serde_json::Error) -> io::Error {
        refused(
            &self.path,
            format!("row {id:?} of table {} does not decode ({e})", table.name()),
        )
    }

    /// The first write that failed, if one did.
    fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Without the `persistence` feature there is no database: this type has no values, so every
/// [`Persist`] is the in-memory one and none of these methods can be called.
#[cfg(not(feature = "persistence"))]
#[derive(Debug)]
pub(crate) enum Db {}

#[cfg(not(feature = "persistence"))]
impl Db {
    /// Always refused: there is no database in this build ([`EmulatorConfig::validate`] refuses
    /// a data directory before this is reached).
    ///
    /// [`EmulatorConfig::validate`]: crate::EmulatorConfig::validate
    pub(crate) fn open(_dir: &std::path::Path) -> io::Result<Self> {
        Err(io::Error::new(io::ErrorKind::Unsupported, NO_PERSISTENCE))
    }

    fn fresh(&self) -> bool {
        match *self {}
    }

    fn put(&self, _table: Table, _id: &str, _json: &str) {
        match *self {}
    }

    fn delete(&self, _table: Table, _id: &str) {
        match *self {}
    }

    fn clear(&self, _table: Table) {
        match *self {}
    }

    fn rows(&self, _table: Table) -> io::Result<Vec<(String, String)>> {
        match *self {}
    }

    fn undecodable(&self, _table: Table, _id: &str, _e: serde_json::Error) -> io::Error {
        match *self {}
    }

    fn fail(&self, _table: Table, _e: impl std::fmt::Display) {
        match *self {}
    }

    fn failure(&self) -> Option<String> {
        match *self {}
    }
}

/// A store's way to its table: nothing at all without a data directory. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Persist(Option<Arc<Db>>);

impl Persist {
    /// Persistence into `db`.
    pub(crate) fn to(db: Arc<Db>) -> Self {
        Self(Some(db))
    }

    /// Whether the database had no account yet (always `true` in memory).
    pub(crate) fn is_fresh(&self) -> bool {
        self.0.as_ref().is_none_or(|db| db.fresh())
    }

    /// Writes `record` as the row `id` of `table` (added, or replacing the one there). Call it
    /// under the store's lock, after the change, so writes follow the order of changes.
    pub(crate) fn put<T: Serialize + ?Sized>(&self, table: Table, id: &str, record: &T) {
        let Some(db) = &self.0 else { return };
        match serde_json::to_string(record) {
            Ok(json) => db.put(table, id, &json),
            Err(e) => db.fail(table, e),
        }
    }

    /// Removes the row `id` of `table` (nothing if there is none).
    pub(crate) fn delete(&self, table: Table, id: &str) {
        let Some(db) = &self.0 else { return };
        db.delete(table, id);
    }

    /// Removes every row of `table`.
    pub(crate) fn clear(&self, table: Table) {
        let Some(db) = &self.0 else { return };
        db.clear(table);
    }

    /// Every row of `table` in insertion order, decoded; a row that does not decode is a start-up
    /// error naming it. Nothing without a data directory.
    pub(crate) fn load<T: DeserializeOwned>(&self, table: Table) -> io::Result<Vec<(String, T)>> {
        let Some(db) = &self.0 else {
            return Ok(Vec::new());
        };
        db.rows(table)?
            .into_iter()
            .map(|(id, json)| match serde_json::from_str(&json) {
                Ok(record) => Ok((id, record)),
                Err(e) => Err(db.undecodable(table, &id, e)),
            })
            .collect()
    }

    /// The first write that failed, if one did: the emulator answers every request `503` then.
    pub(crate) fn failure(&self) -> Option<String> {
        self.0.as_ref()?.failure()
    }
}

/// The (de)serialisation of the core's types the records hold, which have no `Deserialize` of
/// their own.
pub(crate) mod form {
    /// [`pinata_core::api::Network`] as `public` / `private`.
    pub(crate) mod network {
        use pinata_core::api::Network;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes the value (`#[serde(with = …)]`).
        pub(crate) fn serialize<S: Serializer>(n: &Network, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(n.as_str())
        }

        /// Reads the value back (`#[serde(with = …)]`).
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Network, D::Error> {
            let name = String::deserialize(d)?;
            Network::parse(&name)
                .ok_or_else(|| serde::de::Error::custom(format!("no network {name:?}")))
        }
    }

    /// [`pinata_core::cid::CidVersion`] as 0 / 1.
    pub(crate) mod cid_version {
        use pinata_core::cid::CidVersion;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes the value (`#[serde(with = …)]`).
        pub(crate) fn serialize<S: Serializer>(v: &CidVersion, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_u8(v.as_number())
        }

        /// Reads the value back (`#[serde(with = …)]`).
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CidVersion, D::Error> {
            match u8::deserialize(d)? {
                0 => Ok(CidVersion::V0),
                1 => Ok(CidVersion::V1),
                n => Err(serde::de::Error::custom(format!("no CID version {n}"))),
            }
        }
    }

    /// [`pinata_core::SecretString`] as its text (the database is the emulator's own, like its
    /// data directory).
    pub(crate) mod secret {
        use pinata_core::SecretString;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes the value (`#[serde(with = …)]`).
        pub(crate) fn serialize<S: Serializer>(v: &SecretString, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(v.expose_secret())
        }

        /// Reads the value back (`#[serde(with = …)]`).
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<SecretString, D::Error> {
            String::deserialize(d).map(SecretString::new)
        }
    }

    /// [`pinata_core::api::keys::Permissions`] as key creation takes them.
    pub(crate) mod permissions {
        use pinata_core::api::keys::Permissions;
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        /// Writes the value (`#[serde(with = …)]`).
        pub(crate) fn serialize<S: Serializer>(p: &Permissions, s: S) -> Result<S::Ok, S::Error> {
            p.serialize(s)
        }

        /// Reads the value back (`#[serde(with = …)]`).
        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Permissions, D::Error> {
            let json = serde_json::Value::deserialize(d)?;
            Permissions::from_request_json(&json).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(all(test, feature = "persistence"))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "pinata-emulator-db-{name}-{}",
            crate::ids::random_hex(8).unwrap()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn rows_come_back_in_insertion_order_with_their_last_value() {
        let d = dir("order");
        {
            let p = Persist::to(Arc::new(Db::open(&d).unwrap()));
            assert!(p.is_fresh());
            p.put(Table::Pins, "b", &1);
            p.put(Table::Pins, "a", &2);
            p.put(Table::Pins, "b", &3);
            p.put(Table::Pins, "c", &4);
            p.delete(Table::Pins, "c");
            p.put(Table::Account, "x", "y");
        }
        let p = Persist::to(Arc::new(Db::open(&d).unwrap()));
        assert!(!p.is_fresh(), "an account row was written");
        let rows: Vec<(String, i32)> = p.load(Table::Pins).unwrap();
        assert_eq!(rows, [("b".to_owned(), 3), ("a".to_owned(), 2)]);
        p.clear(Table::Pins);
        assert!(p.load::<i32>(Table::Pins).unwrap().is_empty());
        assert!(p.failure().is_none());
    }

    #[test]
    fn a_failed_write_is_kept_and_reported() {
        let d = dir("failing");
        let db = Arc::new(Db::open(&d).unwrap());
        db.lock().execute("DROP TABLE pins", []).unwrap();
        let p = Persist::to(db);
        p.put(Table::Keys, "k", &1);
        assert!(p.failure().is_none());
        p.put(Table::Pins, "p", &1);
        p.put(Table::Pins, "q", &1);
        let failure = p.failure().unwrap();
        assert!(failure.contains("table pins"), "{failure}");
        assert!(failure.contains(FILE_NAME), "{failure}");
    }

    #[test]
    fn a_second_emulator_on_the_same_directory_is_refused() {
        let d = dir("twice");
        let _first = Db::open(&d).unwrap();
        let e = Db::open(&d).unwrap_err();
        assert!(e.to_string().contains("another emulator"), "{e}");
    }

    #[test]
    fn foreign_corrupt_and_newer_files_are_refused() {
        let d = dir("garbage");
        std::fs::write(d.join(FILE_NAME), vec![0x5a; 8192]).unwrap();
        let e = Db::open(&d).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("not a database"), "{e}");

        let d = dir("newer");
        {
            let conn = Connection::open(d.join(FILE_NAME)).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let e = Db::open(&d).unwrap_err();
        assert!(e.to_string().contains("newer emulator"), "{e}");

        let d = dir("foreign");
        {
            let conn = Connection::open(d.join(FILE_NAME)).unwrap();
            conn.execute("CREATE TABLE t (x)", []).unwrap();
        }
        let e = Db::open(&d).unwrap_err();
        assert!(e.to_string().contains("not one of this emulator's"), "{e}");

        let d = dir("undecodable");
        {
            let p = Persist::to(Arc::new(Db::open(&d).unwrap()));
            p.put(Table::Keys, "k", "not a key");
        }
        let p = Persist::to(Arc::new(Db::open(&d).unwrap()));
        let e = p.load::<i32>(Table::Keys).unwrap_err();
        assert!(e.to_string().contains("row \"k\" of table keys"), "{e}");
    }
}
