// Virtual time for tests: Date follows a clock that the test advances, so an hour of polling takes seconds of real
// time. Timers stay real (HTTP to the local endpoint needs them); SDK retry delays can be scaled down.

const RealDate = Date;
const realSetTimeout = globalThis.setTimeout;
const WATCHDOG_MS = 2500;

/**
 * A clock that jumps forward when the test advances it and otherwise runs at real speed, so that code which
 * measures time while it runs (the SDK's retry back-off, say) sees time pass.
 */
export class VirtualClock {
  private base: number;
  private realAtBase = RealDate.now();

  constructor(start: number = RealDate.UTC(2026, 0, 5, 10, 0, 0)) {
    this.base = start;
  }

  get now(): number {
    return this.base + (RealDate.now() - this.realAtBase);
  }

  /** Makes Date and Date.now() read this clock until uninstall(). */
  install(): void {
    const clock = this;
    class VirtualDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(clock.now);
        else super(...(args as [number]));
      }
      static now(): number {
        return clock.now;
      }
    }
    globalThis.Date = VirtualDate as DateConstructor;
  }

  uninstall(): void {
    globalThis.Date = RealDate;
  }

  advanceTo(t: number): void {
    if (t > this.now) {
      this.base = t;
      this.realAtBase = RealDate.now();
    }
  }
}

/**
 * Divides every timer delay by `factor`, so the AWS SDK's retry back-off (real time, up to 20 s a try) takes
 * milliseconds; the clock is moved on by the rest of the delay when the timer fires, so the back-off still spreads
 * calls over virtual seconds as it would over real ones. The handler code is unchanged; only how long its sleeps
 * take in real time is.
 */
export function scaleTimers(factor: number, clock: VirtualClock): () => void {
  const scaled = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const delay = ms ?? 0;
    // The SDK HTTP handler's watchdogs (its 3 s deferred listeners and 6 s socket-acquisition warning) are normally
    // cleared before they fire: left alone, so that one firing early cannot move the clock. Every other delay (the
    // SDK's retry back-off, the handlers' own waits) is scaled, however long.
    if (delay >= WATCHDOG_MS && (new Error().stack ?? '').includes('node-http-handler')) return realSetTimeout(fn, delay, ...args);
    const real = Math.floor(delay / factor);
    return realSetTimeout((...a: unknown[]) => {
      if (delay >= 10) clock.advanceTo(clock.now + delay - real);
      fn(...a);
    }, real, ...args);
  }) as unknown as typeof setTimeout;
  globalThis.setTimeout = scaled;
  return () => {
    globalThis.setTimeout = realSetTimeout;
  };
}
