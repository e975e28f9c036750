//! `caselock lsp` as an editor drives it: a real process spoken to over stdio with JSON-RPC,
//! on a copy of the Devon policy (three files, one policy).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// How long any one answer may take before the test fails (a debug build, a busy machine).
const PATIENCE: Duration = Duration::from_secs(60);
const DOCS: &str = "https://example.org/caselock/docs/diagnostics.md";

struct Client {
    child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    pending: Vec<Value>,
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caselock"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, inbox) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            inbox,
            next_id: 0,
            pending: Vec::new(),
        }
    }

    fn send(&mut self, msg: Value) {
        let body = serde_json::to_string(&msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self
                .inbox
                .recv_timeout(PATIENCE)
                .expect("an answer in time");
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                assert!(msg.get("error").is_none(), "{method}: {msg}");
                return msg["result"].clone();
            }
            self.pending.push(msg);
        }
    }

    /// The next diagnostics published for `uri`.
    #[track_caller]
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is_for = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.pending.iter().position(is_for) {
            let m = self.pending.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let msg = self
                .inbox
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("no diagnostics for {uri}; read: {:#?}", self.pending));
            if is_for(&msg) {
                return msg["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.pending.push(msg);
        }
    }
}

impl Client {
    /// The diagnostics published for `uri` once a list satisfies `done` (earlier edits' lists
    /// may arrive first).
    #[track_caller]
    fn diagnostics_until(&mut self, uri: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        loop {
            let d = self.diagnostics(uri);
            if done(&d) {
                return d;
            }
        }
    }
}

fn has_code(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |d| d.iter().any(|d| d["code"] == code)
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// A copy of the Devon policy in a scratch directory.
fn devon() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-devon");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["policy.policy", "categories.policy", "tests.policy"] {
        std::fs::copy(Path::new("policies/devon").join(f), dir.join(f)).unwrap();
    }
    dir
}

/// The 0-based line and UTF-16 column of the `nth` occurrence of `needle` (ASCII text).
fn position(text: &str, needle: &str, nth: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).unwrap().0;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

fn range_of(text: &str, needle: &str, nth: usize) -> Value {
    let start = position(text, needle, nth);
    let end = json!({"line": start["line"], "character": start["character"].as_u64().unwrap() + needle.len() as u64});
    json!({"start": start, "end": end})
}

/// Applies non-overlapping text edits (as a client does) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().unwrap() as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, new) in edits {
        out.replace_range(s..e, new);
    }
    out
}

