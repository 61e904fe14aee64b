//! Watching doc folders: file system events (inotify, FSEvents, ReadDirectoryChangesW)
//! where they work, polling where they cannot (network file systems, where changes made on
//! another host raise no event here, or when the system's watch limit is reached). The
//! hub's watched folders and `designdoc preview` both wait here.
//!
//! A wake-up only says "look again": callers compare the docs' modification times with
//! what they had, so a spurious one costs a scan of metadata and never a rebuild. Polling
//! is therefore a plain tick: notify's `PollWatcher` compares modification times in whole
//! seconds and only forwards, so a second save within the same second was never reported;
//! the callers' own comparison (full precision, sizes too) sees it.

use notify::{Event, EventKind, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A burst (a `git checkout`, an editor writing a temporary file and renaming it) is taken
/// as one change once no event came for this long...
const QUIET: Duration = Duration::from_millis(100);
/// ...or once it has gone on for this long, so a folder written to without pause is still
/// looked at now and then.
const LONGEST_BURST: Duration = Duration::from_secs(1);

/// Why the folders cannot be watched at all.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {source}")]
    Events {
        path: String,
        #[source]
        source: notify::Error,
    },
    #[error("cannot start the polling thread: {0}")]
    Polling(#[source] std::io::Error),
}

/// How a [`FolderWatcher`] learns of changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watching {
    /// The operating system's change events: no cost while nothing changes.
    Events,
    /// A look every `poll_every`; `why` says why events are not used.
    Polling { why: String },
}

/// Changes under some folders, as a stream of "something changed" wake-ups.
pub struct FolderWatcher {
    /// Kept for its side effect: dropping it stops the events (`None` when polling: the
    /// ticking thread ends at its first tick after the receiver is gone).
    _events: Option<Box<dyn Watcher + Send>>,
    changes: mpsc::Receiver<()>,
    watching: Watching,
}

impl FolderWatcher {
    /// Watches `dirs` recursively. Changes under `ignore` (an output folder inside the
    /// docs, say) and reads (which raise access events on Linux) wake no one. Falls back to
    /// polling every `poll_every` on network file systems and when events are unavailable.
    pub fn new(dirs: &[PathBuf], ignore: &[PathBuf], poll_every: Duration) -> Result<FolderWatcher, WatchError> {
        let why = match dirs.iter().find(|d| on_network_fs(d)) {
            Some(d) => format!("{} is on a network file system", d.display()),
            None => match FolderWatcher::start(dirs, ignore, None) {
                Ok(w) => return Ok(w),
                Err(e) => format!("file system events are unavailable ({e})"),
            },
        };
        FolderWatcher::start(dirs, ignore, Some((poll_every, why)))
    }

    /// With `polling`, a tick every so often; otherwise the platform's event watcher.
    fn start(
        dirs: &[PathBuf],
        ignore: &[PathBuf],
        polling: Option<(Duration, String)>,
    ) -> Result<FolderWatcher, WatchError> {
        // Events name canonical paths (the watched folder as the kernel resolved it), so
        // the ignored folders are compared in that form.
        let ignore: Vec<PathBuf> = ignore.iter().map(|p| canonical(p)).collect();
        let (tx, changes) = mpsc::channel();
        if let Some((every, why)) = polling {
            std::thread::Builder::new()
                .name("designdoc-poll".to_string())
                .spawn(move || {
                    std::thread::sleep(every);
                    while tx.send(()).is_ok() {
                        std::thread::sleep(every);
                    }
                })
                .map_err(WatchError::Polling)?;
            return Ok(FolderWatcher {
                _events: None,
                changes,
                watching: Watching::Polling { why },
            });
        }
        let handler = move |event: notify::Result<Event>| {
            let wakes = match &event {
                Ok(event) => relevant(event, &ignore),
                // A lost event queue or a vanished folder: look again rather than miss one.
                Err(_) => true,
            };
            if wakes {
                // The receiver is gone only while the watcher itself is being dropped.
                tx.send(()).ok();
            }
        };
        let error = |path: &Path| {
            let path = path.display().to_string();
            move |source| WatchError::Events { path, source }
        };
        let mut watcher = notify::recommended_watcher(handler).map_err(error(Path::new("(events)")))?;
        for dir in dirs {
            watcher
                .watch(&canonical(dir), RecursiveMode::Recursive)
                .map_err(error(dir))?;
        }
        Ok(FolderWatcher {
            _events: Some(Box::new(watcher)),
            changes,
            watching: Watching::Events,
        })
    }

    /// How changes are learnt of (for the log).
    pub fn watching(&self) -> &Watching {
        &self.watching
    }

    /// Blocks until something changed and the burst it belongs to is over. False once no
    /// change can come any more (the watcher's thread ended).
    pub fn next_change(&self) -> bool {
        if self.changes.recv().is_err() {
            return false;
        }
        let started = Instant::now();
        loop {
            let left = LONGEST_BURST.saturating_sub(started.elapsed());
            if left.is_zero() {
                return true;
            }
            match self.changes.recv_timeout(QUIET.min(left)) {
                Ok(()) => continue,
                // Quiet again; or the watcher ended, and this last change still counts.
                Err(_) => return true,
            }
        }
    }
}

