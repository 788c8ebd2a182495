import type { Deviations, Route, RouteContext } from "../common/http";
import type { EmulatorClock } from "../common/clock";
import type { CoolifyTokens } from "./auth";
import { type CoolifyState, coolifyUuid, type EnvVarRecord } from "./state";

interface EnvInput {
  key?: string;
  value?: string;
  is_preview?: boolean;
  is_literal?: boolean;
  is_multiline?: boolean;
  is_shown_once?: boolean;
  is_runtime?: boolean;
  is_buildtime?: boolean;
  comment?: string | null;
}

interface EnvOwner {
  id: number;
  envs: EnvVarRecord[];
}

// The real controllers accept these although the spec does not list them (see coolify/SOURCE.md).
const ENV_DEVIATIONS: Deviations = { extraBodyFields: ["is_runtime", "is_buildtime", "comment"] };

/**
 * Coolify v4.3.10 app/Models/EnvironmentVariable.php hides `value` and `real_value`; ApplicationsController.php
 * (and DatabasesController.php) removeSensitiveData shows them again to `root` / `read:sensitive` tokens, except
 * for a variable marked is_shown_once, whose value is never shown again. Hidden keys are absent, not null.
 */
export function envJson(env: EnvVarRecord, owner: EnvOwner, type: string, sensitive: boolean): Record<string, unknown> {
  const { value, ...rest } = env;
  const shown = sensitive && !env.is_shown_once;
  return {
    ...rest,
    ...(shown ? { value, real_value: value } : {}),
    is_shared: false,
    version: "4.3.10",
    resourceable_type: type,
    resourceable_id: owner.id,
  };
}

function apply(env: EnvVarRecord, input: EnvInput, clock: EmulatorClock): void {
  if (input.value !== undefined) env.value = input.value;
  for (const k of ["is_preview", "is_literal", "is_multiline", "is_shown_once", "is_runtime", "is_buildtime"] as const) {
    if (typeof input[k] === "boolean") env[k] = input[k];
  }
  if (input.comment !== undefined) env.comment = input.comment;
  env.updated_at = clock.isoNow();
}

function create(owner: EnvOwner, input: EnvInput & { key: string }, clock: EmulatorClock, state: CoolifyState): EnvVarRecord {
  const now = clock.isoNow();
  const env: EnvVarRecord = {
    id: state.id(),
    uuid: coolifyUuid(),
    key: input.key,
    value: "",
    is_preview: false,
    is_literal: false,
    is_multiline: false,
    is_shown_once: false,
    is_runtime: true,
    is_buildtime: true,
    comment: null,
    created_at: now,
    updated_at: now,
  };
  apply(env, input, clock);
  owner.envs.push(env);
  return env;
}

const same = (e: EnvVarRecord, input: EnvInput): boolean => e.key === input.key && e.is_preview === (input.is_preview ?? false);

/** Env-var routes of one resource kind ("applications" or "databases"); both behave the same in Coolify. */
export function envRoutes(
  state: CoolifyState,
  tokens: CoolifyTokens,
  kind: "applications" | "databases",
  find: (uuid: string) => EnvOwner | undefined,
  type: string,
): Route[] {
  const json = (ctx: RouteContext, e: EnvVarRecord, o: EnvOwner) => envJson(e, o, type, tokens.canReadSensitive(ctx.headers));
  const owner = (ctx: RouteContext): EnvOwner | undefined => find(ctx.params.uuid ?? "");
  const missing = (ctx: RouteContext) => ctx.flavor.notFound(kind === "applications" ? "Application not found." : "Database not found.");
  const base = `/${kind}/{uuid}/envs`;
  const requireKey = (ctx: RouteContext, input: EnvInput) =>
    input.key ? undefined : ctx.flavor.validationError([{ in: "body", field: "key", keyword: "required", message: "required" }]);
  return [
    {
      method: "GET",
      path: base,
      handler: (ctx) => {
        const o = owner(ctx);
        return o ? { status: 200, body: o.envs.map((e) => json(ctx, e, o)) } : missing(ctx);
      },
    },
    {
      method: "POST",
      path: base,
      deviations: ENV_DEVIATIONS,
      handler: (ctx) => {
        const o = owner(ctx);
        if (!o) return missing(ctx);
        const input = ctx.body as EnvInput;
        const bad = requireKey(ctx, input);
        if (bad) return bad;
        if (o.envs.some((e) => same(e, input))) {
          return ctx.flavor.error(409, "Environment variable already exists. Use PATCH request to update it.");
        }
        return { status: 201, body: { uuid: create(o, input as EnvInput & { key: string }, ctx.clock, state).uuid } };
      },
    },
    {
      method: "PATCH",
      path: base,
      deviations: ENV_DEVIATIONS,
      handler: (ctx) => {
        const o = owner(ctx);
        if (!o) return missing(ctx);
        const input = ctx.body as EnvInput;
        const env = o.envs.find((e) => same(e, input));
        if (!env) return ctx.flavor.notFound("Environment variable not found.");
        apply(env, input, ctx.clock);
        return { status: 201, body: json(ctx, env, o) };
      },
    },
    {
      method: "PATCH",
      path: `${base}/bulk`,
      deviations: ENV_DEVIATIONS,
      handler: (ctx) => {
        const o = owner(ctx);
        if (!o) return missing(ctx);
        const data = ((ctx.body as { data?: EnvInput[] }).data ?? []) as EnvInput[];
        const missingKey = data.findIndex((d) => !d.key);
        if (missingKey >= 0) {
          return ctx.flavor.validationError([{ in: "body", field: `data.${missingKey}.key`, keyword: "required", message: "required" }]);
        }
        // Bulk is an upsert: existing keys are updated, new ones created.
        const out = data.map((input) => {
          const existing = o.envs.find((e) => same(e, input));
          if (existing) {
            apply(existing, input, ctx.clock);
            return existing;
          }
          return create(o, input as EnvInput & { key: string }, ctx.clock, state);
        });
        return { status: 201, body: out.map((e) => json(ctx, e, o)) };
      },
    },
    {
      method: "DELETE",
      path: `${base}/{env_uuid}`,
      handler: (ctx) => {
        const o = owner(ctx);
        if (!o) return missing(ctx);
        const env = o.envs.find((e) => e.uuid === ctx.params.env_uuid);
        if (!env) return ctx.flavor.notFound("Environment variable not found.");
        o.envs = o.envs.filter((e) => e !== env);
        return { status: 200, body: { message: "Environment variable deleted." } };
      },
    },
  ];
}
