// Builds the operator's command line into one plain JavaScript file at the library's build time, with the AWS SDK
// inside: an installed package runs `npx cdk-rekognition-custom-labels` with no build step and no devDependency.
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
esbuild.buildSync({
  entryPoints: [path.join(root, 'cli', 'main.ts')],
  outfile: path.join(root, 'cli', 'dist', 'cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