/// Whether `event` may have changed a doc: reads do not, nor writes under `ignore`.
fn relevant(event: &Event, ignore: &[PathBuf]) -> bool {
    if matches!(event.kind, EventKind::Access(_)) {
        return false;
    }
    // An event without paths (a rescan request) concerns everything.
    event.paths.is_empty() || event.paths.iter().any(|p| !ignore.iter().any(|i| p.starts_with(i)))
}

/// `path` resolved, or as given when it does not exist (then nothing under it is watched
/// under another name either).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether `dir` is on a file system whose changes may come from other hosts (NFS, SMB,
/// sshfs, ...): their change events cover only this host's writes.
fn on_network_fs(dir: &Path) -> bool {
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        // Not Linux (or no /proc): trust the platform's events.
        return false;
    };
    network_fs_type(&mounts, &canonical(dir)).is_some()
}

/// The network file system type of the mount holding `dir`, from `/proc/self/mounts` text.
fn network_fs_type<'a>(mounts: &'a str, dir: &Path) -> Option<&'a str> {
    const NETWORK: &[&str] = &[
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "davfs",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.s3fs",
    ];
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(' ');
            let (_device, point, fs) = (fields.next()?, fields.next()?, fields.next()?);
            // The kernel writes a space in a mount point as `\040`.
            let point = PathBuf::from(point.replace("\\040", " "));
            dir.starts_with(&point).then_some((point, fs))
        })
        // The innermost mount holding `dir` is the one it is on.
        .max_by_key(|(point, _)| point.components().count())
        .map(|(_, fs)| fs)
        .filter(|fs| NETWORK.contains(fs))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits for one wake-up on a thread, so a missing one fails the test instead of hanging.
    fn woken(watcher: FolderWatcher, within: Duration) -> (FolderWatcher, bool) {
        let (tx, rx) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let woke = watcher.next_change();
            tx.send(()).ok();
            (watcher, woke)
        });
        match rx.recv_timeout(within) {
            Ok(()) => waiter.join().expect("waiter"),
            Err(_) => panic!("no change seen within {within:?}"),
        }
    }

    #[test]
    fn events_see_a_write_and_skip_reads_and_ignored_folders() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let docs = tmp.path().join("docs");
        let out = docs.join("out");
        std::fs::create_dir_all(&out).expect("mkdir");
        std::fs::write(docs.join("a.md"), "# A\n").expect("write");
        let watcher =
            FolderWatcher::start(std::slice::from_ref(&docs), std::slice::from_ref(&out), None).expect("watch");
        assert_eq!(watcher.watching(), &Watching::Events);
        std::fs::write(docs.join("a.md"), "# A, longer now\n").expect("write");
        let (watcher, woke) = woken(watcher, Duration::from_secs(5));
        assert!(woke);
        // Reading a doc and writing into the ignored folder are no changes.
        std::fs::read_to_string(docs.join("a.md")).expect("read");
        std::fs::write(out.join("a.html"), "<p>A</p>").expect("write");
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            watcher.changes.try_recv().is_err(),
            "woken by a read or an ignored write"
        );
    }

    #[test]
    fn polling_wakes_at_its_interval() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let poll = Some((Duration::from_millis(200), "test".to_string()));
        let watcher = FolderWatcher::start(&[tmp.path().to_path_buf()], &[], poll).expect("watch");
        assert!(matches!(watcher.watching(), Watching::Polling { why } if why == "test"));
        let started = Instant::now();
        let (watcher, woke) = woken(watcher, Duration::from_secs(5));
        assert!(
            woke && started.elapsed() >= Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );
        let (_, woke) = woken(watcher, Duration::from_secs(5));
        assert!(woke);
    }

    #[test]
    fn a_burst_is_one_change() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let watcher = FolderWatcher::start(&[tmp.path().to_path_buf()], &[], None).expect("watch");
        for i in 0..20 {
            std::fs::write(tmp.path().join(format!("{i}.md")), "# x\n").expect("write");
        }
        let (watcher, woke) = woken(watcher, Duration::from_secs(5));
        assert!(woke);
        std::thread::sleep(QUIET * 2);
        assert!(watcher.changes.try_recv().is_err(), "the burst woke more than once");
    }

    #[test]
    fn network_mounts_are_found_by_their_innermost_mount_point() {
        let mounts = "/dev/sda1 / ext4 rw 0 0\nserver:/export /mnt/team\\040docs nfs4 rw 0 0\ntmpfs /mnt/team\\040docs/scratch tmpfs rw 0 0\n";
        assert_eq!(network_fs_type(mounts, Path::new("/mnt/team docs/a")), Some("nfs4"));
        assert_eq!(network_fs_type(mounts, Path::new("/mnt/team docs/scratch/b")), None);
        assert_eq!(network_fs_type(mounts, Path::new("/home/me/docs")), None);
    }
}
