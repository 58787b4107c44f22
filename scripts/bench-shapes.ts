// Bundle and resource figures for `npm run bench`: the bytes the package ships as Lambda code and as the command line,
// and the CloudFormation resources a model adds to a stack, by shape. They are cheap to compute, so
// test/docs.test.ts recomputes them with the same functions and checks that the docs state them as printed here.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BatchWindows, CustomLabelsModel, CustomLabelsModelProps, WeekDay, WeeklyTime } from '../lib';

const ROOT = path.join(__dirname, '..');

/** A shipped bundle: its bytes and its bytes gzipped (Node's zlib, default level). */
export interface BundleFigures {
  readonly file: string;
  readonly bytes: number;
  readonly gzipped: number;
}

export function bundleFigures(file: string): BundleFigures {
  const content = fs.readFileSync(path.join(ROOT, file));
  return { file, bytes: content.length, gzipped: zlib.gzipSync(content).length };
}

/** The bundles the package ships: the handlers (every Lambda function of the library) and the command line. */
export const BUNDLES = ['lambda/dist/index.js', 'cli/dist/cli.js'];

type Shape = { name: string; props: (stack: Stack, i: number) => Partial<CustomLabelsModelProps> };

/** The shapes of a model whose resources the docs state. The app's own queue and topic are not counted. */
export const SHAPES: Shape[] = [
  { name: 'always on', props: () => ({}) },
  { name: 'hold', props: () => ({ hold: {} }) },
  {
    name: 'weekly windows (one window)',
    props: () => ({
      batchWindows: BatchWindows.weekly({
        timeZone: TimeZone.EUROPE_BERLIN,
        windows: [{ start: WeeklyTime.of(WeekDay.MONDAY, 8), end: WeeklyTime.of(WeekDay.MONDAY, 18) }],
        leadTime: Duration.minutes(30),
      }),
    }),
  },
  { name: 'demand', props: (stack, i) => ({ demand: { queue: new sqs.Queue(stack, `Queue${i}`, { enforceSSL: true }) } }) },
  {
    name: 'costGuard (daily budget, topic)',
    props: (stack, i) => ({ costGuard: { alarmTopic: new sns.Topic(stack, `Topic${i}`, { enforceSSL: true }), dailyInferenceUnitHourBudget: 48 } }),
  },
];

/** Resources of a synthesized stack of `models` models of a shape, and of the same stack without the models. */
function synthCount(shape: Shape, models: number, withModels: boolean): number {
  const app = new App({ context: { 'cdk-rekognition-custom-labels:now': '2027-03-22T00:00:00Z' } });
  const stack = new Stack(app, 'Shapes', { env: { account: '123456789012', region: 'us-east-1' } });
  for (let i = 0; i < models; i++) {
    const props = shape.props(stack, i);
    if (!withModels) continue;
    new CustomLabelsModel(stack, `Model${i}`, {
      projectVersionArn: `arn:aws:rekognition:us-east-1:123456789012:project/p${i}/version/p${i}.v1/1767607200000`,
      minInferenceUnits: 2,
      ...props,
    });
  }
  // aws-cdk-lib's template validation would report the empty stack of the baseline: counting needs none of it.
  const validation = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    const assembly = app.synth();
    try {
      const template = assembly.getStackByName(stack.stackName).template as { Resources?: Record<string, unknown> };
      return Object.keys(template.Resources ?? {}).length;
    } finally {
      fs.rmSync(assembly.directory, { recursive: true, force: true });
    }
  } finally {
    if (validation === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = validation;
  }
}

/** What the library adds to a stack: the first model of a shape, and each more model of it. */
export interface ShapeResources {
  readonly shape: string;
  readonly first: number;
  readonly each: number;
}

export function shapeResources(shape: Shape): ShapeResources {
  const added = (models: number) => synthCount(shape, models, true) - synthCount(shape, models, false);
  const one = added(1);
  return { shape: shape.name, first: one, each: added(2) - one };
}

const n = (x: number) => x.toLocaleString('en-US');

/** The lines the bench prints (and test/docs.test.ts expects in docs/bench-output.txt). */
export function bundleLine(b: BundleFigures): string {
  return `  ${b.file}: ${n(b.bytes)} bytes, ${n(b.gzipped)} gzipped`;
}

export function shapeLine(r: ShapeResources): string {
  return `  ${`${r.shape}:`.padEnd(33)} the first model adds ${r.first} resources, each more model ${r.each}`;
}

export async function shapeFigures(out: (line?: string) => void): Promise<void> {
  out('== Bundles the package ships (bytes; gzipped with Node\'s zlib at its default level)');
  for (const file of BUNDLES) out(bundleLine(bundleFigures(file)));
  out();
  out('== CloudFormation resources a model adds to a stack, by shape (the app\'s own queue and topic not counted)');
  for (const shape of SHAPES) out(shapeLine(shapeResources(shape)));
}
