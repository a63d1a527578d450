//! The command line: every command, flag and its help, as clap derive types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::size::parse_size;

/// The text after the top-level `--help`: examples, settings and the exit codes.
const AFTER_HELP: &str = concat!(
    "Examples:\n",
    "  pinata auth                          store a JWT (prompted, not echoed) and test it\n",
    "  pinata upload ./site --name site     upload a folder, with a progress bar\n",
    "  pinata files list --json | jq .cid   JSON lines for scripts\n",
    "  pinata --profile local whoami        use another profile (e.g. an emulator)\n",
    "\n",
    "Settings: a flag wins over a PINATA_* variable (PINATA_JWT, PINATA_API_KEY, PINATA_API_SECRET,\n",
    "PINATA_API_URL, PINATA_UPLOADS_URL, PINATA_GATEWAY, PINATA_GATEWAY_KEY, PINATA_PROFILE,\n",
    "PINATA_NETWORK), which wins over the profile in the config file (PINATA_CONFIG, or the\n",
    "platform's config directory; `pinata config path`). Interrupted uploads are remembered in\n",
    "PINATA_STATE_DIR (or the platform's state directory).\n",
    "\n",
    "Exit codes:\n",
    "  0  success\n",
    "  1  the API refused the request for another reason (a bad value, a conflict, a CID mismatch)\n",
    "  2  usage: a bad flag or argument, or a bad setting in the config file\n",
    "  3  authentication or permission: no credentials, wrong or revoked ones, or a key without\n",
    "     the scope the command needs\n",
    "  4  not found: the file, group, key or CID does not exist\n",
    "  5  network: no connection, a timeout, or the service unavailable or rate-limiting (429, 5xx)\n",
    "  6  local files: a path missing, unreadable, changed while uploading, or not writable\n",
    "  130  interrupted (Ctrl-C): an upload cut short says whether it is remembered, and the\n",
    "       `pinata upload --resume PATH` that continues it"
);

/// pinata: the command line for the Pinata IPFS API.
#[derive(Debug, Parser)]
#[command(
    name = "pinata",
    version,
    about = "The command line for Pinata (IPFS pinning): uploads with progress and resume, \
             profiles, scriptable output",
    after_help = AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format and where to send requests; every command takes them.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// The profile to use (default: PINATA_PROFILE, the file's default_profile, or "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// The API origin, e.g. http://127.0.0.1:8080 for an emulator.
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,
    /// The uploads origin.
    #[arg(long, global = true, value_name = "URL")]
    pub uploads_url: Option<String>,
    /// The gateway: a domain (example.mypinata.cloud) or a URL.
    #[arg(long, global = true, value_name = "DOMAIN|URL")]
    pub gateway: Option<String>,
    /// Print JSON on stdout: one document, or one JSON object per line for lists.
    #[arg(long, global = true, conflicts_with = "quiet")]
    pub json: bool,
    /// Print only each result's handle, one per line, and no messages: the id of a file,
    /// group, key or pin job (what `get`, `update`, `delete`, `revoke`, `cancel` take); the CID
    /// of what was uploaded or pinned (`upload`, `cid`, `pins legacy list`, `swaps list`, as
    /// `ipfs add -q`; `download`, `link` and `files get` take it).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Progress bars on stderr: auto (when stderr is a terminal), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
    /// Retries of a failed request that is safe to repeat (default: the library's policy).
    #[arg(long, global = true, value_name = "N")]
    pub retries: Option<u32>,
    /// Seconds a request may take (uploads and downloads have their own, longer budget).
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// The proxy of https:// requests (the help text says how to write it).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        conflicts_with = "no_proxy",
        help = "Send https:// requests through this proxy (a CONNECT tunnel), written \
                http://[user:password@]host[:port] (default: HTTPS_PROXY, else ALL_PROXY, as curl \
                reads them; NO_PROXY lists what goes direct; loopback always does)"
    )]
    pub proxy: Option<String>,
    /// Use no proxy, whatever the environment says.
    #[arg(long, global = true)]
    pub no_proxy: bool,
    /// Trust the root certificates in this PEM file too (a TLS-inspecting proxy's, an emulator's
    /// over HTTPS); default: PINATA_CA_CERT.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
}

