// The integration workflow's cleanup (.github/workflows/integ.yml, a step that runs whatever happened before it):
// destroys every stack of the integration test app, the way `npm run integ:cli` destroys them at its end, for a run
// that was cancelled or died before it got there. It synthesizes the app for the model the environment names
// (CUSTOM_LABELS_VERSION_ARN, CUSTOM_LABELS_PROJECT_ARN) into a temporary directory and runs the pinned CDK CLI's
// `destroy --all --force` on it; a stack that does not exist is skipped by the CLI, so a second destroy is harmless.
//
//   npm run build:handlers && npx ts-node --transpile-only --prefer-ts-exts scripts/integ-destroy.ts
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { modelUnderTest, PROJECT_ARN_ENV, VERSION_ARN_ENV } from '../test/integ/model-under-test';
import { CDK_CLI, synthIntegApp } from './integ-snapshot';

function main(): number {
  const model = modelUnderTest();
  if (model.fake) {
    throw new Error(`Set ${VERSION_ARN_ENV} and ${PROJECT_ARN_ENV}: the stacks to destroy are those of that model`);
  }
  const region = model.versionArn.split(':')[3];
  const env = { ...process.env, AWS_REGION: region, AWS_DEFAULT_REGION: region, CDK_DISABLE_CLI_TELEMETRY: 'true' };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'integ-destroy-'));
  try {
    const assembly = path.join(work, 'cdk.out');
    synthIntegApp(assembly, 'environment');
    const args = [CDK_CLI, 'destroy', '--app', assembly, '--all', '--force'];
    process.stdout.write(`$ ${['cdk', ...args.slice(1)].join(' ')}\n`);
    const result = spawnSync(process.execPath, args, { cwd: path.join(__dirname, '..'), env, stdio: 'inherit' });
    return result.status ?? 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
