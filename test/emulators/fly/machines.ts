import type { Route, RouteContext } from "../common/http";
import {
  assertLease,
  destroy,
  isRunning,
  launch,
  relaunch,
  renderMachine,
  restart,
  start,
  stop,
  suspend,
  recordEvent,
} from "./lifecycle";
import { admitConfig, admitRegion, decodeConfig, encodeConfig } from "./admission";
import { ok, qbool, flyRoute } from "./route";
import { FlyError, FlyState, MachineRecord, S, hexId, ulid } from "./state";

const M = "/v1/apps/{app_name}/machines";
const ONE = `${M}/{machine_id}`;

const START_RESPONSE = {
  type: "object",
  required: ["previous_state"],
  properties: { previous_state: { type: "string" }, migrated: { type: "boolean" }, new_host: { type: "string" } },
} as const;

const ADJECTIVES = ["bold", "calm", "dawn", "fancy", "green", "lively", "quiet", "young"];
const NOUNS = ["bird", "brook", "field", "forest", "meadow", "river", "sky", "sun"];

function generatedName(): string {
  const pick = (xs: string[]): string => xs[Math.floor(Math.random() * xs.length)] ?? xs[0]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(1000 + Math.random() * 9000)}`;
}

/** A live machine: any not destroyed. Writes to a destroyed machine answer 404 like the real service. */
function liveMachine(st: FlyState, ctx: RouteContext): MachineRecord {
  const m = st.machine(ctx.params.app_name ?? "", ctx.params.machine_id ?? "");
  if (m.state === "destroyed" || m.state === "destroying") throw new FlyError(404, "machine not found");
  return m;
}

/**
 * Binds the volumes named in `mounts` to the machine. Fly refuses a volume of another app, in another region,
 * or already attached to a different machine (a volume is attached to at most one machine).
 */
function bindMounts(st: FlyState, m: MachineRecord, config: S["fly.MachineConfig"]): void {
  const wanted = new Set<string>();
  for (const mount of config.mounts ?? []) {
    if (!mount.volume) throw new FlyError(400, "invalid_argument: mount needs a volume id");
    const v = st.volumes.get(mount.volume);
    if (!v || v.appName !== m.appName || v.volume.state === "pending_destroy") {
      throw new FlyError(400, `invalid_argument: volume ${mount.volume} not found`);
    }
    st.settleVolume(v);
    const holder = v.volume.attached_machine_id;
    if (holder && holder !== m.id) {
      throw new FlyError(400, `failed_precondition: volume ${v.volume.id} is currently bound to machine: ${holder}`);
    }
    if (v.volume.region !== m.region) {
      throw new FlyError(400, `invalid_argument: volume ${v.volume.id} is in ${v.volume.region}, machine in ${m.region}`);
    }
    wanted.add(v.volume.id);
    mount.name ??= v.volume.name;
    mount.size_gb ??= v.volume.size_gb;
    mount.encrypted ??= v.volume.encrypted;
  }
  for (const v of st.volumes.values()) {
    if (wanted.has(v.volume.id)) {
      v.volume.attached_machine_id = m.id;
      v.volume.attached_alloc_id = m.version;
      v.releaseAt = undefined;
    } else if (v.volume.attached_machine_id === m.id) {
      // An update that drops the mount detaches the volume from this machine.
      delete v.volume.attached_machine_id;
      delete v.volume.attached_alloc_id;
    }
  }
}

export function takeLease(st: FlyState, m: MachineRecord, ttlSeconds: number, description = ""): string {
  const nonce = hexId(6);
  m.lease = {
    nonce,
    owner: "emulator@tokens.fly.io",
    description,
    expiresAt: Math.floor(st.clock.now() / 1000) + ttlSeconds,
    version: m.version,
  };
  return nonce;
}

export function machineRoutes(st: FlyState): Route[] {
  return [
    flyRoute("GET", M, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      const q = ctx.query;
      const states = q.state ? new Set(q.state.split(",").map((s) => s.trim())) : undefined;
      const metaFilters = Object.entries(q)
        .filter(([k]) => k.startsWith("metadata."))
        .map(([k, v]) => [k.slice("metadata.".length), v] as const);
      let list = [...st.machines.values()].filter((m) => {
        if (m.appName !== app.name) return false;
        if (m.destroyedAt !== undefined && !qbool(q.include_deleted)) return false;
        if (m.state === "destroying" && !qbool(q.include_deleted)) return false;
        if (q.region && m.region !== q.region) return false;
        if (states && !states.has(m.state)) return false;
        return metaFilters.every(([k, v]) => m.config.metadata?.[k] === v);
      });
      list.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
      const headers: Record<string, string> = {};
      if (q.limit !== undefined) {
        const limit = Number(q.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new FlyError(400, "invalid_argument: limit must be between 1 and 1000");
        const offset = q.cursor ? Number(Buffer.from(q.cursor, "base64url").toString()) : 0;
        if (!Number.isInteger(offset) || offset < 0) throw new FlyError(400, "invalid_argument: invalid cursor");
        if (offset + limit < list.length) headers["fly-next-cursor"] = Buffer.from(String(offset + limit)).toString("base64url");
        list = list.slice(offset, offset + limit);
      }
      const opts = { summary: qbool(q.summary), includeLease: qbool(q.include_leases) };
      return ok(list.map((m) => renderMachine(st, m, opts)), headers);
    }),

    flyRoute("POST", M, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      const body = (ctx.body ?? {}) as S["CreateMachineRequest"];
      const config = decodeConfig(body.config);
      const region = body.region ?? "iad";
      admitRegion(region);
      admitConfig(config);
      const name = body.name ?? generatedName();
      // Machine names are unique within an app on the real service; a retried create with the same name
      // therefore cannot silently make a second machine.
      const clash = st.liveMachines(app.name).find((m) => m.name === name);
      if (clash) throw new FlyError(409, `unique machine name violation, machine ID ${clash.id} already exists with name "${name}"`);
      const now = st.clock.now();
      const version = ulid(now);
      const m: MachineRecord = {
        id: hexId(7),
        appName: app.name,
        name,
        region,
        config,
        version,
        versions: [{ version, config: structuredClone(config) }],
        state: "created",
        // Not registered with the proxy = no traffic until uncordoned (how flyctl's blue/green starts green machines).
        cordoned: body.skip_service_registration === true,
        createdAt: now,
        updatedAt: now,
        privateIp: st.nextIp("private"),
        events: [],
        minSecretsVersion: body.min_secrets_version,
        transition: 0,
      };
      bindMounts(st, m, config);
      st.machines.set(m.id, m);
      const nonce = body.lease_ttl ? takeLease(st, m, body.lease_ttl) : undefined;
      if (body.skip_launch) recordEvent(st, m, "launch", "created", "user");
      else launch(st, m);
      return ok(renderMachine(st, m, { nonce }));
    }),

    flyRoute("GET", ONE, (ctx) => {
      const m = st.machine(ctx.params.app_name ?? "", ctx.params.machine_id ?? "");
      const wanted = ctx.query.version;
      if (wanted && wanted !== m.version) {
        const old = m.versions.find((v) => v.version === wanted);
        if (!old) throw new FlyError(404, `machine version ${wanted} not found`);
        return ok({ ...renderMachine(st, m), version: old.version, instance_id: old.version, config: encodeConfig(old.config) });
      }
      return ok(renderMachine(st, m, { includeLease: qbool(ctx.query.include_leases) }));
    }),

    flyRoute("POST", ONE, (ctx) => {
      const m = liveMachine(st, ctx);
      const body = (ctx.body ?? {}) as S["UpdateMachineRequest"];
      // Optimistic concurrency: a stale current_version is rejected and nothing changes.
      if (body.current_version !== undefined && body.current_version !== m.version) {
        throw new FlyError(409, `current version ${body.current_version} does not match machine version ${m.version}`);
      }
      assertLease(st, m, ctx.headers);
      const config = body.config ? decodeConfig(body.config) : structuredClone(m.config);
      admitConfig(config);
      if (body.region && body.region !== m.region) throw new FlyError(400, "invalid_argument: a machine cannot change region");
      const previousVersion = m.version;
      m.version = ulid(st.clock.now());
      try {
        bindMounts(st, m, config);
      } catch (err) {
        m.version = previousVersion;
        throw err;
      }
      m.config = config;
      m.versions.unshift({ version: m.version, config: structuredClone(config) });
      if (m.versions.length > 20) m.versions.length = 20;
      if (body.name) m.name = body.name;
      if (body.min_secrets_version !== undefined) m.minSecretsVersion = body.min_secrets_version;
      if (body.skip_service_registration === true) m.cordoned = true;
      m.updatedAt = st.clock.now();
      if (m.lease) m.lease.version = m.version;
      relaunch(st, m, body.skip_launch === true);
      return ok(renderMachine(st, m));
    }),

    flyRoute("DELETE", ONE, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      // Without force the service refuses to destroy a running machine (412 failed_precondition). fly-go sends
      // the force as `?kill=true` (v0.9.3 flaps/flaps_machines.go Destroy: `/%s?kill=%t`, what
      // `fly machine destroy --force` uses); the description documents `force`. Both are honoured.
      if (isRunning(m) && !qbool(ctx.query.force) && !qbool(ctx.query.kill)) {
        throw new FlyError(412, "failed_precondition: unable to destroy machine, not currently stopped or suspended");
      }
      destroy(st, m);
      return ok();
    }),

    /**
     * The description documents 200 without a body, but the service answers `{previous_state, migrated, new_host}`
     * (superfly/docs reference/machines/_machines_start_resp.erb), and fly-go decodes it into MachineStartResponse
     * (v0.9.3 flaps/flaps_machines.go Start passes an output, so an empty body fails with EOF).
     */
    flyRoute("POST", `${ONE}/start`, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      const previous = m.state;
      start(st, m);
      return ok({ previous_state: previous, migrated: false, new_host: "" });
    }, { deviations: { responseSchemas: { 200: START_RESPONSE } } }),
    flyRoute("POST", `${ONE}/stop`, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      stop(st, m);
      return ok();
    }),
    flyRoute("POST", `${ONE}/restart`, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      restart(st, m);
      return ok();
    }),
    flyRoute("POST", `${ONE}/suspend`, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      suspend(st, m);
      return ok();
    }),
    flyRoute("POST", `${ONE}/signal`, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      if (!isRunning(m)) throw new FlyError(412, `failed_precondition: machine ${m.id} is not started`);
      recordEvent(st, m, "signal", (ctx.body as S["SignalRequest"] | undefined)?.signal ?? "SIGTERM", "user");
      return ok();
    }),
    // Cordoning takes the machine out of the proxy's rotation (flyctl's blue/green deploys use it).
    flyRoute("POST", `${ONE}/cordon`, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      m.cordoned = true;
      m.updatedAt = st.clock.now();
      return ok();
    }),
    flyRoute("POST", `${ONE}/uncordon`, (ctx) => {
      const m = liveMachine(st, ctx);
      assertLease(st, m, ctx.headers);
      m.cordoned = false;
      m.updatedAt = st.clock.now();
      return ok();
    }),
  ];
}

