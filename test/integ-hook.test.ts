// The integration test's post-destroy check (test/integ/assert-stopped.ts) is the one part of it that runs outside
// CloudFormation: integ-runner runs it as a shell command after destroying the stacks. Here it runs exactly as
// integ-runner would run it (the command from the committed integ.json, in the test directory, with the model's
// environment variables), against the local Rekognition simulator over HTTP, with the real SDK.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DescribeProjectVersionsCommandInput, DescribeProjectVersionsCommandOutput } from '@aws-sdk/client-rekognition';
import { RekognitionSimulator } from './support/rekognition-simulator';
import { expectStopped } from './integ/assert-stopped';
import { PROJECT_ARN_ENV, VERSION_ARN_ENV } from './integ/model-under-test';

const INTEG_DIR = path.join(__dirname, 'integ');

type Described = Pick<DescribeProjectVersionsCommandOutput, 'ProjectVersionDescriptions'>;

interface HookRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The postDestroy hook, as integ-runner runs it: split on whitespace, no shell, in the snapshot's directory. */
function runHook(env: NodeJS.ProcessEnv): Promise<HookRun> {
  const integ = JSON.parse(fs.readFileSync(path.join(INTEG_DIR, 'integ.model.ts.snapshot', 'integ.json'), 'utf8')) as {
    testCases: Record<string, { hooks?: { postDestroy?: string[] } }>;
  };
  const hooks = Object.values(integ.testCases).flatMap((tc) => tc.hooks?.postDestroy ?? []);
  expect(hooks).toHaveLength(1);
  const [command, ...args] = hooks[0].split(/\s+/);
  return new Promise((resolve) => {
    execFile(command, args, { cwd: INTEG_DIR, env, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the integration test post-destroy hook', () => {
  const simulator = new RekognitionSimulator();
  let endpoint: string;
  let projectArn: string;
  let versionArn: string;

  beforeAll(async () => {
    endpoint = await simulator.listen();
  });
  afterAll(async () => {
    await simulator.close();
  });
  beforeEach(() => {
    simulator.reset();
    projectArn = simulator.addProject('widgets');
    versionArn = simulator.addVersion(projectArn, 'widgets.v1');
  });

  function hookEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_ENDPOINT_URL_REKOGNITION: endpoint,
      AWS_EC2_METADATA_DISABLED: 'true',
      [VERSION_ARN_ENV]: versionArn,
      [PROJECT_ARN_ENV]: projectArn,
    };
  }

  test('exits 0 when the model is STOPPED after the destroy', async () => {
    simulator.setStatus(versionArn, 'STOPPED');
    const run = await runHook(hookEnv());
    expect(run).toMatchObject({ code: 0, stdout: `${versionArn} is STOPPED\n` });
    expect(simulator.countCalls('DescribeProjectVersions')).toBeGreaterThanOrEqual(1);
  }, 60_000);

  test('fails the test case when the model is still RUNNING', async () => {
    simulator.setStatus(versionArn, 'RUNNING', { min: 2, max: 3 });
    const run = await runHook(hookEnv());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${versionArn} is RUNNING after the stacks were destroyed, not STOPPED`);
  }, 60_000);

  test('waits for a STOPPING model, within its grace, and fails one that stays STOPPING', async () => {
    let now = 0;
    const clocked = new RekognitionSimulator(() => now, { startMs: 60_000, stopMs: 90_000, jitterMs: 0 });
    const project = clocked.addProject('widgets');
    const version = clocked.addVersion(project, 'widgets.v1');
    clocked.setStatus(version, 'RUNNING', { min: 1 });
    clocked.externalStop(version);
    const describe = async (input: DescribeProjectVersionsCommandInput) => {
      const answer = clocked.call('DescribeProjectVersions', { ...input });
      if (answer.status !== 200) {
        throw new Error(JSON.stringify(answer.body));
      }
      return answer.body as Described;
    };
    const sleep = async (ms: number) => {
      now += ms;
    };
    const options = { projectArn: project, versionArn: version, pollMs: 15_000, sleep, now: () => now };

    await expect(expectStopped(describe, { ...options, stoppingGraceMs: 5 * 60_000 })).resolves.toBe('STOPPED');
    expect(now).toBeGreaterThanOrEqual(90_000);

    clocked.setStatus(version, 'RUNNING', { min: 1 });
    clocked.externalStop(version);
    const started = now;
    await expect(expectStopped(describe, { ...options, stoppingGraceMs: 30_000 })).rejects.toThrow(/is STOPPING after the stacks were destroyed/);
    expect(now - started).toBeLessThan(90_000);
  });

  test('fails when DescribeProjectVersions does not list the version', async () => {
    // Same version name, another creation timestamp: not the model under test.
    const describe = async (input: DescribeProjectVersionsCommandInput) =>
      simulator.call('DescribeProjectVersions', { ...input }).body as Described;
    await expect(expectStopped(describe, {
      projectArn, versionArn: `${versionArn.slice(0, versionArn.lastIndexOf('/'))}/1`, stoppingGraceMs: 0, pollMs: 1,
    })).rejects.toThrow(/does not list/);
  });
});
