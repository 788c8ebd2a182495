/**
 * The one bounded wait every provider uses (a deployment to finish, a delete to complete, a lease to free up, a
 * machine to pass its checks), so none can hang the engine: each gives up with what it last saw.
 *
 * One timeout for all: `SLIPWAY_WAIT_TIMEOUT_MS`, default 15 minutes — a Coolify deployment pulls the image and
 * runs the health check with its start period before it reports, the slowest thing slipway waits for; a Fly
 * machine wait is far shorter and fails early on a terminal state anyway. One interval: `SLIPWAY_POLL_INTERVAL_MS`,
 * default 2 s. Tests shrink both through the environment, which the engine's provider processes inherit.
 */

/** Bounds of one wait. */
export interface WaitSettings {
  /** Longest total wait. @default SLIPWAY_WAIT_TIMEOUT_MS, else 900000 (15 minutes) */
  timeoutMs: number;
  /** Pause between two polls. @default SLIPWAY_POLL_INTERVAL_MS, else 2000 */
  intervalMs: number;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 2_000;

export function waitSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WaitSettings {
  const num = (name: string, fallback: number): number => {
    const raw = env[name];
    const value = raw === undefined || raw === "" ? NaN : Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    timeoutMs: num("SLIPWAY_WAIT_TIMEOUT_MS", DEFAULT_WAIT_TIMEOUT_MS),
    intervalMs: num("SLIPWAY_POLL_INTERVAL_MS", DEFAULT_POLL_INTERVAL_MS),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What one poll saw: `done` ends the wait with `value`; otherwise `state` says why it goes on. */
export type PollResult<T> = { done: true; value: T } | { done: false; state: string };

export function formatDuration(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : ms >= 10_000 ? `${Math.round(ms / 1000)}s` : `${ms} ms`;
}

/** Thrown when a wait runs out; `lastSeen` is the state of the last poll. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastSeen: string,
  ) {
    super(`Timed out after ${formatDuration(timeoutMs)} waiting for ${what} (last seen: ${lastSeen})`);
    this.name = "WaitTimeoutError";
  }
}

/**
 * Polls until `poll` says done. The last poll happens at the deadline, not before it, so a wait never gives up
 * on a state it did not look at; an error thrown by `poll` ends the wait at once.
 */
export async function pollUntil<T>(what: string, poll: () => Promise<PollResult<T>>, settings: Partial<WaitSettings> = {}): Promise<T> {
  const defaults = waitSettingsFromEnv();
  const timeoutMs = settings.timeoutMs ?? defaults.timeoutMs;
  const intervalMs = settings.intervalMs ?? defaults.intervalMs;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await poll();
    if (result.done) return result.value;
    if (Date.now() >= deadline) throw new WaitTimeoutError(what, timeoutMs, result.state);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