/// When to draw progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// When stderr is a terminal.
    Auto,
    /// Always (plain lines when stderr is not a terminal).
    Always,
    /// Never.
    Never,
}

/// `public` or `private`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetworkArg {
    /// Public IPFS: anyone can fetch it by its CID.
    Public,
    /// Private to the account (the default): fetched through signed links.
    Private,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store credentials in a profile (prompting without echo) and test them.
    #[command(
        after_help = "Examples:\n  pinata auth                (the JWT is prompted, not echoed)\n  \
        pinata auth --key KEY      (the secret is prompted)\n  \
        printf '%s' \"$JWT\" | pinata --profile local auth --emulator http://127.0.0.1:8080 --jwt-stdin\n\n\
        Without a terminal, give the JWT on standard input (--jwt-stdin; a key's secret: \
        --secret-stdin) or in PINATA_JWT (PINATA_API_KEY and PINATA_API_SECRET), not as --jwt or \
        --secret: other local users can read a command line (ps), and the shell's history keeps it."
    )]
    Auth(AuthArgs),
    /// Check the active credentials (also: `pinata test`).
    #[command(alias = "test", after_help = "Example:\n  pinata whoami --json")]
    Whoami,
    /// Upload files or folders (streamed, resumable, CID-checked); private unless --network public.
    #[command(
        after_help = "Examples:\n  pinata upload report.pdf --name report --kv env=prod\n  \
        pinata upload index.html --network public   (publish to public IPFS)\n  \
        pinata upload ./site --cid-version 1 -q\n  pinata upload big.iso --resume\n  \
        pinata upload --resume                (every interrupted upload)"
    )]
    Upload(UploadArgs),
    /// Predict the CID an upload of a file or folder gets, computed locally, uploading nothing.
    #[command(
        after_help = "The CID is the one `pinata upload` gets with the same flags: a folder's \
        files as an upload sends them, so empty directories are left out (uploads leave them out; \
        `ipfs add --only-hash` would count them).\n\n\
        Examples:\n  pinata cid ./site\n  pinata cid ./site --legacy --cid-version 0"
    )]
    Cid(CidArgs),
    /// List, show, update and delete v3 files.
    #[command(
        subcommand,
        after_help = "Examples:\n  pinata files list --name report\n  \
        pinata files get 0190…\n  pinata files get bafy…      (the newest file with this CID)\n  \
        pinata files delete 0190…"
    )]
    Files(FilesCommand),
    /// Create, list, show, update and delete groups, and put files in them.
    #[command(
        subcommand,
        after_help = "Examples:\n  pinata groups create photos\n  \
        pinata groups add GROUP_ID FILE_ID"
    )]
    Groups(GroupsCommand),
    /// Pin existing CIDs (v3 pin by CID and its queue), and the legacy pin list.
    #[command(
        subcommand,
        after_help = "Examples:\n  pinata pins add-by-cid bafy…\n  \
        pinata pins queue\n  pinata pins legacy list"
    )]
    Pins(PinsCommand),
    /// Hot swaps: serve another CID in place of one (through the account's gateway).
    #[command(
        subcommand,
        after_help = "Examples:\n  pinata swaps add bafyOLD… bafyNEW…\n  \
        pinata swaps list bafyOLD…\n  pinata swaps delete bafyOLD…"
    )]
    Swaps(SwapsCommand),
    /// Create, list and revoke API keys (needs an admin key).
    #[command(
        subcommand,
        after_help = "Examples:\n  pinata keys create ci --scope org:files:write --max-uses 100\n  \
        pinata keys create legacy-ci --endpoint pinning.pinFileToIPFS\n  pinata keys revoke KEY"
    )]
    Keys(KeysCommand),
    /// Download a CID (public) or a private file through a signed link.
    #[command(after_help = "Examples:\n  pinata download bafy… -o file.bin\n  \
        pinata download bafy… --private -o secret.pdf\n  pinata download bafy… > out\n  \
        pinata download bafy… --max-size 4G -o big.iso   (a CID the account does not hold)")]
    Download(DownloadArgs),
    /// Print a signed, expiring download link to a (private) file.
    #[command(after_help = "Example:\n  pinata link bafy… --expires 1h")]
    Link(LinkArgs),
    /// The account's gateway, as Pinata's Go CLI has it: list the account's gateways, set one,
    /// print a signed link, open a file in a browser.
    #[command(
        subcommand,
        after_help = "Examples:\n  pinata gateways set example.mypinata.cloud\n  \
        pinata gateways set                  (choose among the account's gateways)\n  \
        pinata gateways list\n  \
        pinata gateways link bafy… 600       (a link for 600 seconds)\n  \
        pinata gateways open bafy…"
    )]
    Gateways(GatewaysCommand),
    /// Print a signed upload URL, for an uploader that holds no key.
    #[command(
        after_help = "Example:\n  pinata sign-upload --expires 10m --max-size 10MB --mime 'image/*'"
    )]
    SignUpload(SignUploadArgs),
    /// Show or change the config file and its profiles (secrets are masked).
    #[command(
        subcommand,
        after_help = "Examples:\n  pinata config show\n  pinata config use local\n  \
        pinata config set network private"
    )]
    Config(ConfigCommand),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  pinata completions bash > ~/.local/share/bash-completion/completions/pinata"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Run the emulator (a local Pinata-compatible server); flags as `pinata emulator --help`.
    /// Hidden in a build without the `emulator` feature, where it says how to get one.
    #[command(
        hide = cfg!(not(feature = "emulator")),
        disable_help_flag = true,
        after_help = "Example:\n  pinata emulator --listen 127.0.0.1:8080 --data-dir ./data"
    )]
    Emulator {
        /// The emulator's own flags (--listen, --data-dir, --seed, --fault …).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
        args: Vec<String>,
    },
}

