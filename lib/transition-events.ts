// The public face of the transition events the handlers put on the account's default EventBridge bus: their source,
// detail-type and schema (defined once, in the contract: lib/contract/transition-events.ts).
import { EVENT_DETAIL_TYPE, EVENT_SOURCE } from './contract/transition-events';

export { TransitionKind, TransitionReason } from './contract/transition-events';
export type { TransitionEventDetail, TransitionModelState } from './contract/transition-events';

/** The events' `source` and `detail-type`. */
export class TransitionEvents {
  /** `source` of every transition event: a custom source, not `aws.*`. */
  public static readonly SOURCE: string = EVENT_SOURCE;
  /** `detail-type` of every transition event. */
  public static readonly DETAIL_TYPE: string = EVENT_DETAIL_TYPE;

  private constructor() {}
}
