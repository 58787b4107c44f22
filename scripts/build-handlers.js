// Builds the Lambda handlers into plain JavaScript at the library's build time, so that a consumer's `cdk synth`
// needs no Docker and no bundler. The AWS SDK is left out: the Lambda Node.js runtime provides it (see README).
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
esbuild.buildSync({
  entryPoints: [path.join(root, 'lambda', 'index.ts')],
  outfile: path.join(root, 'lambda', 'dist', 'index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['@aws-sdk/*'],
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
