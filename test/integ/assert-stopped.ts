// The integration test's post-destroy check (integ.model.ts, case 2's postDestroy hook): after integ-runner has
// destroyed the stacks, DescribeProjectVersions must say the model is STOPPED. integ-runner runs this with the test
// directory as working directory and its own environment (credentials, AWS_REGION, the model's variables); a non-zero
// exit fails the test case. The construct's delete waits for STOPPED itself, so STOPPING is allowed only briefly.
import { DescribeProjectVersionsCommand, DescribeProjectVersionsCommandInput, DescribeProjectVersionsCommandOutput, RekognitionClient } from '@aws-sdk/client-rekognition';
import { modelUnderTest, versionNameOf } from './model-under-test';

export type DescribeProjectVersions = (input: DescribeProjectVersionsCommandInput) => Promise<Pick<DescribeProjectVersionsCommandOutput, 'ProjectVersionDescriptions'>>;

export interface StoppedCheckOptions {
  readonly projectArn: string;
  readonly versionArn: string;
  /** How long a STOPPING model may take to reach STOPPED. */
  readonly stoppingGraceMs: number;
  readonly pollMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Resolves with the final status once the version is STOPPED; rejects with what it saw otherwise. */
export async function expectStopped(describe: DescribeProjectVersions, options: StoppedCheckOptions): Promise<string> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.stoppingGraceMs;
  for (;;) {
    const answer = await describe({ ProjectArn: options.projectArn, VersionNames: [versionNameOf(options.versionArn)] });
    const description = (answer.ProjectVersionDescriptions ?? []).find((d) => d.ProjectVersionArn === options.versionArn);
    if (!description) {
      throw new Error(`DescribeProjectVersions does not list ${options.versionArn}`);
    }
    const status = description.Status ?? '(no status)';
    if (status === 'STOPPED') {
      return status;
    }
    if (status !== 'STOPPING' || now() >= deadline) {
      throw new Error(`${options.versionArn} is ${status} after the stacks were destroyed, not STOPPED`
        + (description.StatusMessage ? `: ${description.StatusMessage}` : ''));
    }
    await sleep(options.pollMs);
  }
}

async function main(): Promise<void> {
  const model = modelUnderTest();
  const client = new RekognitionClient({});
  const status = await expectStopped((input) => client.send(new DescribeProjectVersionsCommand(input)), {
    projectArn: model.projectArn,
    versionArn: model.versionArn,
    stoppingGraceMs: 5 * 60_000,
    pollMs: 15_000,
  });
  process.stdout.write(`${model.versionArn} is ${status}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
