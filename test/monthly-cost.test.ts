// What a model costs a month, everywhere a user decides: the note `npm run synth` prints for every model, and the
// README's table of common shapes, both from lib/private/monthly-cost.ts.
import * as fs from 'fs';
import * as path from 'path';
import { Duration, TimeZone } from 'aws-cdk-lib';
import { BatchWindows, WeekDay, WeeklyTime } from '../lib';
import { RESOURCE_TYPE } from '../lib/contract/resource-properties';
import { CostedDeclaration, monthlyCost, monthlyCostText } from '../lib/private/monthly-cost';
import { parseModelSpec } from '../lambda/model-spec';
import { synthesizeExampleApp } from './support/example-app';
import { synthStack } from './support/templates';

const ROOT = path.join(__dirname, '..');
const PRICE = 4;

test("npm run synth prints each model's monthly cost", () => {
  const example = synthesizeExampleApp();
  const { outdir, summary: printed } = example;
  try {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'CustomLabelsExample.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, string> }> };
    const models = Object.entries(template.Resources).filter(([, r]) => r.Type === RESOURCE_TYPE);
    expect(models.length).toBeGreaterThanOrEqual(2);
    for (const [logicalId, r] of models) {
      // The figure from the resource's own properties, as the handlers read them: the cost of what deploys.
      const { ServiceToken: _token, ...properties } = r.Properties;
      const spec = parseModelSpec(properties);
      const expected = monthlyCostText(monthlyCost(spec, PRICE), PRICE);
      // The construct's path: the stack and the logical id less its hash.
      const construct = `CustomLabelsExample/${logicalId.replace(/[0-9A-F]{8}$/, '')}`;
      expect(printed).toContain(`info /${construct}: ${expected}`);
    }
    expect(printed).toMatch(/costs \$5840\.00 \(\$14600\.00 at max units\) a month at \$4 an inference-unit hour: always on with 2 to 5 units/);
  } finally {
    example.remove();
  }
});

const weekdays = (start: number, end: number, units: number) => BatchWindows.weekly({
  timeZone: TimeZone.EUROPE_BERLIN,
  leadTime: Duration.minutes(30),
  windows: [WeekDay.MONDAY, WeekDay.TUESDAY, WeekDay.WEDNESDAY, WeekDay.THURSDAY, WeekDay.FRIDAY]
    .map((day) => ({ start: WeeklyTime.of(day, start), end: WeeklyTime.of(day, end), minInferenceUnits: units })),
});

/** The README's cost table: common shapes, each as a model declares it. */
const SHAPES: [string, CostedDeclaration][] = [
  ['Always on, 1 unit (development)', { minInferenceUnits: 1 }],
  ['Always on, 2 units (the production minimum Rekognition recommends)', { minInferenceUnits: 2 }],
  ['Always on, 2 to 5 units (autoscaling)', { minInferenceUnits: 2, maxInferenceUnits: 5 }],
  ['Weekdays 08:00 to 18:00, 2 units (30-minute lead time)', { minInferenceUnits: 2, windows: windowTable(weekdays(8, 18, 2)) }],
  ['Weekdays 08:00 to 12:00, 2 units (30-minute lead time)', { minInferenceUnits: 2, windows: windowTable(weekdays(8, 12, 2)) }],
  ['Demand only, 2 units', { minInferenceUnits: 2, demand: { minInferenceUnits: 2 } }],
];

function windowTable(windows: BatchWindows) {
  const { stack } = synthStack({ models: [{ id: 'Costed', projectVersionArn: 'arn:aws:rekognition:us-east-1:123456789012:project/p/version/p.v1/1', minInferenceUnits: 2, windows }] });
  return windows._resolve(stack, { min: 2 });
}

test('the README\'s cost table is the cost function\'s', () => {
  const rows = SHAPES.map(([shape, declared]) => {
    const c = monthlyCost(declared, PRICE);
    const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const month = c.atMax === c.atMin ? money(c.atMin) : `${money(c.atMin)} to ${money(c.atMax)}`;
    return `| ${shape} | ${month} | ${c.demandUpToAtMin > 0 ? `up to ${money(c.demandUpToAtMin)}` : '-'} |`;
  });
  const table = ['| Shape | A month | Demand adds |', '| --- | --- | --- |', ...rows].join('\n');
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const shown = /<!-- cost-table -->\n([\s\S]*?)\n\n/.exec(readme)?.[1];
  expect(shown).toBe(table);
});
