// CI's check that API.md is the reference jsii-docgen generates from the library as built now (`npm run docs`
// rewrites it). Run after `npm run build`, which writes the .jsii assembly jsii-docgen reads.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
const fresh = path.join(dir, 'API.md');
try {
  execFileSync(process.execPath, [require.resolve('jsii-docgen/bin/jsii-docgen'), '-o', fresh], { cwd: root, stdio: 'inherit' });
  const committed = fs.existsSync(path.join(root, 'API.md')) ? fs.readFileSync(path.join(root, 'API.md'), 'utf8') : '';
  if (fs.readFileSync(fresh, 'utf8') !== committed) {
    console.error('API.md is not the reference the library generates now: run `npm run docs` and commit API.md');
    process.exit(1);
  }
  console.log('API.md is current');
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
