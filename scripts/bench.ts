// `npm run bench`: the library's speed and cost figures, measured in one run and printed (never asserted in tests).
import { App, Stack } from 'aws-cdk-lib';
import { CustomLabelsModel } from '../lib';
import { deployFigures } from './bench-deploy';

function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function synthStack(models: number): { resources: number; ms: number } {
  const started = process.hrtime.bigint();
  const app = new App();
  const stack = new Stack(app, `Bench${models}`);
  for (let i = 0; i < models; i++) {
    new CustomLabelsModel(stack, `Model${i}`, {
      projectVersionArn: `arn:aws:rekognition:us-east-1:123456789012:project/project${i}/version/v1/1767607200000`,
      minInferenceUnits: 2,
    });
  }
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, unknown> };
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { resources: Object.keys(template.Resources).length, ms };
}

async function main(): Promise<void> {
  out('== Synth: CloudFormation resources and synth time (in-process app.synth(), one provider per stack)');
  synthStack(1); // warm up module loading, so the first figure measures synthesis, not require()
  const one = synthStack(1);
  const fifty = synthStack(50);
  const perModel = (fifty.resources - one.resources) / 49;
  out(`  1 model:   ${one.resources} resources, synth ${one.ms.toFixed(0)} ms`);
  out(`  50 models: ${fifty.resources} resources, synth ${fifty.ms.toFixed(0)} ms`);
  out(`  per additional model: ${perModel.toFixed(2)} resources; the provider's fixed cost: ${(one.resources - perModel).toFixed(0)} resources`);
  out(`  synth time ratio 50/1: ${(fifty.ms / one.ms).toFixed(1)}x`);
  out();
  await deployFigures(out);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
