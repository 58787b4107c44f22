// Durations in milliseconds, as the virtual clock (virtual-time.ts), the simulator's timings and Date.UTC() count
// them; and the minutes of a day, as a window table counts them (lib/contract/weekly-windows.ts).
export const SECOND = 1_000;
export const MIN = 60 * SECOND;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** A day in minutes: a window table's startMinute and endMinute count from Monday 00:00. */
export const MINUTES_PER_DAY = 24 * 60;