#[test]
fn an_editor_session_on_a_directory_policy() {
    let dir = devon();
    let policy_path = dir.join("policy.policy");
    let categories_path = dir.join("categories.policy");
    let (policy_uri, categories_uri) = (uri(&policy_path), uri(&categories_path));
    let tests_uri = uri(&dir.join("tests.policy"));
    let policy = std::fs::read_to_string(&policy_path).unwrap();
    let good = std::fs::read_to_string(&categories_path).unwrap();

    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&dir), "capabilities": {},
               "initializationOptions": {"docsUrl": DOCS}}),
    );
    let caps = &init["capabilities"];
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "documentFormattingProvider",
        "codeActionProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} in {caps}");
    }
    c.notify("initialized", json!({}));

    // Open the categories with a misspelt team: the whole directory is checked as one policy.
    let typo = "management_informaton";
    let broken = good.replacen("team management_information", &format!("team {typo}"), 1);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": categories_uri, "languageId": "caselock", "version": 1, "text": broken}}),
    );
    let diags = c.diagnostics(&categories_uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "CL0101");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "caselock");
    assert_eq!(d["range"], range_of(&broken, typo, 0));
    assert_eq!(d["codeDescription"]["href"], format!("{DOCS}#cl0101"));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.starts_with("unknown team `management_informaton`"),
        "{message}"
    );
    assert!(
        message.contains("help: did you mean `management_information`?"),
        "{message}"
    );
    // The other files of the policy are published too (clean).
    assert_eq!(c.diagnostics(&policy_uri), Vec::<Value>::new());
    assert_eq!(c.diagnostics(&tests_uri), Vec::<Value>::new());

    // Hover on a group used in this file: its kind, title and where it is declared and used.
    let at_group = position(&broken, "blanket_access", 0);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": categories_uri}, "position": at_group}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    let declared_line = policy[..policy.find("group blanket_access").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert!(
        text.starts_with("**group** `blanket_access` — Blanket restriction access list"),
        "{text}"
    );
    assert!(
        text.contains(&format!("declared at policy.policy:{declared_line}")),
        "{text}"
    );
    assert!(
        text.contains("used 2 time(s): categories.policy:"),
        "{text}"
    );
    // Hover on the typo: the code's documentation, as `caselock rule CL0101` prints it.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": categories_uri}, "position": position(&broken, typo, 0)}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("CL0101 (unknown-name): A name is used but never declared"),
        "{text}"
    );

    // Go to definition across files, and find references.
    let def = c.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": categories_uri}, "position": at_group}),
    );
    assert_eq!(def["uri"], policy_uri);
    assert_eq!(def["range"], range_of(&policy, "blanket_access", 0));
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": categories_uri}, "position": at_group,
               "context": {"includeDeclaration": true}}),
    );
    let refs = refs.as_array().unwrap();
    assert_eq!(refs.len(), 3, "the declaration and two uses: {refs:?}");
    assert_eq!(refs[0]["uri"], policy_uri);
    assert!(refs[1..].iter().all(|r| r["uri"] == categories_uri));

    // Completion after a kind word offers the names of that kind.
    let labels = |result: &Value| -> Vec<String> {
        result
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let completion = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": categories_uri}, "position": position(&broken, typo, 0)}),
    );
    let got = labels(&completion);
    assert!(
        got.contains(&"management_information".to_string()),
        "{got:?}"
    );
    assert!(got.contains(&"emergency_duty".to_string()), "{got:?}");
    assert!(
        !got.contains(&"area_manager".to_string()),
        "a role after `team`: {got:?}"
    );

    // The quick fix replaces the typo with the name proposed.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": categories_uri}, "range": d["range"],
               "context": {"diagnostics": [d]}}),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["title"], "Replace with `management_information`");
    assert_eq!(actions[0]["kind"], "quickfix");
    let edits = actions[0]["edit"]["changes"][&categories_uri]
        .as_array()
        .unwrap();
    let fixed = apply(&broken, edits);
    assert_eq!(fixed, good);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": categories_uri, "version": 2},
               "contentChanges": [{"text": fixed}]}),
    );
    // Fixed: no error is left (the analysis's warnings on Devon, if any, may remain).
    let after = c.diagnostics(&categories_uri);
    assert!(after.iter().all(|d| d["severity"] == 2), "{after:?}");

    // Formatting: a messy line comes back in canonical layout, as one whole-document edit.
    let messy = fixed.replacen(
        "  grant view to team management_information",
        "  grant   view to team management_information",
        1,
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": categories_uri, "version": 3},
               "contentChanges": [{"text": messy}]}),
    );
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": categories_uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(apply(&messy, edits.as_array().unwrap()), good);

    // A duplicate declaration: categories.policy comes first in path order, so policy.policy's
    // declaration is the second, reported there, with related information pointing back here.
    let duplicate = good.replacen("\nend\n", "\nteam finance\n\nend\n", 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": categories_uri, "version": 4},
               "contentChanges": [{"text": duplicate}]}),
    );
    let diags = c.diagnostics_until(&policy_uri, has_code("CL0102"));
    assert_eq!(diags.len(), 1, "{diags:?}");
    let line = position(&policy, "team finance ", 0)["line"].clone();
    assert_eq!(
        diags[0]["range"],
        json!({"start": {"line": line, "character": 5}, "end": {"line": line, "character": 12}})
    );
    let related = &diags[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], categories_uri);
    let last_line = duplicate.lines().position(|l| l == "team finance").unwrap();
    assert_eq!(
        related["location"]["range"],
        json!({"start": {"line": last_line, "character": 5}, "end": {"line": last_line, "character": 12}})
    );
    assert_eq!(related["message"], "first declared here");

    // An edit in policy.policy checks categories.policy again: renaming a team there breaks
    // its use in categories.policy, which the editor did not touch.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": categories_uri, "version": 5},
               "contentChanges": [{"text": good}]}),
    );
    let renamed = policy.replacen("team management_information ", "team management_info ", 1);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": policy_uri, "languageId": "caselock", "version": 1, "text": renamed}}),
    );
    let diags = c.diagnostics_until(&categories_uri, has_code("CL0101"));
    assert!(diags.iter().all(|d| d["code"] == "CL0101"), "{diags:?}");
    assert_eq!(
        diags[0]["range"],
        range_of(&good, "management_information", 0)
    );

    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    let status = c.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_buffer_that_is_not_a_file_is_a_policy_of_its_own() {
    let mut c = Client::start();
    c.request("initialize", json!({"processId": null, "capabilities": {}}));
    c.notify("initialized", json!({}));
    let text = "policy p \"P\"\naction view\ncategory c {\n  restriction universal\n  grant view to team nobody\n}\n\nend\n";
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "untitled:Untitled-1", "languageId": "caselock", "version": 1, "text": text}}),
    );
    let diags = c.diagnostics("untitled:Untitled-1");
    assert_eq!(diags[0]["code"], "CL0101", "{diags:?}");
    assert!(
        diags[0].get("codeDescription").is_none(),
        "no docs URL was given"
    );
    // Bad parameters are an error answer, not a crash.
    c.send(json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {"x": 1}}));
    let answer = loop {
        let m = c.inbox.recv_timeout(PATIENCE).unwrap();
        if m["id"] == 99 {
            break m;
        }
    };
    assert_eq!(answer["error"]["code"], -32602, "{answer}");
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert!(c.child.wait().unwrap().success());
}
