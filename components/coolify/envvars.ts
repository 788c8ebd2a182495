/**
 * Environment variables of an application: planning (pure) and applying the plan. The plan is made
 * against what Coolify holds now, not only against the previous inputs, so a value changed by hand in
 * the UI is put back; but only keys slipway manages are ever deleted, never variables someone else added.
 *
 * Coolify v4.3.10 hides every value from a token without `read:sensitive` (app/Models/EnvironmentVariable.php
 * $hidden = value, real_value; ApplicationsController.php removeSensitiveData shows them only to `root` and
 * `read:sensitive`), and from every token once a variable is is_shown_once. A hidden value is compared with the
 * one slipway last wrote (the previous inputs, kept in state as secrets), never read back: so a normal token
 * causes no drift and no redeploy, and a hand edit of a value is put back only when the token can read it.
 */
import { ok, type CoolifyClient } from "./client";
import { envVarReply, parseReply, type EnvVarReply } from "./schemas";
import { z } from "zod";

export interface EnvPlan {
  /** Keys to create or overwrite, with their values (sent in one bulk PATCH). */
  upsert: { key: string; value: string }[];
  /** uuids of variables to delete, with their keys for messages. */
  remove: { uuid: string; key: string }[];
}

/**
 * @param current what GET /applications/{uuid}/envs returned
 * @param desired every variable the inputs set (plain and secret together)
 * @param managed keys slipway set before (the previous inputs); only these are deleted when dropped
 * @param lastWritten the values slipway last wrote (the previous inputs), for values Coolify does not show
 */
export function planEnvChanges(
  current: readonly EnvVarReply[],
  desired: Readonly<Record<string, string>>,
  managed: readonly string[],
  lastWritten: Readonly<Record<string, string>> = {},
): EnvPlan {
  // Coolify keeps a preview copy of each variable for PR deployments; slipway manages the regular ones.
  const live = current.filter((v) => !v.is_preview);
  const byKey = new Map<string, EnvVarReply[]>();
  for (const v of live) byKey.set(v.key, [...(byKey.get(v.key) ?? []), v]);

  const upsert = Object.keys(desired)
    .sort()
    .filter((key) => {
      const existing = byKey.get(key)?.[0];
      if (existing === undefined) return true;
      const shown = existing.value !== undefined && existing.value !== null;
      return shown ? existing.value !== desired[key] : lastWritten[key] !== desired[key];
    })
    .map((key) => ({ key, value: desired[key] as string }));

  const remove: EnvPlan["remove"] = [];
  for (const [key, vars] of byKey) {
    if (key in desired) {
      // The API matches by key; a duplicate would shadow the value slipway sets, so drop the extras.
      for (const extra of vars.slice(1)) remove.push({ uuid: extra.uuid, key });
    } else if (managed.includes(key)) {
      for (const v of vars) remove.push({ uuid: v.uuid, key });
    }
  }
  return { upsert, remove };
}

export function isEmptyPlan(plan: EnvPlan): boolean {
  return plan.upsert.length === 0 && plan.remove.length === 0;
}

/** PATCH /applications/{uuid}/envs/bulk body: spec fields only. */
export function bulkEnvBody(upsert: EnvPlan["upsert"]): {
  data: { key: string; value: string; is_preview: boolean; is_literal: boolean }[];
} {
  // is_literal: values are used as given; Coolify would otherwise expand `$NAME` inside secrets and passwords.
  return { data: upsert.map(({ key, value }) => ({ key, value, is_preview: false, is_literal: true })) };
}

export async function listEnvVars(client: CoolifyClient, uuid: string): Promise<EnvVarReply[]> {
  const op = "GET /applications/{uuid}/envs";
  const body = ok(op, await client.GET("/applications/{uuid}/envs", { params: { path: { uuid } } }));
  return parseReply(op, z.array(envVarReply), body);
}

/** Applies a plan; returns whether anything changed (which means the app needs a deploy). */
export async function applyEnvPlan(client: CoolifyClient, uuid: string, plan: EnvPlan): Promise<boolean> {
  if (plan.upsert.length > 0) {
    ok(
      "PATCH /applications/{uuid}/envs/bulk",
      await client.PATCH("/applications/{uuid}/envs/bulk", { params: { path: { uuid } }, body: bulkEnvBody(plan.upsert) }),
    );
  }
  for (const { uuid: envUuid } of plan.remove) {
    const reply = await client.DELETE("/applications/{uuid}/envs/{env_uuid}", {
      params: { path: { uuid, env_uuid: envUuid } },
    });
    // Already gone (a retried delete) is what we wanted.
    if (reply.response.status !== 404) ok("DELETE /applications/{uuid}/envs/{env_uuid}", reply);
  }
  return !isEmptyPlan(plan);
}
