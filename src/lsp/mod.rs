//! `caselock lsp`: a language server over standard input and output, for any editor with a
//! Language Server Protocol client.
//!
//! It answers from the library alone: diagnostics are [`crate::diagnose`]'s, names come from
//! [`crate::check::index`], formatting is [`crate::syntax::format`], code documentation is the
//! registry's. Edits are taken whole (full text sync); a changed policy is checked again once
//! the editor has sent everything it had queued, so a burst of keystrokes costs one check.

mod completion;
mod diagnostics;
mod features;
mod position;
mod workspace;

use std::collections::HashMap;

use crossbeam_channel::TryRecvError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, Formatting, GotoDefinition, HoverRequest, References,
    Request as _,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    HoverProviderCapability, InitializeParams, LogMessageParams, MessageType, OneOf,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub(crate) use diagnostics::DocsLink;
use workspace::{PolicyKey, Workspace};

/// Why the server stopped other than by the editor's `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum LspError {
    /// The connection broke or the editor broke the protocol.
    #[error("language server protocol: {0}")]
    Protocol(String),
}

/// Serves one editor over standard input and output until it says `exit`; `docs_url` is where
/// `docs/diagnostics.md` is published, for the diagnostics' code links (the editor may also
/// pass it as the `docsUrl` initialization option).
pub(crate) fn run_stdio(docs_url: Option<String>) -> Result<(), LspError> {
    let (connection, threads) = Connection::stdio();
    serve(&connection, docs_url)?;
    drop(connection);
    threads
        .join()
        .map_err(|e| LspError::Protocol(e.to_string()))
}

