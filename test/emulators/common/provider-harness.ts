import type * as pulumi from "@pulumi/pulumi";

/**
 * Retry and poll settings small enough that injected faults and emulated deployments resolve in milliseconds,
 * while a wait that never ends still fails within seconds. Read by components/http.ts and the kit's pollUntil
 * when a provider runs, so setting them at module load is early enough.
 */
export function useFastProviderSettings(overrides: Record<string, string> = {}): void {
  Object.assign(process.env, {
    SLIPWAY_HTTP_RETRIES: "4",
    SLIPWAY_HTTP_BASE_DELAY_MS: "5",
    SLIPWAY_HTTP_BACKOFF_LIMIT_MS: "50",
    SLIPWAY_HTTP_TIMEOUT_MS: "3000",
    SLIPWAY_POLL_INTERVAL_MS: "20",
    SLIPWAY_WAIT_TIMEOUT_MS: "20000",
    ...overrides,
  });
}

/** A dynamic provider's methods as the engine calls them, with the optional parts of their results required. */
export function engineCalls<I, O>(p: pulumi.dynamic.ResourceProvider<I, O>) {
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`provider returned no ${what}`);
    return value;
  };
  return {
    create: async (inputs: I) => {
      const r = await p.create(inputs);
      return { id: r.id, outs: need(r.outs, "outputs") };
    },
    read: async (id: string, props: O) => need(p.read, "read")(id, props),
    diff: (id: string, olds: O, news: I) => need(p.diff, "diff")(id, olds, news),
    update: async (id: string, olds: O, news: I) => ({ outs: need((await need(p.update, "update")(id, olds, news)).outs, "outputs") }),
    delete: (id: string, props: O) => need(p.delete, "delete")(id, props),
  };
}
