//! The workspace folder as the server knows it: settings and checker from designdoc.toml
//! (found from the folder, reloaded when it changes), and a summary of every doc on disk
//! for the cross-document rules, with open buffers laid over the disk's version.

use designdoc_check::project::{DocSummary, FileLookup, findings_by_doc};
use designdoc_check::{Checker, Diagnostic};
use designdoc_workspace::project::{DiskLookup, repository_root};
use designdoc_workspace::{Content, Settings, files};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What completion and go-to-definition show of a document besides its summary.
#[derive(Debug, Clone, Default)]
pub struct DocInfo {
    /// The id as written (`0007`), not normalized.
    pub id: Option<String>,
    pub title: Option<String>,
}

pub struct Project {
    /// The workspace folder; documents' paths are relative to it.
    pub root: PathBuf,
    /// `root` resolved once (links and symlinks), to make paths relative to it.
    root_abs: PathBuf,
    pub settings: Settings,
    pub checker: Checker,
    /// Problems with designdoc.toml or the template, shown to the user once per load.
    pub messages: Vec<String>,
    /// Every known doc, disk and open buffers; `slots` finds one by path. A doc that went
    /// away keeps its slot with an empty summary, so indices stay valid.
    summaries: Vec<DocSummary>,
    infos: Vec<DocInfo>,
    slots: HashMap<PathBuf, usize>,
    lookup: CachedLookup,
}

impl Project {
    /// Loads settings from `root` (designdoc.toml there or above) and reads the docs.
    /// Never fails: a broken configuration falls back to the defaults and says why.
    pub fn load(root: &Path) -> Project {
        let mut messages = Vec::new();
        let settings = Settings::load(None, None, root).unwrap_or_else(|e| {
            messages.push(format!("designdoc: {e}; using the defaults"));
            Settings::default()
        });
        let checker = match settings.checker() {
            Ok(loaded) => {
                messages.extend(loaded.warnings.into_iter().map(|w| format!("designdoc: {w}")));
                loaded.checker
            }
            Err(e) => {
                messages.push(format!("designdoc: {e}; using the built-in template"));
                Checker::with_default_template()
            }
        };
        let config_base = settings.config_path.as_ref().map(|_| settings.base.clone());
        let lookup = CachedLookup {
            disk: DiskLookup::new(root.to_path_buf(), repository_root(root, config_base.as_deref())),
            seen: Mutex::new(HashMap::new()),
        };
        let mut project = Project {
            root: root.to_path_buf(),
            root_abs: files::absolute(root),
            settings,
            checker,
            messages,
            summaries: Vec::new(),
            infos: Vec::new(),
            slots: HashMap::new(),
            lookup,
        };
        project.scan();
        project
    }

    /// The docs folder: `dir` from designdoc.toml, else the workspace folder.
    fn docs_dir(&self) -> PathBuf {
        match self.settings.config.dir {
            Some(_) => self.settings.docs_dir(),
            None => self.root.clone(),
        }
    }

    fn scan(&mut self) {
        let found = match self.settings.docs(&[self.docs_dir()]) {
            Ok(found) => found,
            Err(e) => {
                self.messages.push(format!("designdoc: {e}"));
                Vec::new()
            }
        };
        for path in found {
            let rel = self.relative(&path);
            self.refresh_from_disk(&rel);
        }
    }

    /// `path` relative to the workspace folder when it is inside it.
    pub fn relative(&self, path: &Path) -> PathBuf {
        let absolute = files::absolute(path);
        absolute
            .strip_prefix(&self.root_abs)
            .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
    }

    /// The path on disk of a document's relative path.
    pub fn absolute(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }

