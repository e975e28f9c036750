//! Diagnostics latency of the language server, in wall time and in CPU time, for a generated
//! policy: `cargo run --release --example edit_latency -- 1000`. The server runs in this process
//! on an in-memory connection; each of 30 edits adds a comment and waits for the diagnostics
//! published for it. CPU time (Linux: `/proc/self/stat`, 10 ms ticks summed over the 30 edits)
//! is what an idle core would take; wall time grows with the machine's load.

use std::time::Instant;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

#[path = "../benches/policy_gen.rs"]
mod policy_gen;

const URI: &str = "untitled:generated.policy";
const EDITS: u32 = 30;

/// The process's user + system CPU time in milliseconds, where `/proc` has it.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

fn send(client: &Connection, msg: Message) -> Result<(), String> {
    client.sender.send(msg).map_err(|e| e.to_string())
}

fn notify(client: &Connection, method: &str, params: Value) -> Result<(), String> {
    send(
        client,
        Message::Notification(Notification::new(method.to_string(), params)),
    )
}

/// Waits for the next message that `wanted` accepts.
fn wait(client: &Connection, wanted: impl Fn(&Message) -> bool) -> Result<(), String> {
    loop {
        let msg = client.receiver.recv().map_err(|e| e.to_string())?;
        if wanted(&msg) {
            return Ok(());
        }
    }
}

fn published(m: &Message) -> bool {
    matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics")
}

fn main() -> Result<(), String> {
    let rules = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000);
    let text = policy_gen::policy(rules);
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || caselock::lsp::serve(&server, None));
    send(
        &client,
        Message::Request(Request::new(
            RequestId::from(1),
            "initialize".to_string(),
            json!({"capabilities": {}}),
        )),
    )?;
    wait(&client, |m| matches!(m, Message::Response(_)))?;
    notify(&client, "initialized", json!({}))?;
    notify(
        &client,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "caselock", "version": 1, "text": text}}),
    )?;
    wait(&client, published)?;
    let (start, cpu) = (Instant::now(), cpu_ms());
    for v in 0..EDITS {
        notify(
            &client,
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": v + 2},
                   "contentChanges": [{"text": format!("{text}# edit {v}\n")}]}),
        )?;
        wait(&client, published)?;
    }
    let wall = start.elapsed().as_secs_f64() * 1000.0 / f64::from(EDITS);
    let cpu = cpu_ms().zip(cpu).map_or_else(
        || "unknown".to_string(),
        |(b, a)| format!("{:.1} ms", (b - a) / f64::from(EDITS)),
    );
    println!(
        "{rules} rules ({} bytes): edit to diagnostics {wall:.1} ms wall, {cpu} CPU",
        text.len()
    );
    drop(client);
    let _ = thread.join();
    Ok(())
}
