// Runs the integration test (test/integ/integ.model.ts) against a real AWS account. It starts a real model, which
// bills per inference-unit hour: see the README's "Integration test on a real account". Never run in CI.
//
//   npm run integ       integ-runner itself, in the model's region, deploying whatever the snapshot says
//                       (--force). With integ-runner 2.197.10 and aws-cdk-lib 2.276 this stops before any deploy
//                       with "Cloud assembly schema version mismatch" (integ-runner reads schema up to 53, the app
//                       writes 55); it is here for the integ-runner release that reads 55.
//   npm run integ:cli   the same test cases, in the order and with the options integ.json gives them, run with the
//                       CDK CLI pinned in devDependencies (which reads schema 55): for each test case, deploy its
//                       stacks, deploy its assertion stack and read the assertion results from its outputs, run its
//                       hooks, destroy every stack unless the test case disables it; whatever happens, every stack is
//                       destroyed at the end.
//   npm run integ:cli -- --dry-run   prints the commands without running them (no AWS needed).
//
// Both need CUSTOM_LABELS_VERSION_ARN and CUSTOM_LABELS_PROJECT_ARN, AWS credentials, and the account and region
// bootstrapped (`npx cdk bootstrap aws://ACCOUNT/REGION`); the region is the model's (from its ARN).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { modelUnderTest, PROJECT_ARN_ENV, VERSION_ARN_ENV } from '../test/integ/model-under-test';
import { CDK_CLI, INTEG_DIR, synthIntegApp } from './integ-snapshot';

const ROOT = path.join(__dirname, '..');
const INTEG_RUNNER = path.join(ROOT, 'node_modules', '@aws-cdk', 'integ-runner', 'bin', 'integ-runner');

type HookName = 'preDeploy' | 'postDeploy' | 'preDestroy' | 'postDestroy';

export interface IntegTestCase {
  readonly stacks: readonly string[];
  readonly assertionStack?: string;
  readonly assertionStackName?: string;
  readonly cdkCommandOptions?: { readonly destroy?: { readonly enabled?: boolean } };
  readonly hooks?: Partial<Record<HookName, readonly string[]>>;
}

export interface IntegManifest {
  readonly testCases: Record<string, IntegTestCase>;
}

/** One step of a run. Stacks are named by construct path, as integ.json names them. */
export type Step =
  | { readonly kind: 'deploy'; readonly testCase: string; readonly stacks: readonly string[] }
  | { readonly kind: 'assert'; readonly testCase: string; readonly stack: string; readonly stackName: string }
  | { readonly kind: 'hook'; readonly testCase: string; readonly when: HookName; readonly command: string }
  | { readonly kind: 'destroy'; readonly testCase: string };

/** The steps of one test case, in integ-runner's order (runIntegTestCase, deploy, destroy). */
export function planTestCase(name: string, testCase: IntegTestCase): { run: Step[]; destroy: Step[] } {
  const hooks = (when: HookName): Step[] => (testCase.hooks?.[when] ?? []).map((command) => ({ kind: 'hook', testCase: name, when, command }));
  const run: Step[] = [...hooks('preDeploy'), { kind: 'deploy', testCase: name, stacks: testCase.stacks }];
  if (testCase.assertionStack && testCase.assertionStackName) {
    run.push({ kind: 'assert', testCase: name, stack: testCase.assertionStack, stackName: testCase.assertionStackName });
  }
  run.push(...hooks('postDeploy'));
  const destroy: Step[] = (testCase.cdkCommandOptions?.destroy?.enabled ?? true)
    ? [...hooks('preDestroy'), { kind: 'destroy', testCase: name }, ...hooks('postDestroy')]
    : [];
  return { run, destroy };
}

function requireRealModel(): { region: string; env: NodeJS.ProcessEnv } {
  const model = modelUnderTest();
  if (model.fake) {
    throw new Error(`Set ${VERSION_ARN_ENV} and ${PROJECT_ARN_ENV} to a trained model of yours and its project`);
  }
  const region = model.versionArn.split(':')[3];
  if (model.projectArn.split(':')[3] !== region) {
    throw new Error(`${PROJECT_ARN_ENV} is not in the model's region (${region})`);
  }
  return { region, env: { ...process.env, AWS_REGION: region, AWS_DEFAULT_REGION: region, CDK_DISABLE_CLI_TELEMETRY: 'true' } };
}

