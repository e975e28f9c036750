// The caselock extension: starts `caselock lsp` and connects VS Code to it. Plain JavaScript,
// no build step: `npm install` in this folder, then install the folder (see docs/editors.md).
'use strict';

const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

/** Where diagnostic codes link to: the setting, else this checkout's docs/diagnostics.md. */
function docsUrl(context) {
  const configured = vscode.workspace.getConfiguration('caselock').get('docsUrl');
  if (configured) {
    return configured;
  }
  const local = path.join(context.extensionPath, '..', '..', 'docs', 'diagnostics.md');
  return fs.existsSync(local) ? vscode.Uri.file(local).toString() : undefined;
}

async function activate(context) {
  const command = vscode.workspace.getConfiguration('caselock').get('path') || 'caselock';
  const server = { command, args: ['lsp'] };
  client = new LanguageClient(
    'caselock',
    'caselock',
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: 'file', language: 'caselock' },
        { scheme: 'untitled', language: 'caselock' },
      ],
      // A policy's other files may change on disk (git checkout, another editor).
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.policy') },
      initializationOptions: { docsUrl: docsUrl(context) },
    },
  );
  context.subscriptions.push(client);
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `caselock: could not start \`${command} lsp\` (${err.message}). ` +
        'Install caselock (cargo install --path . in the repository) or set `caselock.path`.',
    );
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