/// `pinata auth`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// The JWT on the command line, where other local users can read it: prefer --jwt-stdin or
    /// PINATA_JWT (with none of them, the JWT is prompted without echo).
    #[arg(
        long,
        value_name = "JWT",
        conflicts_with_all = ["jwt_stdin", "key", "secret", "secret_stdin"]
    )]
    pub jwt: Option<String>,
    /// Read the JWT from standard input (its first line).
    #[arg(long, conflicts_with_all = ["key", "secret", "secret_stdin"])]
    pub jwt_stdin: bool,
    /// A legacy API key (its secret: --secret-stdin, else PINATA_API_SECRET, else prompted).
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// The legacy API key's secret on the command line, where other local users can read it:
    /// prefer --secret-stdin or PINATA_API_SECRET.
    #[arg(
        long,
        value_name = "SECRET",
        requires = "key",
        conflicts_with = "secret_stdin"
    )]
    pub secret: Option<String>,
    /// Read the legacy API key's secret from standard input (its first line).
    #[arg(long, requires = "key")]
    pub secret_stdin: bool,
    /// Point every origin (API, uploads, gateway) of the profile at this emulator URL.
    #[arg(long, value_name = "URL")]
    pub emulator: Option<String>,
    /// Store the credentials without testing them.
    #[arg(long)]
    pub no_test: bool,
}

