// @ts-check
// The VS Code side of Pipeline's language: it starts `pipeline lsp` (src/LanguageServer) and lets
// vscode-languageclient connect the editor's features to it. Everything the language knows lives in the server;
// this file only starts it and adds one command, the semantic diff against git HEAD, shown beside the editor.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  const settings = vscode.workspace.getConfiguration('pipeline.server');
  const server = {
    command: settings.get('path', 'pipeline'),
    args: settings.get('arguments', ['lsp']),
  };
  client = new LanguageClient('pipeline', 'Pipeline', server, {
    documentSelector: [{ language: 'pipeline' }],
  });
  context.subscriptions.push(vscode.commands.registerCommand('pipeline.showSemanticDiff', showSemanticDiff));
  await client.start();
}

/** Asks the server for `pipeline.semanticDiff` of the active document and opens the text beside it. */
async function showSemanticDiff() {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor || editor.document.languageId !== 'pipeline') {
    await vscode.window.showInformationMessage('Open an experiment file (.pipe) first.');
    return;
  }

  const text = await client.sendRequest('workspace/executeCommand', {
    command: 'pipeline.semanticDiff',
    arguments: [editor.document.uri.toString()],
  });
  const document = await vscode.workspace.openTextDocument({ content: String(text), language: 'plaintext' });
  await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
