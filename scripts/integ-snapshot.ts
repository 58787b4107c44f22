// The integration test's snapshot (test/integ/integ.model.ts.snapshot/), written the way integ-runner writes it, but
// synthesized with the CDK CLI pinned in devDependencies. integ-runner 2.197.10, the newest on the npm registry, reads
// cloud-assembly schema up to 53 and aws-cdk-lib 2.276 writes 55, so integ-runner itself stops with "Cloud assembly schema
// version mismatch" before it synthesizes anything (see the README). What integ-runner does when it writes a snapshot
// (runner-base.ts createSnapshot and cleanupSnapshot, in its 2.197.10 bundle), and what this does too:
//
// - synthesize the app with its recommended feature flags as context (less @aws-cdk/core:target-partitions, which it
//   unsets), its CDK_INTEG_* environment, and no version reporting, path metadata or asset metadata;
// - delete the assets of the stacks of test cases with `stackUpdateWorkflow: false` (all of ours), and `.cache/`;
// - keep only `type` and `data` of each artifact's metadata entries in manifest.json.
//
// Two additions, so that the snapshot holds no machine's file paths: creation stack traces are disabled, and the
// <stack>.metadata.json files aws-cdk-lib 2.276 writes are cleaned as manifest.json is.
//
// `npm run integ:update` rewrites the committed snapshot; test/integ-snapshot.test.ts checks that it is current.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT_ARN_ENV, VERSION_ARN_ENV } from '../test/integ/model-under-test';

const ROOT = path.join(__dirname, '..');
export const INTEG_APP = path.join(ROOT, 'test', 'integ', 'integ.model.ts');
export const INTEG_DIR = path.join(ROOT, 'test', 'integ');
export const SNAPSHOT_DIR = path.join(ROOT, 'test', 'integ', 'integ.model.ts.snapshot');
export const CDK_CLI = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const TS_NODE = path.join(ROOT, 'node_modules', 'ts-node', 'register', 'transpile-only');
const RECOMMENDED_FLAGS = path.join(ROOT, 'node_modules', '@aws-cdk', 'integ-runner', 'lib', 'recommended-feature-flags.json');

/** integ-runner's DEFAULT_SYNTH_OPTIONS.env. */
const INTEG_ENV: Readonly<Record<string, string>> = {
  CDK_INTEG_ACCOUNT: '12345678',
  CDK_INTEG_REGION: 'test-region',
  CDK_INTEG_HOSTED_ZONE_ID: 'Z23ABC4XYZL05B',
  CDK_INTEG_HOSTED_ZONE_NAME: 'example.com',
  CDK_INTEG_DOMAIN_NAME: '*.example.com',
  CDK_INTEG_CERT_ARN: 'arn:aws:acm:test-region:12345678:certificate/86468209-a272-595d-b831-0efb6421265z',
  CDK_INTEG_SUBNET_ID: 'subnet-0dff1a399d8f6f92c',
};

interface IntegManifest {
  readonly testCases: Record<string, { readonly stacks: readonly string[]; readonly stackUpdateWorkflow?: boolean }>;
}

interface AssemblyManifest {
  readonly artifacts?: Record<string, {
    readonly type: string;
    readonly properties?: { readonly file?: string };
    readonly metadata?: Record<string, readonly MetadataEntry[]>;
  }>;
}

