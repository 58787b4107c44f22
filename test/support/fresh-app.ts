// A fresh app outside the repo, as a user gets one: the library packed as `npm publish` would pack it, and child
// processes (npm, tsc, node) that run as they would in a fresh shell. For test/packaging.test.ts and
// test/readme-examples.test.ts.
//
// It packs what `npm run build` left in lib/, .jsii, lambda/dist/ and cli/dist/ (npm test builds first), with
// --ignore-scripts so that the pack does not build a second time.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
};
/** The repo's TypeScript compiler. */
export const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

// The child npm should behave as in a fresh shell, not as a lifecycle script of this package.
export const CHILD_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env)
  .filter(([k]) => !/^npm_(package|lifecycle)_/.test(k) && k !== 'npm_config_local_prefix' && k !== 'INIT_CWD'));

/** The end of a child's output, with long lines (a minified bundle quoted in a stack trace) cut short. */
export function tail(output: string): string {
  return output.split('\n').slice(-40).map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l)).join('\n');
}

/** Runs a command to completion in `cwd` and throws, with the end of its output, unless it exits 0. */
export function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...CHILD_ENV, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw result.error;
  }
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status ?? result.signal}:\n${tail(result.stdout)}\n${tail(result.stderr)}`);
  }
  return result;
}

/** Throws unless `npm run build` has written what the tarball ships. */
export function requireBuild(): void {
  for (const built of ['lib/index.js', 'lib/index.d.ts', '.jsii', 'lambda/dist/index.js', 'cli/dist/cli.js']) {
    if (!fs.existsSync(path.join(ROOT, built))) {
      throw new Error(`${built} is missing: run \`npm run build\` before this test (npm test does)`);
    }
  }
}

/**
 * `npm pack` into `dir`, as npm publish would pack. Returns the tarball's path and what is really in it (not what npm
 * says it put there), as paths inside `package/`, sorted.
 */
export function packTarball(dir: string): { tarball: string; packed: string[] } {
  requireBuild();
  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  const [info] = JSON.parse(pack.stdout) as { filename: string }[];
  const tarball = path.join(dir, info.filename);
  const packed = run('tar', ['-tzf', tarball], dir).stdout.split('\n').filter((l) => l !== '' && !l.endsWith('/'))
    .map((l) => l.replace(/^package\//, '')).sort();
  return { tarball, packed };
}
