// The options of holds without a redeploy (the hold prop); lib/private/hold.ts creates the parameter and its pass.

/**
 * Holds without a redeploy: the stack creates an SSM String parameter (`holdParameter`) that an operator, a pipeline
 * or the command line (`npx cdk-rekognition-custom-labels hold`) writes to hold the model RUNNING (optionally with
 * other units, up to the most the declaration runs it with) or STOPPED until a given time at most 7 days after the
 * hold is set, and writes `none` to release it. Every pass reads it: the scheduled path every 5 minutes (a model
 * without batch windows gets that periodic pass too) and a deploy's. A hold wins over batch windows and demand.
 * `grantHold()` gives the permission to set and release it.
 *
 * @example
 * const hold: HoldOptions = { parameterName: '/ml/widgets/hold' };
 */
export interface HoldOptions {
  /**
   * The name of the hold parameter: a hierarchical SSM name that begins with `/`.
   *
   * @default - `/rekognition-custom-labels/<stack name>/<construct path in the stack>/hold`
   */
  readonly parameterName?: string;
}
