// What an error from an AWS call means (pure): retry it, look at the model again, fail with the service's message, or
// treat the version as gone. Every handler judges errors here, so that one error is handled alike on every path.
import { TRANSITIONAL } from './model-step';
/** How the handlers treat an error from a Rekognition call. */
export type ErrorVerdict =
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'fail'; readonly reason: string }
  /** A start or stop was refused: look at the model again, then judge again with `statusAfter`. */
  | { readonly kind: 'recheck' }
  /** The version does not exist (any more): the next observation decides. */
  | { readonly kind: 'gone' };

/** The fields of an AWS SDK error that matter here. */
export interface ServiceError {
  readonly name?: string;
  readonly message?: string;
  readonly httpStatusCode?: number;
}

const RETRYABLE = new Set([
  'ThrottlingException', 'ProvisionedThroughputExceededException', 'InternalServerError', 'ServiceUnavailableException',
  'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError', 'ECONNRESET', 'ECONNREFUSED',
  'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'NetworkingError', 'Throttling',
  // Too many inference units running in the account: may clear when another model (the one a version swap
  // replaces, say) stops, so it is retried until the deadline and then reported.
  'LimitExceededException',
]);

/**
 * How long after a request began an access denial may still be IAM propagating the policy CloudFormation has just
 * updated (IAM is eventually consistent; CloudFormation sends the resource its request right after the update).
 */
export const IAM_PROPAGATION_MS = 60_000;

export interface ErrorContext {
  /** When the CloudFormation request began (epoch ms); undefined for the scheduled path and the guard. */
  readonly requestStartedAt?: number;
  /** The model's status when the step was decided. */
  readonly statusBefore?: string;
  /** The model's status looked up again after a refusal. */
  readonly statusAfter?: string;
  readonly now: number;
  readonly deadline: number;
  readonly modelName: string;
}

/**
 * Whether onEvent, which answers once, runs again after this error: a transient one, or an access denial while IAM
 * may still be propagating the policy CloudFormation has just updated.
 */
export function onEventMayRunAgain(error: ServiceError, elapsedMs: number): boolean {
  return isTransient(error) || (error.name === 'AccessDeniedException' && elapsedMs < IAM_PROPAGATION_MS);
}

/**
 * Whether an error says that this account cannot use the region at all: its endpoint does not resolve (no such
 * region: a typo in a version ARN) or the region is not enabled for the account (an opt-in region answers every call
 * with UnrecognizedClientException until it is enabled). Nothing the library does there can succeed, now or later.
 */
export function regionUnusable(error: ServiceError): boolean {
  return error.name === 'ENOTFOUND' || error.name === 'UnrecognizedClientException';
}

/** Whether an error passes by itself (throttling, a 5xx, a lost connection, too many units in the account). */
export function isTransient(error: ServiceError): boolean {
  return RETRYABLE.has(error.name ?? '') || (error.httpStatusCode !== undefined && error.httpStatusCode >= 500);
}

/**
 * What an error means for a request. A start or stop refused (ResourceInUseException, InvalidParameterException:
 * the service does not document which call is legal in which status) is retried when the model is, or has just
 * become, STARTING or STOPPING, or has moved on since the step was decided (our own earlier call, whose answer was
 * lost, may have been applied); refused with the model still in the same steady status it is final, and reported
 * with the service's message.
 */
export function judgeError(error: ServiceError, ctx: ErrorContext): ErrorVerdict {
  const name = error.name ?? 'Error';
  const text = `${name}: ${error.message ?? ''}`.trim();
  if (name === 'ResourceNotFoundException') return { kind: 'gone' };
  const retryOrTimeout = (): ErrorVerdict => ctx.now >= ctx.deadline
    ? { kind: 'fail', reason: `${ctx.modelName}: the deploy timeout passed while Rekognition kept answering ${text}` }
    : { kind: 'retry', reason: text };
  if (isTransient(error)) return retryOrTimeout();
  if (name === 'ResourceInUseException' || name === 'InvalidParameterException') {
    const before = ctx.statusBefore;
    if (before !== undefined && TRANSITIONAL.has(before)) return retryOrTimeout();
    if (!('statusAfter' in ctx)) return { kind: 'recheck' };
    const after = ctx.statusAfter;
    if (after !== before || (after !== undefined && TRANSITIONAL.has(after))) return retryOrTimeout();
  }
  if (name === 'AccessDeniedException') {
    if (ctx.requestStartedAt !== undefined && ctx.now - ctx.requestStartedAt < IAM_PROPAGATION_MS) {
      return { kind: 'retry', reason: `${text} (IAM may still be propagating the policy CloudFormation has just updated)` };
    }
    return {
      kind: 'fail',
      reason: `${ctx.modelName}: access denied (${text}): the handlers' role may start only the versions this stack declares ` +
        'and stop only those whose ownership tag names this stack; a service control policy or a permissions boundary may refuse more',
    };
  }
  return { kind: 'fail', reason: `${ctx.modelName}${ctx.statusBefore ? ` (status ${ctx.statusBefore})` : ''}: Rekognition refused the call: ${text}` };
}