interface AssetManifest {
  readonly files?: Record<string, { readonly source: { readonly path?: string } }>;
  readonly dockerImages?: Record<string, { readonly source: { readonly directory?: string } }>;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Synthesizes the integ app, with the fake model ARNs, into `outdir` (which must not exist) as a snapshot. */
export function synthIntegSnapshot(outdir: string): void {
  synthIntegApp(outdir, 'fake');
  cleanUpSnapshot(outdir);
}

/**
 * Synthesizes the integ app into `outdir` as integ-runner does: with the fake model ARNs (for the snapshot), or with
 * the model the environment names (for a real run, scripts/integ.ts).
 */
export function synthIntegApp(outdir: string, model: 'fake' | 'environment'): void {
  const flags = readJson<Record<string, unknown>>(RECOMMENDED_FLAGS);
  delete flags['@aws-cdk/core:target-partitions'];
  // Not what integ-runner 2.197.10 does (it predates this key): without it, aws-cdk-lib 2.276 records every construct's
  // creation stack, with this machine's file paths and line numbers, in the *.metadata.json files.
  flags['aws:cdk:disable-creation-stack-traces'] = true;
  // The CLI takes typed context only from a cdk.json, so it runs in a scratch directory that holds one.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-snapshot-'));
  try {
    fs.writeFileSync(path.join(work, 'cdk.json'), JSON.stringify({
      app: `"${process.execPath}" -r "${TS_NODE}" "${INTEG_APP}"`,
      context: flags,
      notices: false,
      'cli-telemetry': false,
    }, undefined, 2));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...INTEG_ENV,
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      // ts-node looks for a tsconfig.json from its working directory, the scratch one.
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
    };
    if (model === 'fake') {
      // The snapshot is of the fake model, whatever the caller's environment names.
      delete env[VERSION_ARN_ENV];
      delete env[PROJECT_ARN_ENV];
    }
    const synth = spawnSync(process.execPath, [CDK_CLI, 'synth', '--quiet', '--output', outdir,
      '--no-version-reporting', '--no-path-metadata', '--no-asset-metadata'], { cwd: work, env, encoding: 'utf8' });
    if (synth.status !== 0) {
      throw new Error(`cdk synth of ${INTEG_APP} failed (${synth.status ?? synth.signal}):\n${synth.stderr}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function cleanUpSnapshot(dir: string): void {
  const integ = readJson<IntegManifest>(path.join(dir, 'integ.json'));
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = readJson<AssemblyManifest>(manifestFile);
  const artifacts = Object.values(manifest.artifacts ?? {});
  const stacksWithoutUpdateWorkflow = Object.values(integ.testCases)
    .filter((testCase) => !(testCase.stackUpdateWorkflow ?? true))
    .flatMap((testCase) => testCase.stacks);
  for (const stack of stacksWithoutUpdateWorkflow) {
    for (const artifact of artifacts) {
      if (artifact.type !== 'cdk:asset-manifest' || artifact.properties?.file !== `${stack}.assets.json`) {
        continue;
      }
      const assets = readJson<AssetManifest>(path.join(dir, artifact.properties.file));
      // As integ-runner's assetsFromAssetManifest and getAssetLocationsForStack: staged assets, not the template.
      const locations = [
        ...Object.values(assets.files ?? {}).map((a) => a.source.path)
          .filter((p): p is string => p !== undefined && p.startsWith('asset.') && !p.endsWith('nested.template.json')),
        ...Object.values(assets.dockerImages ?? {}).map((a) => a.source.directory)
          .filter((d): d is string => d !== undefined && d.startsWith('asset.')),
      ];
      for (const location of locations) {
        fs.rmSync(path.join(dir, location), { recursive: true, force: true });
      }
    }
  }
  fs.rmSync(path.join(dir, '.cache'), { recursive: true, force: true });
  const cleaned: AssemblyManifest = {
    ...manifest,
    artifacts: Object.fromEntries(Object.entries(manifest.artifacts ?? {}).map(([id, artifact]) => [id, {
      ...artifact,
      metadata: artifact.metadata === undefined ? undefined : cleanMetadata(artifact.metadata),
    }])),
  };
  fs.writeFileSync(manifestFile, JSON.stringify(cleaned, undefined, 2));
  // aws-cdk-lib 2.276 writes the artifacts' metadata to <stack>.metadata.json files, which integ-runner 2.197.10 does not
  // know: clean them the same way (their traces name this machine's files).
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.metadata.json'))) {
    const metadata = readJson<Record<string, readonly MetadataEntry[]>>(path.join(dir, file));
    fs.writeFileSync(path.join(dir, file), JSON.stringify(cleanMetadata(metadata), undefined, 2));
  }
}

interface MetadataEntry {
  readonly type: string;
  readonly data?: unknown;
}

/** Only `type` and `data` of each entry, as integ-runner's renderArtifactMetadata. */
function cleanMetadata(metadata: Record<string, readonly MetadataEntry[]>): Record<string, MetadataEntry[]> {
  return Object.fromEntries(Object.entries(metadata).map(([key, entries]) => [key, entries.map((entry) => ({ type: entry.type, data: entry.data }))]));
}

/** Every file under `dir`, relative to it, in sorted order. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(child);
      } else {
        out.push(child);
      }
    }
  };
  walk('');
  return out.sort();
}

if (require.main === module) {
  const fresh = `${SNAPSHOT_DIR}.new`;
  fs.rmSync(fresh, { recursive: true, force: true });
  synthIntegSnapshot(fresh);
  fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  fs.renameSync(fresh, SNAPSHOT_DIR);
  process.stdout.write(`wrote ${path.relative(ROOT, SNAPSHOT_DIR)} (${listFiles(SNAPSHOT_DIR).length} files)\n`);
}
