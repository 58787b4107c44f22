// The handler bundle's entry point: one asset serves every function of the stack. The construct names these exports
// (lib/contract/handler-entries.ts): an entry missing here, or one here the contract does not name, fails to compile.
import type { HandlerName } from '../lib/contract/handler-entries';
import { isComplete } from './handlers/is-complete';
import { onEvent } from './handlers/on-event';
import { onSchedule } from './handlers/on-schedule';
import { onGuard } from './handlers/stack-guard';

export const handlers = { onEvent, isComplete, onSchedule, onGuard } satisfies Record<HandlerName, (event: never) => Promise<unknown>>;
export { onEvent, isComplete, onSchedule, onGuard };
