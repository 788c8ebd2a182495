import { describe, expect, it } from "vitest";
import { pollUntil, waitSettingsFromEnv, WaitTimeoutError } from "../../../../components/provider";

describe("waits", () => {
  it("have one timeout and one interval, from the environment or the documented defaults", () => {
    expect(waitSettingsFromEnv({ SLIPWAY_WAIT_TIMEOUT_MS: "500", SLIPWAY_POLL_INTERVAL_MS: "5" })).toEqual({ timeoutMs: 500, intervalMs: 5 });
    expect(waitSettingsFromEnv({})).toEqual({ timeoutMs: 900_000, intervalMs: 2_000 });
    expect(waitSettingsFromEnv({ SLIPWAY_WAIT_TIMEOUT_MS: "soon", SLIPWAY_POLL_INTERVAL_MS: "-1" })).toEqual({ timeoutMs: 900_000, intervalMs: 2_000 });
  });

  it("poll until done", async () => {
    let n = 0;
    const value = await pollUntil("x", async () => (++n < 3 ? { done: false, state: `poll ${n}` } : { done: true, value: n }), {
      intervalMs: 1,
      timeoutMs: 1000,
    });
    expect(value).toBe(3);
  });

  it("give up at the deadline with what they last saw, after a last look at it", async () => {
    let polls = 0;
    const started = Date.now();
    const error = await pollUntil("deployment d1", async () => ({ done: false, state: `in_progress ${++polls}` }), { intervalMs: 20, timeoutMs: 120 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe(`Timed out after 120 ms waiting for deployment d1 (last seen: in_progress ${polls})`);
    expect(polls).toBeGreaterThan(2);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("end at once when a poll throws", async () => {
    await expect(pollUntil("x", async () => Promise.reject(new Error("machine failed")), { intervalMs: 1, timeoutMs: 10_000 })).rejects.toThrow("machine failed");
  });
});
