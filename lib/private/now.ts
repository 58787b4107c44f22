// "Now" at synth time: the wall clock, or the context key that makes tests and the example app deterministic (what
// is in the past, and where a plan begins, then do not depend on the day the app is synthesized).
import { IConstruct } from 'constructs';
import { validationError } from './errors';

/** The context key that fixes "now" for synthesis: an ISO 8601 instant. */
export const NOW_CONTEXT_KEY = 'cdk-rekognition-custom-labels:now';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds of an ISO 8601 instant with a zone (`Z` or an offset); undefined otherwise. */
export function parseInstant(text: unknown): number | undefined {
  if (typeof text !== 'string' || !ISO_INSTANT.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/** Epoch milliseconds of "now" for a construct: the context key when set, else the clock. */
export function synthNow(scope: IConstruct): number {
  const raw: unknown = scope.node.tryGetContext(NOW_CONTEXT_KEY);
  if (raw === undefined) return Date.now();
  const t = parseInstant(raw);
  if (t === undefined) {
    throw validationError('InvalidNowContext', scope, `context ${NOW_CONTEXT_KEY} must be an ISO 8601 instant such as 2027-03-22T00:00:00Z, got ${JSON.stringify(raw)}`);
  }
  return t;
}