/// `pinata upload`.
#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Files or folders to upload (none with --resume: every interrupted upload).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The network (default: PINATA_NETWORK, else the profile's, else private). Also --net.
    #[arg(long, value_enum, alias = "net")]
    pub network: Option<NetworkArg>,
    /// The name in the account (default: the file's name).
    #[arg(long, short_alias = 'n')]
    pub name: Option<String>,
    /// The group to add the upload to.
    #[arg(long, value_name = "GROUP_ID", short_alias = 'g')]
    pub group: Option<String>,
    /// A key-value (repeatable).
    #[arg(long = "kv", value_name = "KEY=VALUE", value_parser = parse_kv)]
    pub keyvalues: Vec<(String, String)>,
    #[command(flatten)]
    pub cid: CidFlags,
    /// Remove the file after this long (30m, 2h, 7d) or at this Unix time.
    #[arg(long, value_name = "DURATION|UNIX")]
    pub expires: Option<String>,
    /// Use the legacy pinFileToIPFS endpoint (always public; supports --wrap).
    #[arg(long)]
    pub legacy: bool,
    /// Continue interrupted uploads (those of PATHs, or all when no PATH is given).
    #[arg(long, conflicts_with = "no_resume")]
    pub resume: bool,
    /// Start over even if an interrupted upload of the same file is remembered.
    #[arg(long)]
    pub no_resume: bool,
    /// Do not compute the CID while sending (and so do not check the server's).
    #[arg(long)]
    pub no_verify: bool,
}

/// What changes a CID.
#[derive(Debug, Args, Clone)]
pub struct CidFlags {
    /// The CID version: 0 or 1 (default 1; 0 with --legacy).
    #[arg(long, value_name = "0|1", value_parser = clap::value_parser!(u8).range(0..=1))]
    pub cid_version: Option<u8>,
    /// Wrap a file in a directory (its name the link): the CID is the directory's.
    #[arg(long)]
    pub wrap: bool,
}

/// `pinata cid`.
#[derive(Debug, Args)]
pub struct CidArgs {
    /// Files or folders.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub cid: CidFlags,
    /// Predict the CID of a legacy upload (`upload --legacy`: CIDv0 unless --cid-version).
    #[arg(long)]
    pub legacy: bool,
}

/// `pinata files …`.
#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// List files, newest first.
    #[command(alias = "ls")]
    List(FilesListArgs),
    /// Show one file, by its id or its CID.
    Get {
        /// The file id, or its CID (when several files hold it, the newest).
        #[arg(value_name = "ID|CID")]
        id: String,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// Rename a file, replace its key-values, or set its expiry.
    Update(FilesUpdateArgs),
    /// Delete files.
    #[command(alias = "rm")]
    Delete {
        /// File ids.
        #[arg(required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        network: NetworkFlag,
    },
}

/// `--network` of commands on existing things.
#[derive(Debug, Args, Clone, Copy)]
pub struct NetworkFlag {
    /// The network (default: PINATA_NETWORK, else the profile's, else private). Also --net.
    #[arg(long, value_enum, alias = "net")]
    pub network: Option<NetworkArg>,
}

/// `pinata files list`.
#[derive(Debug, Args)]
pub struct FilesListArgs {
    #[command(flatten)]
    pub network: NetworkFlag,
    /// Files whose name contains this.
    #[arg(long)]
    pub name: Option<String>,
    /// Files with this CID.
    #[arg(long, short_alias = 'c')]
    pub cid: Option<String>,
    /// Files in this group.
    #[arg(long, value_name = "GROUP_ID", short_alias = 'g')]
    pub group: Option<String>,
    /// Files of this MIME type.
    #[arg(long, short_alias = 'm')]
    pub mime: Option<String>,
    /// Files with this key-value (repeatable; also --keyvalues).
    #[arg(long = "kv", value_name = "KEY=VALUE", value_parser = parse_kv, alias = "keyvalues")]
    pub keyvalues: Vec<(String, String)>,
    /// Files whose CID is still being computed (also --cidPending).
    #[arg(long, alias = "cidPending")]
    pub cid_pending: bool,
    /// At most this many files (default: all; also -a, --amount).
    #[arg(
        long,
        short = 'n',
        value_name = "N",
        short_alias = 'a',
        alias = "amount"
    )]
    pub limit: Option<usize>,
}

