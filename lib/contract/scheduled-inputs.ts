// The contract's scheduled inputs: what the construct writes into its EventBridge Scheduler schedules and the
// scheduled waiter, and what the scheduled path and the stack guard read. Tokens resolve to strings at deploy time.

/** One model, as every schedule of it (and the waiter) passes it to the scheduled path. */
export interface ScheduledModel {
  /** The custom resource's properties, as CloudFormation would deliver them. */
  readonly properties: Record<string, string>;
  readonly stackName: string;
  readonly logicalId: string;
}

/** The scheduled path's event: one model. */
export interface ScheduledPassEvent {
  readonly model: ScheduledModel;
}

/** The stack guard's event, as its schedule passes it. */
export interface GuardEvent {
  /** The stack's id (its ARN). */
  readonly stack: string;
  /**
   * The regions the stack has declared models in, comma-separated, as the guard regions resource remembers them
   * (lambda/handlers/guard-regions.ts). Absent in a schedule written by an earlier release of the library.
   */
  readonly regions?: string;
}
