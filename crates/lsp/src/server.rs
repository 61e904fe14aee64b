//! The message loop: buffers, debounced checks, and the dispatch of requests and
//! notifications to the feature modules.

use crate::position::Text;
use crate::project::Project;
use crate::{LspError, actions, completion, definition, diagnostics, hover, symbols};
use designdoc_check::Diagnostic;
use designdoc_model::Document;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability, CompletionOptions,
    CompletionParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentSymbolParams, DocumentSymbolResponse, FileSystemWatcher, FoldingRangeParams,
    FoldingRangeProviderCapability, GlobPattern, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents,
    HoverParams, HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind, MessageType, OneOf,
    Position, PublishDiagnosticsParams, Range, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How the server behaves; the client may set `debounceMs` in its initialization options.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Quiet time after an edit before the doc is checked again: typing does not queue a
    /// check per key, and a pause shows the findings.
    pub debounce: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debounce: Duration::from_millis(150),
        }
    }
}

struct OpenDoc {
    /// Relative to the workspace folder (the path the project rules know it by).
    rel: PathBuf,
    text: Text,
    version: i32,
    /// The last check of `text`; `None` while an edit waits for its check.
    checked: Option<CheckedDoc>,
    due: Option<Instant>,
    published: Option<Vec<lsp_types::Diagnostic>>,
}

struct CheckedDoc {
    doc: Document,
    /// The file rules' findings (suppressions applied; these carry the fixes).
    own: Vec<Diagnostic>,
    /// The cross-document rules' findings for this doc.
    project: Vec<Diagnostic>,
}

struct Server<'c> {
    conn: &'c Connection,
    options: Options,
    project: Project,
    docs: HashMap<Url, OpenDoc>,
    /// Another doc changed in a way the project rules see: republish every open doc.
    project_dirty: bool,
    shutting_down: bool,
    next_id: i32,
}

