#!/usr/bin/env node
// Prints the CHANGELOG.md entry of one version: the release notes of its GitHub release (.github/workflows/release.yml).
//
//   node scripts/changelog-entry.js VERSION [CHANGELOG]   VERSION as in package.json (a leading "v", as in a tag, is
//                                                         dropped); CHANGELOG defaults to CHANGELOG.md at the root
//
// An entry is the text under a heading that names the version, up to the next heading of the same or a higher level:
// "## [1.2.3] - 2026-01-31", "## 1.2.3", "## v1.2.3 (2026-01-31)", "# [1.2.3](https://...) (2026-01-31)". Exits 1, saying
// why, when the file is missing, has no entry for the version, or the entry is empty: a release never goes out without
// its notes.
'use strict';
const fs = require('fs');
const path = require('path');

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The entry's text (trimmed), or throws an Error that says what is missing. */
function changelogEntry(markdown, version, file = 'CHANGELOG.md') {
  const v = version.replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(v)) {
    throw new Error(`"${version}" is not a version (expected MAJOR.MINOR.PATCH, as in package.json)`);
  }
  const heading = new RegExp(`^(#{1,6})\\s+\\[?v?${escapeRegExp(v)}\\]?(?=$|[\\s(])`);
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) {
    throw new Error(`${file} has no entry for ${v}: add a heading such as "## [${v}] - YYYY-MM-DD" with the release's changes`);
  }
  const level = heading.exec(lines[start])[1].length;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^(#{1,6})\s/.exec(lines[i]);
    if (m && m[1].length <= level) {
      end = i;
      break;
    }
  }
  const body = lines.slice(start + 1, end).join('\n').trim();
  if (body === '') {
    throw new Error(`${file}'s entry for ${v} is empty: write the release's changes under its heading`);
  }
  return body;
}

module.exports = { changelogEntry };

if (require.main === module) {
  const [version, file = path.join(__dirname, '..', 'CHANGELOG.md')] = process.argv.slice(2);
  try {
    if (!version) {
      throw new Error('usage: node scripts/changelog-entry.js VERSION [CHANGELOG]');
    }
    if (!fs.existsSync(file)) {
      throw new Error(`${path.basename(file)} not found (${file}): the release notes come from its entry for ${version.replace(/^v/, '')}`);
    }
    process.stdout.write(`${changelogEntry(fs.readFileSync(file, 'utf8'), version, path.basename(file))}\n`);
  } catch (err) {
    process.stderr.write(`changelog-entry: ${err.message}\n`);
    process.exitCode = 1;
  }
}
