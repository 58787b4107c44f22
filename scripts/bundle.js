// Builds one of the package's two JavaScript bundles at the library's build time, so that a consumer's `cdk synth`
// needs no Docker and no bundler, and an installed package runs its command with no build step:
//   node scripts/bundle.js handlers   lambda/dist/index.js, the Lambda handlers; the AWS SDK is left out, as the
//                                     Lambda Node.js runtime provides it
//   node scripts/bundle.js cli        cli/dist/cli.js, the operator's command line, with the AWS SDK inside
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const BUNDLES = {
  handlers: { entry: 'lambda/index.ts', outfile: 'lambda/dist/index.js', external: ['@aws-sdk/*'] },
  cli: { entry: 'cli/main.ts', outfile: 'cli/dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
};

const which = process.argv[2];
const bundle = BUNDLES[which];
if (!bundle) {
  console.error(`usage: node scripts/bundle.js ${Object.keys(BUNDLES).join('|')}`);
  process.exit(2);
}
esbuild.buildSync({
  entryPoints: [path.join(root, bundle.entry)],
  outfile: path.join(root, bundle.outfile),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: bundle.external ?? [],
  banner: bundle.banner,
  minify: false,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
});
