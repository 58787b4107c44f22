// The integration test (test/integ/integ.model.ts) cannot run under integ-runner here: integ-runner 2.197.10 reads
// cloud-assembly schema up to 53 and aws-cdk-lib 2.276 writes 55 (README, "Integration test on a real account"). This
// does what integ-runner's snapshot mode would: re-synthesizes the integ app (scripts/integ-snapshot.ts, with the CDK
// CLI pinned in devDependencies) and compares it with the committed snapshot, more strictly than integ-runner (which
// compares the test stacks' templates only, with asset hashes normalized): every file's presence, every template, the
// test stacks' asset manifests and integ.json. Asset hashes are compared as they are: they are content hashes of the
// handler bundle (esbuild, deterministic) and of aws-cdk-lib's and integ-tests-alpha's own bundles, the same on any
// machine after `npm ci && npm run build`. Only integ-tests' `salt` (the synth time, which makes each assertion run on
// every deploy) is left out, with the assertion stacks' template hashes that follow from it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listFiles, SNAPSHOT_DIR, synthIntegSnapshot } from '../scripts/integ-snapshot';
import { RESOURCE_TYPE } from '../lib/contract/resource-properties';
import { CHANGED_UNITS, STACK_NAME, START_UNITS } from './integ/model-under-test';

const UPDATE = 'the snapshot is stale: run `npm run integ:update` and commit test/integ/integ.model.ts.snapshot';

interface TestCase {
  readonly stacks: readonly string[];
  readonly assertionStack: string;
  readonly assertionStackName: string;
  readonly stackUpdateWorkflow?: boolean;
  readonly cdkCommandOptions?: { readonly destroy?: { readonly enabled?: boolean } };
  readonly hooks?: { readonly postDestroy?: readonly string[] };
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

interface Template {
  readonly Resources: Record<string, Resource>;
}

function readJson<T>(dir: string, file: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as T;
}

/** The value with every `salt` property replaced, at any depth. */
function withoutSalt(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(withoutSalt);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'salt' ? '<salt>' : withoutSalt(v)]));
  }
  return value;
}

/** The artifact id (file name stem) of a stack, from manifest.json, by construct path. */
function artifactIdOf(dir: string, constructPath: string): string {
  const manifest = readJson<{ artifacts: Record<string, { type: string; displayName?: string }> }>(dir, 'manifest.json');
  const found = Object.entries(manifest.artifacts)
    .find(([id, a]) => a.type === 'aws:cloudformation:stack' && (a.displayName ?? id) === constructPath);
  if (!found) {
    throw new Error(`no stack ${constructPath} in ${dir}/manifest.json`);
  }
  return found[0];
}

describe('integration test snapshot', () => {
  let scratch: string;
  let fresh: string;

  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-snapshot-test-'));
    fresh = path.join(scratch, 'snapshot');
    synthIntegSnapshot(fresh);
  }, 300_000);

  afterAll(() => {
    if (scratch) {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  test("the integration test's snapshot is current", () => {
    expect(fs.existsSync(SNAPSHOT_DIR)).toBe(true);
    const files = listFiles(fresh);
    expect({ files, note: UPDATE }).toEqual({ files: listFiles(SNAPSHOT_DIR), note: UPDATE });
    expect({ integ: readJson(fresh, 'integ.json'), note: UPDATE }).toEqual({ integ: readJson(SNAPSHOT_DIR, 'integ.json'), note: UPDATE });
    for (const file of files.filter((f) => f.endsWith('.template.json'))) {
      expect({ file, template: withoutSalt(readJson(fresh, file)), note: UPDATE })
        .toEqual({ file, template: withoutSalt(readJson(SNAPSHOT_DIR, file)), note: UPDATE });
    }
    // The test stacks' assets: the handler bundle, the Provider framework, the template itself, by content hash.
    const testCases = readJson<{ testCases: Record<string, TestCase> }>(fresh, 'integ.json').testCases;
    for (const stack of Object.values(testCases).flatMap((tc) => tc.stacks)) {
      const file = `${artifactIdOf(fresh, stack)}.assets.json`;
      expect({ file, assets: readJson(fresh, file), note: UPDATE }).toEqual({ file, assets: readJson(SNAPSHOT_DIR, file), note: UPDATE });
    }
  });

  test('the snapshot holds the designed test: start, change units on the same stack, STOPPED checked after the destroy', () => {
    const dir = SNAPSHOT_DIR;
    const testCases = Object.values(readJson<{ testCases: Record<string, TestCase> }>(dir, 'integ.json').testCases);
    // integ-runner runs the test cases in this order.
    expect(testCases).toHaveLength(2);
    const [start, change] = testCases;

    // Case 1 leaves its stack up for case 2; case 2 is an update of the same CloudFormation stack, then destroyed,
    // then checked by the hook.
    expect(start.cdkCommandOptions?.destroy?.enabled).toBe(false);
    expect(change.cdkCommandOptions?.destroy?.enabled ?? true).toBe(true);
    expect(change.hooks?.postDestroy).toEqual(['node -r ts-node/register/transpile-only assert-stopped.ts']);
    expect(fs.existsSync(path.join(__dirname, 'integ', 'assert-stopped.ts'))).toBe(true);
    const manifest = readJson<{ artifacts: Record<string, { properties?: { stackName?: string } }> }>(dir, 'manifest.json');
    for (const testCase of [start, change]) {
      expect(testCase.stacks).toHaveLength(1);
      expect(testCase.stackUpdateWorkflow).toBe(false);
      expect(manifest.artifacts[artifactIdOf(dir, testCase.stacks[0])].properties?.stackName).toBe(STACK_NAME);
    }

    for (const [testCase, units] of [[start, START_UNITS], [change, CHANGED_UNITS]] as const) {
      const model = Object.values(readJson<Template>(dir, `${artifactIdOf(dir, testCase.stacks[0])}.template.json`).Resources)
        .filter((r) => r.Type === RESOURCE_TYPE);
      expect(model).toHaveLength(1);
      expect(model[0].Properties).toMatchObject({ MinInferenceUnits: String(units.min), MaxInferenceUnits: String(units.max) });

      // The assertion sits in the assertion stack integ-runner deploys for this test case (IntegTestCaseStack's own
      // `assertions` is a stack integ.json does not name), and waits for RUNNING with these units.
      const calls = Object.values(readJson<Template>(dir, `${testCase.assertionStackName}.template.json`).Resources)
        .filter((r) => r.Type.startsWith('Custom::DeployAssert@SdkCallRekognitionDescribeProjectVersio'));
      expect(calls).toHaveLength(1);
      const props = calls[0].Properties ?? {};
      expect(props).toMatchObject({ service: 'Rekognition', api: 'DescribeProjectVersions' });
      expect(props.stateMachineArn).toBeDefined(); // waitForAssertions
      expect(JSON.parse(String(props.expected))).toEqual({
        $ObjectLike: {
          ProjectVersionDescriptions: {
            $ArrayWith: [{
              $ObjectLike: {
                ProjectVersionArn: expect.stringContaining(':project/replace-me/version/replace-me.v1/'),
                Status: 'RUNNING',
                MinInferenceUnits: units.min,
                MaxInferenceUnits: units.max,
              },
            }],
          },
        },
      });
    }
  });
});
