import type { Route, RouteContext } from "../common/http";
import { encodeConfig } from "./admission";
import { SETTLED, activeLease, assertLease, nonceHeader } from "./lifecycle";
import { takeLease } from "./machines";
import { flyRoute, ok } from "./route";
import { FlyError, FlyState, MachineRecord, S, TIMING } from "./state";

const ONE = "/v1/apps/{app_name}/machines/{machine_id}";

/** Real-time poll interval of /wait; the state machine itself runs on the emulated clock. */
const WAIT_POLL_MS = 5;

function machineOf(st: FlyState, ctx: RouteContext): MachineRecord {
  return st.machine(ctx.params.app_name ?? "", ctx.params.machine_id ?? "");
}

function writable(st: FlyState, ctx: RouteContext): MachineRecord {
  const m = machineOf(st, ctx);
  if (m.destroyedAt !== undefined || m.state === "destroying") throw new FlyError(404, "machine not found");
  assertLease(st, m, ctx.headers);
  return m;
}

/**
 * Whether the machine is in one of the wanted states. "settled" means any non-transitional state. When the
 * caller waits on an older `version`, that instance has been replaced, so it counts as stopped/destroyed.
 */
function reached(m: MachineRecord, wanted: Set<string>, version: string | undefined): boolean {
  if (version && version !== m.version) return wanted.has("stopped") || wanted.has("destroyed") || wanted.has("settled");
  if (wanted.has("settled") && SETTLED.has(m.state)) return true;
  return wanted.has(m.state);
}

/**
 * GET /wait blocks until the machine reaches the state or the timeout passes. The service accepts timeouts
 * of 1s..60s (else 400 invalid_argument) and answers 408 when the deadline passes. The timeout is counted in
 * emulated seconds, and additionally bounded in real time, so a test waiting on a stuck machine stays quick.
 */