    /// Reads `rel` from disk again (after a change outside the editor, or when its buffer
    /// closes); a file that is gone or is no text leaves an empty slot.
    pub fn refresh_from_disk(&mut self, rel: &Path) {
        self.lookup.forget();
        let (summary, info) = match files::read(&self.absolute(rel)) {
            Ok(Content::Text(source)) => {
                let (doc, _) = designdoc_model::parse(&source);
                summarize(rel, &doc)
            }
            _ => (empty_summary(rel), DocInfo::default()),
        };
        self.put(rel, summary, info);
    }

    /// Lays an open buffer's document over the disk's.
    pub fn update_open(&mut self, rel: &Path, doc: &designdoc_model::Document) {
        let (summary, info) = summarize(rel, doc);
        self.put(rel, summary, info);
    }

    fn put(&mut self, rel: &Path, summary: DocSummary, info: DocInfo) {
        match self.slots.get(rel) {
            Some(&i) => {
                self.summaries[i] = summary;
                self.infos[i] = info;
            }
            None => {
                self.slots.insert(rel.to_path_buf(), self.summaries.len());
                self.summaries.push(summary);
                self.infos.push(info);
            }
        }
    }

    /// Whether `rel` is a doc of this workspace (on disk or open).
    pub fn knows(&self, rel: &Path) -> bool {
        self.slots.contains_key(rel)
    }

    /// The cross-document findings of the docs in `wanted`, by relative path.
    pub fn project_findings(&self, wanted: &[PathBuf]) -> HashMap<PathBuf, Vec<Diagnostic>> {
        let mut out: HashMap<PathBuf, Vec<Diagnostic>> = wanted.iter().map(|p| (p.clone(), Vec::new())).collect();
        for (i, found) in findings_by_doc(&self.summaries, &self.lookup, &self.checker.config) {
            if let Some(list) = self.summaries.get(i).and_then(|s| out.get_mut(&s.path)) {
                *list = found;
            }
        }
        out
    }

    /// Every doc with an id: (relative path, summary, info).
    pub fn docs(&self) -> impl Iterator<Item = (&DocSummary, &DocInfo)> {
        self.summaries.iter().zip(&self.infos)
    }

    /// The repository root for root-relative links, relative to the workspace folder.
    pub fn link_root(&self) -> Option<PathBuf> {
        self.lookup.disk.root()
    }

    /// Whether a change to `path` changes the settings (designdoc.toml or the template).
    pub fn is_settings_file(&self, path: &Path) -> bool {
        let absolute = files::absolute(path);
        let config = self.settings.config_path.as_ref().map(|p| files::absolute(p));
        path.file_name().is_some_and(|n| n == designdoc_workspace::CONFIG_FILE)
            || config.is_some_and(|c| c == absolute)
            || self.settings.is_template(path)
    }
}

fn summarize(rel: &Path, doc: &designdoc_model::Document) -> (DocSummary, DocInfo) {
    let info = DocInfo {
        id: designdoc_check::facts::doc_id(&rel.to_string_lossy(), doc),
        title: doc.title(),
    };
    (DocSummary::new(rel, doc), info)
}

fn empty_summary(rel: &Path) -> DocSummary {
    DocSummary {
        path: rel.to_path_buf(),
        id: None,
        supersession: Vec::new(),
        links: Vec::new(),
        anchors: Default::default(),
    }
}

/// The disk's answers, remembered until a file changes: the link rule asks for every link
/// of every doc on each check, and a thousand docs' links are thousands of `stat`s.
struct CachedLookup {
    disk: DiskLookup,
    seen: Mutex<HashMap<PathBuf, bool>>,
}

impl CachedLookup {
    fn forget(&self) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.clear();
        }
    }
}

impl FileLookup for CachedLookup {
    fn exists(&self, path: &Path) -> bool {
        if let Ok(seen) = self.seen.lock()
            && let Some(&known) = seen.get(path)
        {
            return known;
        }
        let exists = self.disk.exists(path);
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(path.to_path_buf(), exists);
        }
        exists
    }
    fn root(&self) -> Option<PathBuf> {
        self.disk.root()
    }
}