/// `pinata files update`.
#[derive(Debug, Args)]
pub struct FilesUpdateArgs {
    /// The file id.
    pub id: String,
    #[command(flatten)]
    pub network: NetworkFlag,
    /// The new name.
    #[arg(long, short_alias = 'n')]
    pub name: Option<String>,
    /// Replace the key-values with these (repeatable).
    #[arg(long = "kv", value_name = "KEY=VALUE", value_parser = parse_kv)]
    pub keyvalues: Vec<(String, String)>,
    /// Remove the file after this long (30m, 2h, 7d) or at this Unix time.
    #[arg(long, value_name = "DURATION|UNIX")]
    pub expires: Option<String>,
}

/// `pinata groups …`.
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// Create a group.
    Create {
        /// Its name.
        name: String,
        /// Whether its files are public on the gateway.
        #[arg(long)]
        public: bool,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// List groups.
    #[command(alias = "ls")]
    List {
        /// Groups whose name contains this.
        #[arg(long)]
        name: Option<String>,
        /// At most this many groups (default: all; also -a, --amount).
        #[arg(
            long,
            short = 'n',
            value_name = "N",
            short_alias = 'a',
            alias = "amount"
        )]
        limit: Option<usize>,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// Show a group.
    Get {
        /// The group id.
        id: String,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// Rename a group or change whether it is public.
    Update {
        /// The group id.
        id: String,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
        /// Whether its files are public: true or false.
        #[arg(long, value_name = "true|false")]
        public: Option<bool>,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// Delete a group (its files stay).
    #[command(alias = "rm")]
    Delete {
        /// The group id.
        id: String,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// Add files to a group.
    Add {
        /// The group id.
        group: String,
        /// File ids.
        #[arg(required = true)]
        files: Vec<String>,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// Remove files from a group.
    Remove {
        /// The group id.
        group: String,
        /// File ids.
        #[arg(required = true)]
        files: Vec<String>,
        #[command(flatten)]
        network: NetworkFlag,
    },
}

/// `pinata pins …`.
#[derive(Debug, Subcommand)]
pub enum PinsCommand {
    /// Pin a CID held elsewhere on IPFS (v3): a job in the queue.
    AddByCid {
        /// The CID.
        cid: String,
        /// Its name.
        #[arg(long)]
        name: Option<String>,
        /// The group to add it to.
        #[arg(long, value_name = "GROUP_ID")]
        group: Option<String>,
        /// A key-value (repeatable).
        #[arg(long = "kv", value_name = "KEY=VALUE", value_parser = parse_kv)]
        keyvalues: Vec<(String, String)>,
        /// A multiaddr of a node that has the content (repeatable).
        #[arg(long, value_name = "MULTIADDR")]
        host_node: Vec<String>,
    },
    /// The queue of pin-by-CID jobs (`pins list` too: v3 lists pins as their jobs).
    #[command(visible_alias = "list")]
    Queue {
        /// Jobs for this CID.
        #[arg(long)]
        cid: Option<String>,
        /// Jobs in this status (prechecking, searching, retrieving, expired, …).
        #[arg(long)]
        status: Option<String>,
        /// At most this many jobs (default: all; also -a, --amount).
        #[arg(
            long,
            short = 'n',
            value_name = "N",
            short_alias = 'a',
            alias = "amount"
        )]
        limit: Option<usize>,
    },
    /// Cancel a queued pin-by-CID job.
    Cancel {
        /// The job id.
        id: String,
    },
    /// The legacy pin list, unpin and metadata (pinList, unpin, hashMetadata).
    #[command(subcommand)]
    Legacy(LegacyCommand),
}

/// `pinata pins legacy …`.
#[derive(Debug, Subcommand)]
pub enum LegacyCommand {
    /// The pin list (`pinList`).
    #[command(alias = "ls")]
    List {
        /// Pins of this CID.
        #[arg(long)]
        cid: Option<String>,
        /// Pins whose name contains this.
        #[arg(long)]
        name: Option<String>,
        /// pinned (default), unpinned or all.
        #[arg(long, default_value = "pinned")]
        status: String,
        /// At most this many pins (default: all; also -a, --amount).
        #[arg(
            long,
            short = 'n',
            value_name = "N",
            short_alias = 'a',
            alias = "amount"
        )]
        limit: Option<usize>,
    },
    /// Unpin CIDs (`unpin`).
    Unpin {
        /// CIDs.
        #[arg(required = true)]
        cids: Vec<String>,
    },
    /// Change a pin's name or key-values (`hashMetadata`).
    Metadata {
        /// The CID.
        cid: String,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
        /// Set a key-value (repeatable).
        #[arg(long = "kv", value_name = "KEY=VALUE", value_parser = parse_kv)]
        keyvalues: Vec<(String, String)>,
        /// Remove a key (repeatable).
        #[arg(long, value_name = "KEY")]
        remove: Vec<String>,
    },
}