/// Runs the protocol on `conn` until `exit` or a closed connection.
pub fn serve(conn: &Connection, mut options: Options) -> Result<(), LspError> {
    let (id, params) = conn.initialize_start()?;
    let init: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    if let Some(ms) = init
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
    {
        options.debounce = Duration::from_millis(ms.min(10_000));
    }
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "designdoc", "version": env!("CARGO_PKG_VERSION") },
    });
    conn.initialize_finish(id, result)?;
    let root = workspace_root(&init);
    let mut server = Server {
        conn,
        options,
        project: Project::load(&root),
        docs: HashMap::new(),
        project_dirty: false,
        shutting_down: false,
        next_id: 1,
    };
    server.show_messages();
    let dynamic_watch = init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    if dynamic_watch {
        server.watch_files();
    }
    server.run()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::INCREMENTAL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                include_text: Some(false),
            })),
            ..TextDocumentSyncOptions::default()
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::SOURCE_FIX_ALL]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["#".to_string(), " ".to_string()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// The first workspace folder, else the root URI, else the current folder.
fn workspace_root(init: &InitializeParams) -> PathBuf {
    let from_folders = init
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .and_then(|f| f.uri.to_file_path().ok());
    #[allow(deprecated)] // Older clients send only `rootUri`.
    let from_root = || init.root_uri.as_ref().and_then(|u| u.to_file_path().ok());
    from_folders
        .or_else(from_root)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

enum Flow {
    Continue,
    Exit,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), LspError> {
        loop {
            let deadline = self.docs.values().filter_map(|d| d.due).min();
            let msg = match deadline {
                Some(at) => match self.conn.receiver.recv_deadline(at) {
                    Ok(msg) => Some(msg),
                    Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => None,
                    Err(_) => return Ok(()),
                },
                None => match self.conn.receiver.recv() {
                    Ok(msg) => Some(msg),
                    Err(_) => return Ok(()),
                },
            };
            if let Some(msg) = msg
                && let Flow::Exit = self.handle(msg)
            {
                return Ok(());
            }
            self.flush(Instant::now());
        }
    }

    fn handle(&mut self, msg: Message) -> Flow {
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let response = if self.shutting_down {
                    Response::new_err(id, ErrorCode::InvalidRequest as i32, "shutting down".to_string())
                } else if req.method == lsp_types::request::Shutdown::METHOD {
                    self.shutting_down = true;
                    Response::new_ok(id, ())
                } else {
                    // A bug in a feature answers that request with an error; it does not
                    // take the editor's session down.
                    catch_unwind(AssertUnwindSafe(|| self.request(req))).unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "designdoc: internal error".to_string(),
                        )
                    })
                };
                self.send(response.into());
                Flow::Continue
            }
            Message::Notification(n) => {
                if n.method == lsp_types::notification::Exit::METHOD {
                    return Flow::Exit;
                }
                let _ = catch_unwind(AssertUnwindSafe(|| self.notification(n)));
                Flow::Continue
            }
            // Answers to our own requests (registerCapability): nothing to do.
            Message::Response(_) => Flow::Continue,
        }
    }

    fn send(&self, msg: Message) {
        // A closed connection also ends the receive loop, which is where it is handled.
        let _ = self.conn.sender.send(msg);
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    fn show_messages(&mut self) {
        for message in std::mem::take(&mut self.project.messages) {
            self.notify::<lsp_types::notification::ShowMessage>(ShowMessageParams {
                typ: MessageType::WARNING,
                message,
            });
        }
    }

    fn watch_files(&mut self) {
        let watchers = ["**/designdoc.toml", "**/*.md"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "designdoc-watch".to_string(),
                method: lsp_types::notification::DidChangeWatchedFiles::METHOD.to_string(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let id = RequestId::from(self.next_id);
        self.next_id += 1;
        self.send(Request::new(id, lsp_types::request::RegisterCapability::METHOD.to_string(), params).into());
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::{
            DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
            DidSaveTextDocument,
        };
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = n.extract::<DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD) {
                    self.open(p);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD) {
                    self.change(p);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = n.extract::<DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD) {
                    self.close(&p.text_document.uri);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) = n.extract::<DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                    && let Ok(path) = p.text_document.uri.to_file_path()
                    && self.project.is_settings_file(&path)
                {
                    self.reload();
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Ok(p) = n.extract::<DidChangeWatchedFilesParams>(DidChangeWatchedFiles::METHOD) {
                    self.files_changed(&p);
                }
            }
            _ => {}
        }
    }

    fn rel_of(&self, uri: &Url) -> PathBuf {
        match uri.to_file_path() {
            Ok(path) => self.project.relative(&path),
            // `untitled:` buffers and other schemes: a name no file on disk has.
            Err(()) => PathBuf::from(format!("<{}>", uri.as_str())),
        }
    }

    fn open(&mut self, p: DidOpenTextDocumentParams) {
        let uri = p.text_document.uri;
        let rel = self.rel_of(&uri);
        self.docs.insert(
            uri,
            OpenDoc {
                rel,
                text: Text::new(p.text_document.text),
                version: p.text_document.version,
                checked: None,
                due: Some(Instant::now()),
                published: None,
            },
        );
    }

    fn change(&mut self, p: DidChangeTextDocumentParams) {
        let debounce = self.options.debounce;
        let Some(doc) = self.docs.get_mut(&p.text_document.uri) else {
            return;
        };
        for change in p.content_changes {
            match change.range {
                Some(range) => doc.text.edit(range, &change.text),
                None => doc.text = Text::new(change.text),
            }
        }
        doc.version = p.text_document.version;
        doc.checked = None;
        doc.due = Some(Instant::now() + debounce);
    }

    fn close(&mut self, uri: &Url) {
        let Some(doc) = self.docs.remove(uri) else { return };
        // The disk's version takes the buffer's place among the project's docs.
        self.project.refresh_from_disk(&doc.rel);
        self.project_dirty = true;
        self.publish(uri, None, Vec::new());
    }

    fn files_changed(&mut self, p: &DidChangeWatchedFilesParams) {
        let paths: Vec<PathBuf> = p.changes.iter().filter_map(|c| c.uri.to_file_path().ok()).collect();
        if paths.iter().any(|path| self.project.is_settings_file(path)) {
            return self.reload();
        }
        let open: Vec<PathBuf> = self.docs.values().map(|d| d.rel.clone()).collect();
        for path in paths {
            let rel = self.project.relative(&path);
            if open.contains(&rel) {
                continue; // the buffer wins over the disk
            }
            let is_doc = self.project.knows(&rel)
                || self
                    .project
                    .settings
                    .docs(std::slice::from_ref(&path))
                    .is_ok_and(|found| !found.is_empty());
            if is_doc {
                self.project.refresh_from_disk(&rel);
                self.project_dirty = true;
            }
        }
    }

    /// designdoc.toml or the template changed: new settings, every open doc re-checked.
    fn reload(&mut self) {
        let root = self.project.root.clone();
        self.project = Project::load(&root);
        self.show_messages();
        let now = Instant::now();
        for doc in self.docs.values_mut() {
            doc.checked = None;
            doc.due = Some(now);
        }
    }

    /// Checks the docs whose time has come and publishes what changed.
    fn flush(&mut self, now: Instant) {
        let due: Vec<Url> = self
            .docs
            .iter()
            .filter(|(_, d)| d.due.is_some_and(|t| t <= now))
            .map(|(u, _)| u.clone())
            .collect();
        if due.is_empty() && !self.project_dirty {
            return;
        }
        for uri in &due {
            let Some(doc) = self.docs.get_mut(uri) else { continue };
            doc.due = None;
            let is_template = self.project.settings.is_template(&self.project.absolute(&doc.rel));
            let checked = self.project.checker.check(doc.text.as_str());
            self.project.update_open(&doc.rel, &checked.doc);
            // The template is the schema, not a doc: checked against itself it would
            // report every placeholder an author is meant to fill in.
            let own = if is_template { Vec::new() } else { checked.diagnostics };
            doc.checked = Some(CheckedDoc {
                doc: checked.doc,
                own,
                project: Vec::new(),
            });
        }
        self.project_dirty = false;
        let wanted: Vec<PathBuf> = self.docs.values().map(|d| d.rel.clone()).collect();
        let mut project = self.project.project_findings(&wanted);
        let mut outgoing = Vec::new();
        for (uri, doc) in &mut self.docs {
            let Some(checked) = &mut doc.checked else { continue };
            checked.project = project.remove(&doc.rel).unwrap_or_default();
            let mut all: Vec<&Diagnostic> = checked.own.iter().chain(&checked.project).collect();
            all.sort_by_key(|d| (d.span.start, d.code));
            let lsp: Vec<lsp_types::Diagnostic> = all
                .into_iter()
                .filter_map(|d| diagnostics::to_lsp(&doc.text, d))
                .collect();
            if doc.published.as_ref() != Some(&lsp) {
                doc.published = Some(lsp.clone());
                outgoing.push((uri.clone(), doc.version, lsp));
            }
        }
        for (uri, version, lsp) in outgoing {
            self.publish(&uri, Some(version), lsp);
        }
    }

    fn publish(&self, uri: &Url, version: Option<i32>, diagnostics: Vec<lsp_types::Diagnostic>) {
        self.notify::<lsp_types::notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        });
    }

    /// The doc at `uri`, checked up to its latest edit (a request about a doc answers
    /// about what the user sees, so a pending check runs now), with the project.
    fn current(&mut self, uri: &Url) -> Option<(&OpenDoc, &CheckedDoc, &Project)> {
        if self.docs.get(uri).is_some_and(|d| d.checked.is_none()) {
            if let Some(d) = self.docs.get_mut(uri) {
                d.due = Some(Instant::now());
            }
            self.flush(Instant::now());
        }
        let doc = self.docs.get(uri)?;
        let checked = doc.checked.as_ref()?;
        Some((doc, checked, &self.project))
    }

    fn request(&mut self, req: Request) -> Response {
        use lsp_types::request::{
            CodeActionRequest, Completion, DocumentSymbolRequest, FoldingRangeRequest, GotoDefinition, HoverRequest,
        };
        let id = req.id.clone();
        let result = match req.method.as_str() {
            CodeActionRequest::METHOD => params(req).map(|p| self.code_action(p)),
            HoverRequest::METHOD => params(req).map(|p| self.hover(p)),
            Completion::METHOD => params(req).map(|p| self.completion(p)),
            DocumentSymbolRequest::METHOD => params(req).map(|p| self.symbols(p)),
            FoldingRangeRequest::METHOD => params(req).map(|p| self.folding(p)),
            GotoDefinition::METHOD => params(req).map(|p| self.definition(p)),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("designdoc does not handle `{}`", req.method),
            )),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn code_action(&mut self, p: CodeActionParams) -> serde_json::Value {
        let Some((doc, checked, project)) = self.current(&p.text_document.uri) else {
            return serde_json::Value::Null;
        };
        let found = actions::code_actions(
            &p.text_document.uri,
            &doc.text,
            &checked.doc,
            &checked.own,
            p.range,
            &project.checker,
            p.context.only.as_deref(),
        );
        serde_json::to_value(found).unwrap_or_default()
    }

    fn hover(&mut self, p: HoverParams) -> serde_json::Value {
        let uri = &p.text_document_position_params.text_document.uri;
        let pos = p.text_document_position_params.position;
        let Some((doc, checked, project)) = self.current(uri) else {
            return serde_json::Value::Null;
        };
        let offset = doc.text.offset(pos);
        let findings: Vec<Diagnostic> = checked.own.iter().chain(&checked.project).cloned().collect();
        let Some(value) = hover::hover(&project.checker, doc.text.as_str(), &checked.doc, &findings, offset) else {
            return serde_json::Value::Null;
        };
        serde_json::to_value(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value,
            }),
            range: None,
        })
        .unwrap_or_default()
    }

    fn completion(&mut self, p: CompletionParams) -> serde_json::Value {
        let uri = &p.text_document_position.text_document.uri;
        let pos = p.text_document_position.position;
        let Some((doc, checked, project)) = self.current(uri) else {
            return serde_json::Value::Null;
        };
        let offset = doc.text.offset(pos);
        let items = completion::complete(project, &doc.rel, &doc.text, &checked.doc, offset);
        serde_json::to_value(items).unwrap_or_default()
    }

    fn symbols(&mut self, p: DocumentSymbolParams) -> serde_json::Value {
        let Some((doc, checked, _)) = self.current(&p.text_document.uri) else {
            return serde_json::Value::Null;
        };
        let symbols = symbols::document_symbols(&doc.text, &checked.doc);
        serde_json::to_value(DocumentSymbolResponse::Nested(symbols)).unwrap_or_default()
    }

    fn folding(&mut self, p: FoldingRangeParams) -> serde_json::Value {
        let Some((doc, checked, _)) = self.current(&p.text_document.uri) else {
            return serde_json::Value::Null;
        };
        serde_json::to_value(symbols::folding_ranges(&doc.text, &checked.doc)).unwrap_or_default()
    }

    fn definition(&mut self, p: GotoDefinitionParams) -> serde_json::Value {
        let uri = p.text_document_position_params.text_document.uri.clone();
        let pos = p.text_document_position_params.position;
        if self.current(&uri).is_none() {
            return serde_json::Value::Null;
        }
        let Some(doc) = self.docs.get(&uri) else {
            return serde_json::Value::Null;
        };
        let Some(checked) = &doc.checked else {
            return serde_json::Value::Null;
        };
        let offset = doc.text.offset(pos);
        let open: HashMap<&Path, &str> = self.docs.values().map(|d| (d.rel.as_path(), d.text.as_str())).collect();
        let project = &self.project;
        let read = |rel: &Path| -> Option<String> {
            open.get(rel)
                .map(|t| t.to_string())
                .or_else(|| std::fs::read_to_string(project.absolute(rel)).ok())
        };
        let Some(target) = definition::definition(project, &doc.rel, doc.text.as_str(), &checked.doc, offset, &read)
        else {
            return serde_json::Value::Null;
        };
        let Ok(target_uri) = Url::from_file_path(files_absolute(&project.absolute(&target.path))) else {
            return serde_json::Value::Null;
        };
        let range = match (target.span, target.source) {
            (Some(span), Some(source)) => Text::new(source).range(span),
            _ => Range::new(Position::new(0, 0), Position::new(0, 0)),
        };
        serde_json::to_value(GotoDefinitionResponse::Scalar(Location { uri: target_uri, range })).unwrap_or_default()
    }
}

fn files_absolute(path: &Path) -> PathBuf {
    designdoc_workspace::files::absolute(path)
}

/// A request's parameters, or the error that answers a malformed request.
fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(req.params).map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}
