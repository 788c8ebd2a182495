import { describe, expect, it } from "vitest";
import { acquireLock, LOCK_TAG_PREFIX, readLocks, releaseAllLocks, StackLockedError, withLock, type TagStore } from "../../../infra/cli/lock";

/**
 * A tag store that behaves like `pulumi stack tag set|rm`: each call reads the whole map, waits, and writes the
 * whole map back (pulumi/pulumi pkg/cmd/pulumi/stack/stack_tag.go), so concurrent writers can lose each other's tags.
 */
class RacyTags implements TagStore {
  tags: Record<string, string> = { "pulumi:project": "slipway" };
  writes = 0;
  constructor(private readonly gapMs = 5) {}
  async listTags() {
    return { ...this.tags };
  }
  private async rmw(change: (t: Record<string, string>) => void) {
    const copy = { ...this.tags };
    await new Promise((r) => setTimeout(r, this.gapMs));
    change(copy);
    this.tags = copy;
    this.writes++;
  }
  setTag(key: string, value: string) {
    return this.rmw((t) => (t[key] = value));
  }
  removeTag(key: string) {
    return this.rmw((t) => delete t[key]);
  }
}

const at = (iso: string) => () => new Date(iso);

describe("the stack's deploy lock", () => {
  it("is a stack tag naming holder, command and start time, removed when the work ends", async () => {
    const store = new RacyTags();
    let during: Awaited<ReturnType<typeof readLocks>> = [];
    const result = await withLock("staging", store, "deploy staging", async () => {
      during = await readLocks(store);
      return 7;
    }, { settleMs: 10, holder: "alice@ci", now: at("2026-12-01T08:00:00.000Z") });
    expect(result).toBe(7);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatchObject({ holder: "alice@ci", command: "deploy staging", startedAt: "2026-12-01T08:00:00.000Z" });
    expect(during[0]?.tag).toMatch(new RegExp(`^${LOCK_TAG_PREFIX}[0-9a-f]{12}$`));
    expect(during[0]?.tag.length).toBeLessThanOrEqual(40);
    expect(await readLocks(store)).toEqual([]);
    expect(store.tags).toEqual({ "pulumi:project": "slipway" });
  });

  it("runs the reads while it settles: after our tag is written, before the second look, and before the work", async () => {
    const store = new RacyTags();
    const order: string[] = [];
    await withLock("staging", store, "rollback staging", async () => {
      order.push("work");
      return 0;
    }, {
      settleMs: 1,
      sleep: async () => {
        order.push("settle");
      },
      whileSettling: () => order.push(`reads (locks written: ${Object.keys(store.tags).filter((k) => k.startsWith(LOCK_TAG_PREFIX)).length})`),
    });
    expect(order).toEqual(["reads (locks written: 1)", "settle", "work"]);
  });

  it("is released when the work throws", async () => {
    const store = new RacyTags();
    await expect(withLock("staging", store, "deploy staging", async () => {
      throw new Error("up failed");
    }, { settleMs: 1 })).rejects.toThrow("up failed");
    expect(await readLocks(store)).toEqual([]);
  });

  it("refuses a second holder with who, what and since when, writing nothing", async () => {
    const store = new RacyTags();
    const held = await acquireLock("production", store, "deploy production", { settleMs: 1, holder: "bob@runner-3", now: at("2026-12-01T09:00:00.000Z") });
    const writes = store.writes;
    const error = await acquireLock("production", store, "rollback production", { settleMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackLockedError);
    expect((error as Error).message).toBe(
      `stack production is locked by bob@runner-3 running "slipway deploy production" since 2026-12-01T09:00:00.000Z ` +
        `(tag ${held.info.tag}); nothing was changed. Wait for it to finish; if that run was killed, ` +
        "`npx slipway lock release production` (or `npx slipway recover production`) clears it.",
    );
    expect(store.writes).toBe(writes);
    await held.release();
  });

  it("two deploys started together: exactly one holds the lock, whatever the interleaving of their tag writes", async () => {
    for (const [gap, settle] of [[5, 30], [20, 60], [1, 10]] as const) {
      for (let round = 0; round < 5; round++) {
        const store = new RacyTags(gap);
        const attempt = (holder: string, startedAt: string) =>
          acquireLock("staging", store, "deploy staging", { settleMs: settle, holder, now: at(startedAt) }).then(
            (lock) => ({ holder, lock }),
            (error: unknown) => ({ holder, error }),
          );
        // Same start time for one pair: the tag decides, the same way for both.
        const t2 = round % 2 === 0 ? "2026-12-01T08:00:00.000Z" : "2026-12-01T08:00:00.001Z";
        const outcomes = await Promise.all([attempt("a", "2026-12-01T08:00:00.000Z"), attempt("b", t2)]);
        const winners = outcomes.filter((o) => "lock" in o);
        expect(winners.length, `gap ${gap} settle ${settle} round ${round}`).toBe(1);
        const losers = outcomes.filter((o) => "error" in o);
        for (const l of losers) expect((l as { error: unknown }).error).toBeInstanceOf(StackLockedError);
        // Whoever won is the only lock left on the stack; losers leave nothing behind.
        const left = await readLocks(store);
        expect(left.map((l) => l.holder)).toEqual(winners.map((w) => w.holder));
      }
    }
  });

  it("lock release removes a lock left by a killed run and reports it", async () => {
    const store = new RacyTags();
    await acquireLock("staging", store, "deploy staging", { settleMs: 1, holder: "killed@ci" });
    const removed = await releaseAllLocks(store);
    expect(removed.map((l) => l.holder)).toEqual(["killed@ci"]);
    expect(await readLocks(store)).toEqual([]);
    const next = await acquireLock("staging", store, "deploy staging", { settleMs: 1 });
    await next.release();
  });

  it("a tag under the lock prefix that slipway cannot read still locks", async () => {
    const store = new RacyTags();
    store.tags[`${LOCK_TAG_PREFIX}handmade`] = "by hand";
    await expect(acquireLock("staging", store, "deploy staging", { settleMs: 1 })).rejects.toThrow(
      /locked by unknown running "slipway unknown" since unknown \(tag slipway:lock:handmade\)/,
    );
  });
});