/// `pinata swaps …`.
#[derive(Debug, Subcommand)]
pub enum SwapsCommand {
    /// Serve SWAP_CID in place of CID.
    Add {
        /// The CID swapped.
        cid: String,
        /// The CID served instead.
        swap_cid: String,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// The swaps of CID, oldest first.
    #[command(alias = "ls")]
    List {
        /// The CID.
        cid: String,
        /// The gateway domain they are seen through (default: the configured gateway's host).
        #[arg(long)]
        domain: Option<String>,
        #[command(flatten)]
        network: NetworkFlag,
    },
    /// Stop swapping CID.
    #[command(alias = "rm")]
    Delete {
        /// The CID.
        cid: String,
        #[command(flatten)]
        network: NetworkFlag,
    },
}

/// `pinata keys …`.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key; its secret and JWT are printed once (on stdout).
    Create(KeysCreateArgs),
    /// List keys.
    #[command(alias = "ls")]
    List {
        /// Keys whose name contains this.
        #[arg(long)]
        name: Option<String>,
        /// Only revoked keys (`--revoked false`: only active ones).
        #[arg(
            long,
            short_alias = 'r',
            value_name = "true|false",
            num_args = 0..=1,
            default_missing_value = "true"
        )]
        revoked: Option<bool>,
        /// Only keys with a limited number of uses (also -u, --uses).
        #[arg(long, short_alias = 'u', alias = "uses")]
        limited_use: bool,
        /// Only keys that used up their uses.
        #[arg(long, short_alias = 'e')]
        exhausted: bool,
        /// At most this many keys (default: all; also -a, --amount).
        #[arg(
            long,
            short = 'n',
            value_name = "N",
            short_alias = 'a',
            alias = "amount"
        )]
        limit: Option<usize>,
    },
    /// Revoke keys.
    Revoke {
        /// Key ids (the public part, `api_key`).
        #[arg(required = true)]
        keys: Vec<String>,
    },
}

/// `pinata keys create`.
#[derive(Debug, Args)]
pub struct KeysCreateArgs {
    /// The key's name.
    pub name: String,
    /// An admin key (every permission).
    #[arg(long, short_alias = 'a', conflicts_with_all = ["endpoint", "scope"])]
    pub admin: bool,
    /// A legacy endpoint permission, e.g. pinning.pinFileToIPFS or data.pinList (repeatable;
    /// also --endpoints).
    #[arg(
        long,
        value_name = "GROUP.NAME",
        short_alias = 'e',
        alias = "endpoints"
    )]
    pub endpoint: Vec<String>,
    /// A v3 resource scope, e.g. org:files:write (repeatable).
    #[arg(long, value_name = "SCOPE")]
    pub scope: Vec<String>,
    /// The most uses the key has (also -u, --uses).
    #[arg(long, value_name = "N", short_alias = 'u', alias = "uses")]
    pub max_uses: Option<u32>,
    /// Store the new key's JWT in this profile (with the active profile's origins) instead of
    /// printing its secrets.
    #[arg(long, value_name = "PROFILE")]
    pub save_as: Option<String>,
}

