//! Diagnostics latency in the editor: the time from an edit (`textDocument/didChange`) to the
//! diagnostics published for it, through the whole language server (`caselock::lsp::serve`)
//! on an in-memory connection, on generated policies of 100 to 10,000 rules. In
//! `edit_to_diagnostics` each edit adds a comment, so every iteration parses, checks, analyses
//! (CL02xx) and indexes the whole policy again; in `edit_to_error` each edit misspells a team,
//! the case of a typo being underlined, where the analysis does not run.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

#[path = "policy_gen.rs"]
mod policy_gen;

const URI: &str = "untitled:generated.policy";

/// Reads messages until the diagnostics for the buffer arrive; how many there are.
fn diagnostics(client: &Connection) -> usize {
    while let Ok(msg) = client.receiver.recv() {
        if let Message::Notification(n) = msg {
            if n.method == "textDocument/publishDiagnostics" {
                return n.params["diagnostics"].as_array().map_or(0, Vec::len);
            }
        }
    }
    0
}

fn notify(client: &Connection, method: &str, params: Value) {
    let _ = client.sender.send(Message::Notification(Notification::new(
        method.to_string(),
        params,
    )));
}

fn request(client: &Connection, id: i32, method: &str, params: Value) {
    let _ = client.sender.send(Message::Request(Request::new(
        RequestId::from(id),
        method.to_string(),
        params,
    )));
    while let Ok(msg) = client.receiver.recv() {
        if matches!(msg, Message::Response(_)) {
            return;
        }
    }
}

fn edit_to_diagnostics(c: &mut Criterion) {
    let mut group = c.benchmark_group("lsp");
    group.sample_size(10);
    for rules in [100usize, 1_000, 10_000] {
        let text = policy_gen::policy(rules);
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || caselock::lsp::serve(&server, None));
        request(&client, 1, "initialize", json!({"capabilities": {}}));
        notify(&client, "initialized", json!({}));
        notify(
            &client,
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "caselock", "version": 1, "text": text}}),
        );
        diagnostics(&client);
        let mut version = 1;
        group.bench_with_input(
            BenchmarkId::new("edit_to_diagnostics", rules),
            &rules,
            |b, _| {
                b.iter(|| {
                    version += 1;
                    notify(
                        &client,
                        "textDocument/didChange",
                        json!({"textDocument": {"uri": URI, "version": version},
                               "contentChanges": [{"text": format!("{text}# edit {version}\n")}]}),
                    );
                    diagnostics(&client)
                })
            },
        );
        let typo = text.replacen("team t0\n", "team t0\nrole x in t0_typo\n", 1);
        group.bench_with_input(BenchmarkId::new("edit_to_error", rules), &rules, |b, _| {
            b.iter(|| {
                version += 1;
                notify(
                    &client,
                    "textDocument/didChange",
                    json!({"textDocument": {"uri": URI, "version": version},
                           "contentChanges": [{"text": format!("{typo}# edit {version}\n")}]}),
                );
                diagnostics(&client)
            })
        });
        request(&client, 2, "shutdown", Value::Null);
        notify(&client, "exit", Value::Null);
        drop(client);
        let _ = thread.join();
    }
    group.finish();
}

criterion_group!(benches, edit_to_diagnostics);
criterion_main!(benches);
