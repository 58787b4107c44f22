// The contract's transition events: the schema of the events the handlers put on the account's default EventBridge
// bus (lambda/decisions/transition-events.ts puts them; lib/transition-events.ts exports this schema to users who type their consumers).
// jsii-compatible: read-only fields, enums for the closed sets; the handlers' string types derive from the enums.

/** `source` of every transition event: a custom source, not `aws.*`. */
export const EVENT_SOURCE = 'cdk-rekognition-custom-labels';
/** `detail-type` of every transition event. */
export const EVENT_DETAIL_TYPE = 'Rekognition Custom Labels Model Transition';

/** What happened to the model (`detail.kind`). */
export enum TransitionKind {
  /** A StartProjectVersion the service accepted. */
  START = 'START',
  /** A StopProjectVersion the service accepted (an enforcement stop has reason `enforcement`). */
  STOP = 'STOP',
  /** A start of this run (deploy request or window occurrence) ended FAILED; `message` is the service's StatusMessage. */
  START_FAILED = 'START_FAILED',
  /** The scheduled path first saw a hold in force. */
  HOLD_SET = 'HOLD_SET',
  /** The scheduled path first saw that a hold had ended. */
  HOLD_EXPIRED = 'HOLD_EXPIRED',
  /** The scheduled path first saw a hold it cannot use (malformed, too long, units out of bounds); `message` says why. */
  HOLD_IGNORED = 'HOLD_IGNORED',
  /** The model has stayed away from a goal that stood longer than the convergence bound (45 minutes), with no step of the library towards it within that bound. */
  DIVERGED = 'DIVERGED',
}

/** Why (`detail.reason`). */
export enum TransitionReason {
  /** A batch window opened or closed. */
  WINDOW = 'window',
  /** A calendar exception: a one-off window opened or closed (an excluded date makes no transition). */
  EXCEPTION = 'exception',
  /** A hold (set, ended, released, or ignored). */
  HOLD = 'hold',
  /** The demand queue: messages arrived (a start), or it stayed empty for the idle time (a stop). */
  DEMAND = 'demand',
  /** Outside its windows and without a hold, a model someone started by hand was stopped. */
  ENFORCEMENT = 'enforcement',
  /** A CloudFormation deploy (create, update, delete) started or stopped it, or its declaration (no windows) wants it running. */
  DEPLOY = 'deploy',
  /** The stack guard stopped a model the stack no longer declares. */
  GUARD = 'guard',
}

/** A status and units: `detail.from` (as observed before the step) and `detail.to` (what the step aims at). */
export interface TransitionModelState {
  /** The project version's status; absent when the version was not found. */
  readonly status?: string;
  readonly minInferenceUnits?: number;
  readonly maxInferenceUnits?: number;
}

/** The `detail` of a transition event (schema version "1"). */
export interface TransitionEventDetail {
  /** Schema version: "1". */
  readonly version: string;
  /** The project version's ARN. */
  readonly modelArn: string;
  /** The stack that runs the model. */
  readonly stackName: string;
  /** The model resource's logical id in that stack. */
  readonly logicalId: string;
  readonly kind: TransitionKind;
  readonly reason: TransitionReason;
  readonly from: TransitionModelState;
  readonly to: TransitionModelState;
  /** The service's StatusMessage of a failed start; why a hold is ignored; what a divergence is. */
  readonly message?: string;
  /** Unique per transition: a consumer that sees it twice may drop the second. */
  readonly idempotencyKey: string;
  /** When the handler observed the transition (ISO 8601, UTC). */
  readonly time: string;
}