/// `pinata download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The CID.
    pub cid: String,
    /// A path inside the CID (a folder's file).
    pub path: Option<String>,
    /// Write to this file (default: stdout when it is piped, else a file named after the CID or
    /// PATH; `-` for stdout).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A private file: fetched through a signed link made for this download.
    #[arg(long)]
    pub private: bool,
    /// Refuse a body larger than this: bytes, or 2G, 500MB, 1.5GiB (K, M, G count in 1024s, KB,
    /// MB, GB in 1000s). Default: the file's size when the account holds it (the file list
    /// knows it), else 1 GiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: Option<u64>,
    /// Do not check that the bytes have the CID.
    #[arg(long)]
    pub no_verify: bool,
    /// Replace FILE if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `pinata link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The CID.
    pub cid: String,
    /// A path inside the CID.
    pub path: Option<String>,
    /// How long the link works (30s, 10m, 1h, 7d).
    #[arg(long, default_value = "1h", value_name = "DURATION")]
    pub expires: String,
}

/// `pinata gateways …`.
#[derive(Debug, Subcommand)]
pub enum GatewaysCommand {
    /// Use this gateway in the profile (as `pinata config set gateway`). Without one, choose
    /// among the account's gateways (needs org:gateways:read): the only one is taken; several
    /// are offered as a numbered list on a terminal, and listed otherwise.
    #[command(alias = "s")]
    Set {
        /// The gateway: a domain (example.mypinata.cloud) or a URL.
        #[arg(value_name = "DOMAIN|URL")]
        domain: Option<String>,
    },
    /// List the account's gateways (needs org:gateways:read); -q prints their hosts.
    #[command(alias = "ls")]
    List,
    /// Print a signed, expiring link to a file (as `pinata link`).
    #[command(alias = "l")]
    Link {
        /// The CID.
        cid: String,
        /// How long the link works: seconds, or 30s, 10m, 1h, 7d.
        #[arg(default_value = "1h", value_name = "EXPIRES")]
        expires: String,
    },
    /// Open a file in a browser ($BROWSER, else the system's) through a short-lived signed link,
    /// printed too.
    #[command(alias = "o")]
    Open {
        /// The CID.
        cid: String,
        /// How long the link works.
        #[arg(long, default_value = "1m", value_name = "DURATION")]
        expires: String,
    },
}

/// `pinata sign-upload`.
#[derive(Debug, Args)]
pub struct SignUploadArgs {
    /// How long the URL works (30s, 10m, 1h).
    #[arg(long, default_value = "10m", value_name = "DURATION")]
    pub expires: String,
    #[command(flatten)]
    pub network: NetworkFlag,
    /// The largest file accepted: bytes, or 10M, 500MB, 1.5GiB (K, M, G count in 1024s, KB,
    /// MB, GB in 1000s).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: Option<u64>,
    /// A MIME type (or pattern such as image/*) accepted (repeatable).
    #[arg(long, value_name = "TYPE")]
    pub mime: Vec<String>,
    /// The file name the upload gets.
    #[arg(long)]
    pub filename: Option<String>,
    /// The group the upload joins.
    #[arg(long, value_name = "GROUP_ID")]
    pub group: Option<String>,
    /// A key-value the upload carries (repeatable).
    #[arg(long = "kv", value_name = "KEY=VALUE", value_parser = parse_kv)]
    pub keyvalues: Vec<(String, String)>,
}

/// `pinata config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the settings in use and where each comes from (secrets masked).
    Show,
    /// Print the config file's path.
    Path,
    /// List the profiles.
    Profiles,
    /// Make a profile the default.
    Use {
        /// The profile.
        profile: String,
    },
    /// Set a profile setting: api_url, uploads_url, gateway, network or emulator (all origins).
    Set {
        /// The setting.
        key: String,
        /// Its value.
        value: String,
    },
    /// Remove a setting from the profile (any of those of `set`, or jwt, api_key, api_secret,
    /// gateway_key).
    Unset {
        /// The setting.
        key: String,
    },
}

/// `KEY=VALUE`.
fn parse_kv(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("{text:?} is not KEY=VALUE")),
    }
}