function exec(dryRun: boolean, command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): void {
  process.stdout.write(`$ ${[command, ...args].join(' ')}${options.cwd === ROOT ? '' : `   (in ${path.relative(ROOT, options.cwd)})`}\n`);
  if (dryRun) {
    return;
  }
  const result = spawnSync(command, args, { ...options, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${command} exited ${result.status ?? result.signal}`);
  }
}

function runWithCdkCli(dryRun: boolean): number {
  const { env } = dryRun ? { env: { ...process.env } } : requireRealModel();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-run-'));
  const assembly = path.join(work, 'cdk.out');
  const cdk = (...args: string[]): void => exec(dryRun, process.execPath, [CDK_CLI, ...args], { cwd: ROOT, env });
  const failures: string[] = [];
  let stacksUp = false;
  try {
    synthIntegApp(assembly, dryRun ? 'fake' : 'environment');
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly, 'integ.json'), 'utf8')) as IntegManifest;
    for (const [name, testCase] of Object.entries(manifest.testCases)) {
      const { run, destroy } = planTestCase(name, testCase);
      process.stdout.write(`\n=== ${name}\n`);
      try {
        for (const step of run) {
          stacksUp = stacksUp || step.kind === 'deploy';
          runStep(step);
        }
      } catch (e) {
        failures.push(`${name}: ${(e as Error).message}`);
      } finally {
        try {
          for (const step of destroy) {
            runStep(step);
            stacksUp = stacksUp && step.kind !== 'destroy';
          }
        } catch (e) {
          failures.push(`${name} (destroy): ${(e as Error).message}`);
        }
      }
    }
  } finally {
    if (stacksUp) {
      process.stdout.write('\n=== cleanup: every stack of the app\n');
      try {
        cdk('destroy', '--app', assembly, '--all', '--force');
      } catch (e) {
        failures.push(`cleanup: ${(e as Error).message}; delete the stack CustomLabelsModelInteg and the assertion stacks by hand, and check that the model is STOPPED`);
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (dryRun) {
    process.stdout.write('\ndry run: nothing was deployed\n');
  } else {
    process.stdout.write(failures.length === 0 ? '\nintegration test: every test case passed\n' : `\nFAILED:\n${failures.join('\n')}\n`);
  }
  return failures.length === 0 ? 0 : 1;

  function runStep(step: Step): void {
    switch (step.kind) {
      case 'deploy':
        cdk('deploy', '--app', assembly, ...step.stacks, '--require-approval', 'never');
        return;
      case 'assert': {
        const outputs = path.join(work, 'assertion-results.json');
        cdk('deploy', '--app', assembly, step.stack, '--require-approval', 'never', '--no-rollback', '--outputs-file', outputs);
        if (!dryRun) {
          checkAssertions(outputs, step.stackName);
        }
        return;
      }
      case 'hook': {
        const [command, ...args] = step.command.split(/\s+/);
        exec(dryRun, command, args, { cwd: INTEG_DIR, env });
        return;
      }
      case 'destroy':
        cdk('destroy', '--app', assembly, '--all', '--force');
        return;
    }
  }
}

/** Fails unless every assertion of the stack reports success (integ-runner's processAssertionResults). */
function checkAssertions(outputsFile: string, stackName: string): void {
  const outputs = JSON.parse(fs.readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
  const results = Object.entries(outputs[stackName] ?? {}).filter(([key]) => key.startsWith('AssertionResults'));
  if (results.length === 0) {
    throw new Error(`${stackName} reported no assertion results`);
  }
  for (const [key, value] of results) {
    const result = JSON.parse(value.replace(/\n/g, '\\n')) as { status?: string; message?: string };
    process.stdout.write(`${key}: ${result.status}\n`);
    if (result.status !== 'success') {
      throw new Error(`${key}: ${result.message ?? value}`);
    }
  }
}

function runIntegRunner(extra: readonly string[]): number {
  const { region, env } = requireRealModel();
  const result = spawnSync(process.execPath, [INTEG_RUNNER, '--directory', 'test/integ', '--language', 'typescript',
    '--parallel-regions', region, '--force', '--verbose', ...extra], { cwd: ROOT, env, stdio: 'inherit' });
  return result.status ?? 1;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  try {
    process.exitCode = args.includes('--with-cdk-cli')
      ? runWithCdkCli(args.includes('--dry-run'))
      : runIntegRunner(args);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
