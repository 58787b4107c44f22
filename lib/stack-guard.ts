// Temporary, not public: test/support/scheduler.ts still imports the stack guard's SDK retry settings from this path.
// Delete this file once it imports them from lib/private/handler-functions.ts.
export { GUARD_ENVIRONMENT } from './private/handler-functions';