async function waitFor(st: FlyState, ctx: RouteContext): Promise<{ status: number; body: unknown }> {
  const m = machineOf(st, ctx);
  const timeoutSec = ctx.query.timeout === undefined ? 60 : Number(ctx.query.timeout);
  if (!Number.isFinite(timeoutSec) || timeoutSec < 1 || timeoutSec > 60) {
    throw new FlyError(400, "invalid_argument: timeout must be between 1s and 1m0s");
  }
  // Repeated (`state=a&state=b`) or comma-separated, as the spec describes; default "started".
  const raw = ctx.queryAll.state?.length ? ctx.queryAll.state : ["started"];
  const wanted = new Set(raw.flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean));
  const version = ctx.query.version ?? ctx.query.instance_id;
  const deadline = st.clock.now() + timeoutSec * 1000;
  const realDeadline = Date.now() + timeoutSec * 1000;
  for (;;) {
    st.clock.runDue();
    if (reached(m, wanted, version)) {
      const body: S["WaitMachineResponse"] = { ok: true, state: m.state, version: m.version, event_id: m.events[0]?.id };
      return { status: 200, body };
    }
    if (st.clock.now() >= deadline || Date.now() >= realDeadline || st.closed) {
      throw new FlyError(408, `deadline_exceeded: machine ${m.id} did not reach state ${[...wanted].join(",")} (it is ${m.state})`);
    }
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

/**
 * Lease answers are wrapped: `{status: "success", data: {nonce, expires_at, owner, description, version}}`
 * (superfly/docs reference/machines/_machines_lease_create_resp.erb and _machines_lease_get_resp.erb), which is
 * what fly-go decodes (v0.9.3 machine_types.go MachineLease{Status, Data, Message, Code}). The description
 * documents the bare Lease instead, so its schema is replaced below.
 */
function renderLease(lease: NonNullable<MachineRecord["lease"]>): { status: "success"; data: S["Lease"] } {
  return {
    status: "success",
    data: { nonce: lease.nonce, expires_at: lease.expiresAt, owner: lease.owner, description: lease.description, version: lease.version },
  };
}

const WRAPPED_LEASE = {
  type: "object",
  required: ["status", "data"],
  properties: { status: { const: "success" }, data: { $ref: "#/components/schemas/Lease", required: ["nonce", "expires_at", "owner"] } },
} as const;

/** The lease ttl: fly-go sends it as `?ttl=` with no body (flaps_machines.go AcquireLease/RefreshLease), slipway in the body. */
function leaseTtl(ctx: RouteContext): number {
  const body = (ctx.body ?? {}) as S["CreateLeaseRequest"];
  if (ctx.query.ttl !== undefined) return Number(ctx.query.ttl);
  return body.ttl ?? TIMING.leaseDefaultTtlSeconds;
}

export function machineOpRoutes(st: FlyState): Route[] {
  return [
    // 408 is what the service answers on timeout although the spec does not list it (validated as the 400 ErrorResponse).
    flyRoute("GET", `${ONE}/wait`, (ctx) => waitFor(st, ctx)),

    flyRoute("GET", `${ONE}/lease`, (ctx) => {
      const m = machineOf(st, ctx);
      const lease = activeLease(st, m);
      if (!lease) throw new FlyError(404, "lease not found");
      return ok(renderLease(lease));
    }, { deviations: { responseSchemas: { 200: WRAPPED_LEASE } } }),
    /**
     * Acquire, or refresh when the request carries the current nonce. A lease held by someone else → 409,
     * like the service (flyctl reports "lease currently held by …").
     */
    flyRoute("POST", `${ONE}/lease`, (ctx) => {
      const m = machineOf(st, ctx);
      if (m.destroyedAt !== undefined) throw new FlyError(404, "machine not found");
      const body = (ctx.body ?? {}) as S["CreateLeaseRequest"];
      const ttl = leaseTtl(ctx);
      if (!Number.isInteger(ttl) || ttl < 1) throw new FlyError(400, "invalid_argument: ttl must be a positive number of seconds");
      const lease = activeLease(st, m);
      const sent = nonceHeader(ctx.headers);
      if (lease && sent === lease.nonce) {
        lease.expiresAt = Math.floor(st.clock.now() / 1000) + ttl;
        if (body.description !== undefined) lease.description = body.description;
        return { status: 201, body: renderLease(lease) };
      }
      assertLease(st, m, ctx.headers);
      takeLease(st, m, ttl, body.description ?? "");
      return { status: 201, body: renderLease(m.lease!) };
      // fly-go acquires and refreshes with no body at all (v0.9.3 flaps_machines.go passes `in` = nil).
    }, { deviations: { bodyOptional: true, responseSchemas: { 201: WRAPPED_LEASE } } }),
    flyRoute("DELETE", `${ONE}/lease`, (ctx) => {
      const m = machineOf(st, ctx);
      const lease = activeLease(st, m);
      if (!lease) throw new FlyError(404, "lease not found");
      if (nonceHeader(ctx.headers) !== lease.nonce) throw new FlyError(409, "aborted: lease nonce does not match");
      m.lease = undefined;
      return ok();
    }),

    // Metadata lives in config.metadata; the dedicated endpoints change it without a new machine version.
    flyRoute("GET", `${ONE}/metadata`, (ctx) => ok({ ...(machineOf(st, ctx).config.metadata ?? {}) })),
    ...(["PATCH", "PUT"] as const).map((method) =>
      flyRoute(method, `${ONE}/metadata`, (ctx) => {
        const m = writable(st, ctx);
        const body = (ctx.body ?? {}) as S["updateMetadataRequest"];
        if (body.machine_version !== undefined && body.machine_version !== m.version) {
          throw new FlyError(412, `failed_precondition: machine version ${body.machine_version} is not current (${m.version})`);
        }
        const meta = { ...(m.config.metadata ?? {}) };
        // Null values and empty strings remove keys; other keys are left untouched (spec description).
        for (const [k, v] of Object.entries((body.metadata ?? {}) as Record<string, string | null>)) {
          if (v === null || v === "") delete meta[k];
          else meta[k] = v;
        }
        m.config.metadata = meta;
        m.updatedAt = st.clock.now();
        return { status: 204 };
      }),
    ),
    flyRoute("GET", `${ONE}/metadata/{key}`, (ctx) => {
      const value = machineOf(st, ctx).config.metadata?.[ctx.params.key ?? ""];
      if (value === undefined) throw new FlyError(404, "metadata key not found");
      return ok({ value });
    }),
    flyRoute("POST", `${ONE}/metadata/{key}`, (ctx) => {
      const m = writable(st, ctx);
      const value = (ctx.body as S["upsertMetadataKeyRequest"] | undefined)?.value;
      if (value === undefined) throw new FlyError(400, "invalid_argument: value is required");
      m.config.metadata = { ...(m.config.metadata ?? {}), [ctx.params.key ?? ""]: value };
      m.updatedAt = st.clock.now();
      return { status: 204 };
    }),
    flyRoute("DELETE", `${ONE}/metadata/{key}`, (ctx) => {
      const m = writable(st, ctx);
      const meta = { ...(m.config.metadata ?? {}) };
      delete meta[ctx.params.key ?? ""];
      m.config.metadata = meta;
      m.updatedAt = st.clock.now();
      return { status: 204 };
    }),

    flyRoute("GET", `${ONE}/events`, (ctx) => {
      const limit = Math.min(50, Math.max(1, Number(ctx.query.limit ?? 20) || 20));
      return ok(machineOf(st, ctx).events.slice(0, limit));
    }),
    flyRoute("GET", `${ONE}/versions`, (ctx) =>
      ok(machineOf(st, ctx).versions.map((v): S["MachineVersion"] => ({ version: v.version, user_config: encodeConfig(v.config) }))),
    ),
  ];
}
