// What a CustomLabelsModel tells the user at synth besides errors: warnings on props that deploy but are likely
// mistakes (a one-off window already past, a window longer than half a week, a single inference unit), and the note of
// what its batch windows cost a week.
import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type { BatchWindowCost } from '../batch-window-cost';
import type { BatchWindows } from '../batch-windows';
import { MINUTES_PER_WEEK, oneOffName, oneOffOccurrences } from '../contract/weekly-windows';
import { ModelSettings } from './model-validation';
import { NOW_CONTEXT_KEY } from './now';
import { CostedDeclaration, monthlyCost, monthlyCostText } from './monthly-cost';

/** Warns about validated props that are likely mistakes; each warning can be acknowledged by its id. */
export function warnAboutModelProps(model: IConstruct, batchWindows: BatchWindows | undefined, settings: ModelSettings): void {
  const { windows, now } = settings;
  for (const o of windows ? oneOffOccurrences(windows) : []) {
    if (o.closeAt <= now) {
      Annotations.of(model).addWarningV2('cdk-rekognition-custom-labels:pastOneOffWindow',
        `batchWindows: ${oneOffName(windows!, o.index)} ended before now (${new Date(now).toISOString()}; set the context key ${NOW_CONTEXT_KEY} to synthesize as of another instant): it never runs; remove it`);
    }
  }
  windows?.windows.forEach((w, i) => {
    const hours = (((w.endMinute - w.startMinute) % MINUTES_PER_WEEK) + MINUTES_PER_WEEK) % MINUTES_PER_WEEK / 60;
    if (hours > 84) {
      const { start, end } = batchWindows!.windows[i];
      Annotations.of(model).addWarningV2('cdk-rekognition-custom-labels:longBatchWindow',
        `batchWindows: window ${i} (${start} to ${end}) lasts ${hours} hours, more than half a week: are its start and end swapped? Acknowledge this warning if the model should run that long.`);
    }
  });
  // The units the model actually runs with: its own, or with batch windows each window's.
  const lowest = windows ? Math.min(...windows.windows.map((w) => w.minInferenceUnits)) : settings.minInferenceUnits;
  if (!Token.isUnresolved(lowest) && lowest < 2) {
    Annotations.of(model).addWarningV2('cdk-rekognition-custom-labels:singleInferenceUnit',
      `minInferenceUnits is ${lowest}${windows ? ' in a batch window' : ''}: Rekognition recommends at least 2 inference units for production models, so that they span Availability Zones. Acknowledge this warning for development models.`);
  }
}

/** Notes what the batch windows schedule a week against running all week, in inference-unit hours and at the price. */
export function noteBatchWindowCost(model: IConstruct, c: BatchWindowCost): void {
  const price = c.inferenceUnitHourPrice;
  Annotations.of(model).addInfo(`batch windows schedule ${c.scheduledInferenceUnitHoursPerWeek} inference-unit hours a week ` +
    `(${c.scheduledInferenceUnitHoursPerWeekAtMax} at max units), $${c.scheduledCostPerWeek.toFixed(2)} ($${c.scheduledCostPerWeekAtMax.toFixed(2)}), ` +
    `against ${c.alwaysOnInferenceUnitHoursPerWeek} (${c.alwaysOnInferenceUnitHoursPerWeekAtMax}) running all week, ` +
    `$${c.alwaysOnCostPerWeek.toFixed(2)} ($${c.alwaysOnCostPerWeekAtMax.toFixed(2)}), at $${price} an inference-unit hour` +
    (c.notCounted ? `; ${c.notCounted}` : ''));
}

/** Notes what the model's declaration costs a month, at the price assumed: every model, so that no bill surprises. */
export function noteMonthlyCost(model: IConstruct, declared: CostedDeclaration, price: number): void {
  Annotations.of(model).addInfo(monthlyCostText(monthlyCost(declared, price), price));
}

