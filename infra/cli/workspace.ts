import path from "node:path";
import {
  LocalWorkspace,
  type ConfigMap,
  type EngineEvent,
  type Stack,
} from "@pulumi/pulumi/automation";
import type { PlannedChange } from "./markdown";
import { userPulumi } from "./pulumi";
import { withVersions, type HistoryEntry } from "./releases";

/**
 * The repository root: where Pulumi.yaml and the stack files live. SLIPWAY_PROJECT_DIR overrides it; otherwise
 * infra/cli/bin.js names it (the CLI runs from a bundle in node_modules/.cache, whose directory is not the
 * project's), and a direct import (tests) finds it from this file.
 */
export const PROJECT_DIR =
  process.env.SLIPWAY_PROJECT_DIR ?? launcherProjectDir() ?? path.resolve(__dirname, "../..");

function launcherProjectDir(): string | undefined {
  const named = (globalThis as Record<symbol, unknown>)[Symbol.for("slipway.cli.projectDir")];
  return typeof named === "string" ? named : undefined;
}

/** Where progress goes: stderr, so stdout stays clean for Markdown and tables. */
export type Log = (line: string) => void;

export interface OpenedStack {
  stack: Stack;
  name: string;
}

/**
 * Selects (or creates) a stack of the slipway project with the user's own pulumi (see ./pulumi.ts). Everything
 * else comes from the caller's environment, exactly as for the `pulumi` CLI itself: the backend
 * (`PULUMI_BACKEND_URL` or `pulumi login`), the passphrase, PULUMI_HOME and plugin acquisition.
 */
export async function openStack(name: string, options: { create?: boolean } = {}): Promise<OpenedStack> {
  const env = definedEnv();
  const args = { stackName: name, workDir: PROJECT_DIR };
  const opts = { envVars: env, pulumiCommand: await userPulumi(env) };
  const stack = options.create
    ? await LocalWorkspace.createOrSelectStack(args, opts)
    : await LocalWorkspace.selectStack(args, opts);
  return { stack, name };
}

function definedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The number of the stack's newest operation, counted as `withVersions` does: `UpResult.summary.version` is
 * 0 on self-managed backends.
 */
export async function latestVersion(stack: Stack): Promise<number | undefined> {
  const versions = withVersions((await stack.history()) as HistoryEntry[]).map((h) => h.version ?? 0);
  return versions.length > 0 ? Math.max(...versions) : undefined;
}

/** Collects the planned changes from the engine's event stream (for the PR comment table). */
export function changeCollector(): { onEvent: (e: EngineEvent) => void; changes: PlannedChange[] } {
  const changes: PlannedChange[] = [];
  return {
    changes,
    onEvent: (event) => {
      const meta = event.resourcePreEvent?.metadata;
      if (!meta) return;
      changes.push({ op: meta.op, urn: meta.urn, type: meta.type, fields: meta.diffs ?? [] });
    },
  };
}

/** Strips ANSI colour codes the engine may emit even with color "never" (from plugins). */
export function plain(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

/**
 * Replaces the stack's config with `target` (as recorded in an earlier update): keys that exist now but
 * not then are removed, secrets stay secrets. Returns the keys that changed, for the confirmation prompt.
 * `current` is today's config when the caller has already read it.
 */
export async function restoreConfig(stack: Stack, target: ConfigMap, current?: ConfigMap): Promise<string[]> {
  current ??= await stack.getAllConfig();
  const removed = Object.keys(current).filter((k) => !(k in target));
  const changed = Object.keys(target).filter((k) => current[k]?.value !== target[k]?.value || current[k]?.secret !== target[k]?.secret);
  if (removed.length > 0) await stack.removeAllConfig(removed);
  if (changed.length > 0) {
    const subset: ConfigMap = {};
    for (const k of changed) subset[k] = target[k] as ConfigMap[string];
    await stack.setAllConfig(subset);
  }
  return [...changed, ...removed].sort();
}