/// Serves one editor over a connection until it says `exit`.
pub fn serve(connection: &Connection, docs_url: Option<String>) -> Result<(), LspError> {
    let protocol = |e: &dyn std::fmt::Display| LspError::Protocol(e.to_string());
    let (id, params) = connection.initialize_start().map_err(|e| protocol(&e))?;
    let init: InitializeParams = serde_json::from_value(params).map_err(|e| protocol(&e))?;
    let docs_url = docs_url.or_else(|| {
        init.initialization_options
            .as_ref()
            .and_then(|o| o.get("docsUrl"))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo {
            name: "caselock".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| protocol(&e))?;
    let mut server = Server {
        connection,
        workspace: Workspace::default(),
        docs: DocsLink::new(docs_url),
        published: HashMap::new(),
    };
    server.main_loop()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions::default()),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

struct Server<'a> {
    connection: &'a Connection,
    workspace: Workspace,
    docs: DocsLink,
    /// The files each policy last published diagnostics for, to clear those that left it.
    published: HashMap<PolicyKey, Vec<Uri>>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), LspError> {
        loop {
            let msg = match self.connection.receiver.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) => {
                    // Idle: check what the edits so far made stale, then wait.
                    self.publish_stale()?;
                    match self.connection.receiver.recv() {
                        Ok(m) => m,
                        Err(_) => return Ok(()),
                    }
                }
                Err(TryRecvError::Disconnected) => return Ok(()),
            };
            match msg {
                Message::Request(req) => {
                    let shutdown = self
                        .connection
                        .handle_shutdown(&req)
                        .map_err(|e| LspError::Protocol(e.to_string()))?;
                    if shutdown {
                        return Ok(());
                    }
                    let response = self.request(req);
                    self.send(Message::Response(response))?;
                }
                Message::Notification(n) => self.notification(n)?,
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, msg: Message) -> Result<(), LspError> {
        self.connection
            .sender
            .send(msg)
            .map_err(|e| LspError::Protocol(e.to_string()))
    }

    fn notify<N: lsp_types::notification::Notification>(
        &self,
        params: N::Params,
    ) -> Result<(), LspError> {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )))
    }

    /// Checks every stale policy and publishes the diagnostics of each of its files.
    fn publish_stale(&mut self) -> Result<(), LspError> {
        for key in self.workspace.refresh() {
            let Some(snap) = self.workspace.checked(&key) else {
                continue;
            };
            if let Some(why) = &snap.failure {
                self.notify::<LogMessage>(LogMessageParams {
                    typ: MessageType::ERROR,
                    message: why.clone(),
                })?;
            }
            let lists = diagnostics::publish(snap, &self.docs);
            let now: Vec<Uri> = lists.iter().map(|p| p.uri.clone()).collect();
            let gone: Vec<Uri> = self
                .published
                .get(&key)
                .map(|before| {
                    before
                        .iter()
                        .filter(|u| !now.contains(u))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for params in lists {
                self.notify::<PublishDiagnostics>(params)?;
            }
            for uri in gone {
                self.notify::<PublishDiagnostics>(lsp_types::PublishDiagnosticsParams {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                })?;
            }
            self.published.insert(key, now);
        }
        Ok(())
    }

    fn notification(&mut self, n: Notification) -> Result<(), LspError> {
        let method = n.method.clone();
        let understood = self.apply(n);
        if !understood {
            self.notify::<LogMessage>(LogMessageParams {
                typ: MessageType::WARNING,
                message: format!("ignored `{method}`: its parameters could not be read"),
            })?;
        }
        Ok(())
    }

    /// Applies a notification; false when its parameters could not be read.
    fn apply(&mut self, n: Notification) -> bool {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => params::<lsp_types::DidOpenTextDocumentParams>(n.params)
                .map(|p| {
                    self.workspace
                        .set(p.text_document.uri, p.text_document.text);
                }),
            DidChangeTextDocument::METHOD => {
                params::<lsp_types::DidChangeTextDocumentParams>(n.params).map(|p| {
                    // Full sync: the last change holds the whole text.
                    if let Some(c) = p.content_changes.into_iter().last() {
                        self.workspace.set(p.text_document.uri, c.text);
                    }
                })
            }
            DidCloseTextDocument::METHOD => {
                params::<lsp_types::DidCloseTextDocumentParams>(n.params)
                    .map(|p| self.workspace.close(&p.text_document.uri))
            }
            DidSaveTextDocument::METHOD => params::<lsp_types::DidSaveTextDocumentParams>(n.params)
                .map(|p| self.workspace.touch(&p.text_document.uri)),
            DidChangeWatchedFiles::METHOD => {
                params::<lsp_types::DidChangeWatchedFilesParams>(n.params).map(|p| {
                    for c in p.changes {
                        self.workspace.touch(&c.uri);
                    }
                })
            }
            // Notifications the server has no use for (`initialized`, `$/...`).
            _ => Some(()),
        }
        .is_some()
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match req.method.as_str() {
            HoverRequest::METHOD => self.answer(req, |s, p: lsp_types::HoverParams| {
                let at = p.text_document_position_params;
                let snap = s.workspace.snapshot(&at.text_document.uri)?;
                features::hover(snap, &at.text_document.uri, at.position)
            }),
            GotoDefinition::METHOD => self.answer(req, |s, p: lsp_types::GotoDefinitionParams| {
                let at = p.text_document_position_params;
                let snap = s.workspace.snapshot(&at.text_document.uri)?;
                features::definition(snap, &at.text_document.uri, at.position)
                    .map(lsp_types::GotoDefinitionResponse::Scalar)
            }),
            References::METHOD => self.answer(req, |s, p: lsp_types::ReferenceParams| {
                let at = p.text_document_position;
                let snap = s.workspace.snapshot(&at.text_document.uri)?;
                Some(features::references(
                    snap,
                    &at.text_document.uri,
                    at.position,
                    p.context.include_declaration,
                ))
            }),
            Completion::METHOD => self.answer(req, |s, p: lsp_types::CompletionParams| {
                let at = p.text_document_position;
                let snap = s.workspace.snapshot(&at.text_document.uri)?;
                let f = snap.file(&at.text_document.uri)?;
                let text = snap.text(f.id);
                let offset = f.lines.offset(text, at.position);
                Some(lsp_types::CompletionResponse::Array(completion::complete(
                    text,
                    offset,
                    &snap.index,
                )))
            }),
            Formatting::METHOD => self.answer(req, |s, p: lsp_types::DocumentFormattingParams| {
                let snap = s.workspace.snapshot(&p.text_document.uri)?;
                features::format(snap, &p.text_document.uri)
            }),
            CodeActionRequest::METHOD => self.answer(req, |s, p: lsp_types::CodeActionParams| {
                let snap = s.workspace.snapshot(&p.text_document.uri)?;
                Some(features::code_actions(
                    snap,
                    &p.text_document.uri,
                    p.range,
                    &s.docs,
                ))
            }),
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("caselock lsp does not answer `{}`", req.method),
            ),
        }
    }

    /// Decodes a request's parameters and answers with `f`'s result (`null` for `None`); bad
    /// parameters are an `InvalidParams` error that names the problem.
    fn answer<P: DeserializeOwned, R: serde::Serialize>(
        &mut self,
        req: Request,
        f: impl FnOnce(&mut Self, P) -> Option<R>,
    ) -> Response {
        let id: RequestId = req.id;
        match serde_json::from_value::<P>(req.params) {
            Ok(p) => {
                let result = f(self, p);
                Response::new_ok(id, result)
            }
            Err(e) => Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("bad parameters for `{}`: {e}", req.method),
            ),
        }
    }
}

/// A notification's parameters; a malformed notification has no answer to carry an error, so
/// the caller logs it.
fn params<P: DeserializeOwned>(v: Value) -> Option<P> {
    serde_json::from_value(v).ok()
}
