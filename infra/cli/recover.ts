import { z } from "zod";
import { providerNamedBy } from "../../components/provider/registry";
import type { DeployLockInfo } from "./lock";

/**
 * `slipway recover <stack>`: what a killed run left behind, resolved with what the platforms show.
 *
 * A run killed mid-update leaves up to three things: slipway's deploy lock (a stack tag, lock.ts), the engine's
 * own lock (on the DIY backends a file under `.pulumi/locks/`, removed by `pulumi cancel`: pulumi/pulumi
 * pkg/backend/diy/backend.go CancelCurrentUpdate), and **pending operations** in the checkpoint — steps the engine
 * began but never saw end. A pending *create* is the dangerous one: the platform may hold the resource while the
 * state does not, and `pulumi refresh --clear-pending-creates` would forget it (the next `up` makes a second one).
 *
 * Every slipway provider marks what it creates and can find its own mark again (`findOwn`). So each pending
 * create is looked up on the platform: found → recorded in the state under the id the platform shows (its
 * outputs filled in by the refresh that follows); not found → the create never happened, the operation is
 * cleared. Pending updates and deletes concern resources the state already has: the refresh reads them back.
 */

/** What a provider module may offer beside the dynamic-provider methods: its own resource, found by its mark. */
export interface FindsOwn {
  /** The resource these inputs would create, if one carrying their mark exists. */
  findOwn(inputs: Record<string, unknown>): Promise<{ id: string; description: string } | undefined>;
}

const operationSchema = z
  .object({
    type: z.string(),
    resource: z.object({ urn: z.string(), type: z.string(), inputs: z.record(z.string(), z.unknown()).optional() }).loose(),
  })
  .loose();
export type PendingOperation = z.infer<typeof operationSchema>;

const deploymentSchema = z
  .object({
    deployment: z
      .object({ resources: z.array(z.record(z.string(), z.unknown())).nullish(), pending_operations: z.array(operationSchema).nullish() })
      .loose(),
  })
  .loose();
/** `pulumi stack export` (only what recovery reads and writes is typed). */
export type Deployment = z.infer<typeof deploymentSchema>;

export function parseDeployment(raw: unknown): Deployment {
  return deploymentSchema.parse(raw);
}

export function pendingOperations(d: Deployment): PendingOperation[] {
  return d.deployment.pending_operations ?? [];
}

/** The resource name at the end of a URN, for messages. */
export function urnName(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

export interface RecoverDeps {
  releaseLocks(): Promise<DeployLockInfo[]>;
  /** Clears the engine's lock of a killed update (`pulumi cancel`); false when there was none to clear. */
  cancel(): Promise<boolean>;
  /** `pulumi stack export`, with secrets in plaintext when asked (kept in memory, never printed). */
  exportState(showSecrets: boolean): Promise<Deployment>;
  importState(deployment: Deployment): Promise<void>;
  refresh(): Promise<void>;
  /** The finder of the provider that would carry out this pending create, or undefined when it has none. */
  finderFor(operation: PendingOperation): Promise<FindsOwn | undefined>;
}

export interface RecoverReport {
  lines: string[];
  adopted: { urn: string; id: string }[];
  cleared: string[];
}

/** Resolves what a killed run left; every decision becomes one line of the report. */
export async function recoverStack(stackName: string, deps: RecoverDeps): Promise<RecoverReport> {
  const report: RecoverReport = { lines: [], adopted: [], cleared: [] };
  const say = (line: string) => report.lines.push(line);

  const locks = await deps.releaseLocks();
  for (const l of locks) say(`released the deploy lock of ${l.holder} ("slipway ${l.command}" since ${l.startedAt})`);
  if (await deps.cancel()) say("cleared the engine's lock of the interrupted update (pulumi cancel)");

  const plain = await deps.exportState(true);
  const pending = pendingOperations(plain);
  if (pending.length === 0) {
    say(`${stackName} has no pending operations`);
    return report;
  }

  const decisions = new Map<string, string | undefined>();
  for (const op of pending) {
    const name = urnName(op.resource.urn);
    if (op.type !== "creating") {
      say(`${name}: interrupted while ${op.type}; the refresh reads it back from the platform`);
      continue;
    }
    const finder = await deps.finderFor(op);
    if (!finder) {
      // Clearing would let the next up create it a second time; resolving it needs someone who can look.
      say(`${name}: interrupted while creating; its provider cannot look for its mark, left pending: check the platform, then \`pulumi refresh\``);
      continue;
    }
    const found = await finder.findOwn(op.resource.inputs ?? {});
    if (found) {
      decisions.set(op.resource.urn, found.id);
      report.adopted.push({ urn: op.resource.urn, id: found.id });
      say(`${name}: interrupted while creating; found ${found.description} (id ${found.id}), recorded in the state`);
    } else {
      decisions.set(op.resource.urn, undefined);
      report.cleared.push(op.resource.urn);
      say(`${name}: interrupted while creating; nothing on the platform carries its mark, cleared (the next up creates it)`);
    }
  }

  if (decisions.size > 0) {
    // The encrypted export is what goes back: secrets stay ciphertext, and the adopted resource's outputs start
    // as its inputs; the refresh below replaces them with what the platform reports.
    const state = await deps.exportState(false);
    const resources = state.deployment.resources ?? [];
    const kept: PendingOperation[] = [];
    for (const op of pendingOperations(state)) {
      if (op.type !== "creating" || !decisions.has(op.resource.urn)) {
        kept.push(op);
        continue;
      }
      const id = decisions.get(op.resource.urn);
      if (id !== undefined) resources.push({ ...op.resource, id, outputs: { ...(op.resource.inputs ?? {}) } });
    }
    state.deployment.resources = resources;
    state.deployment.pending_operations = kept;
    await deps.importState(state);
  }
  await deps.refresh();
  const left = pendingOperations(await deps.exportState(false)).length;
  say(
    left === 0
      ? `refreshed ${stackName}: nothing is pending; \`slipway deploy ${stackName}\` can run again`
      : `refreshed ${stackName}: ${left} operation${left === 1 ? "" : "s"} still pending (see above)`,
  );
  return report;
}

/**
 * The provider module and export a slipway dynamic resource was made with, from its serialized `__provider`:
 * its logical key resolved through the registry, or the module path a state written before keys holds
 * (components/provider/registry.ts `providerNamedBy`).
 */
export function providerOf(inputs: Record<string, unknown> | undefined): { modulePath: string; exportName: string } | undefined {
  const text = inputs?.__provider;
  if (typeof text !== "string") return undefined;
  const entry = providerNamedBy(text);
  return entry ? { modulePath: entry.module, exportName: entry.export } : undefined;
}

/** Text for `slipway deploy` when a killed run left pending operations. */
export function pendingMessage(stackName: string, ops: PendingOperation[]): string {
  const list = ops.map((o) => `${urnName(o.resource.urn)} (${o.type})`).join(", ");
  return (
    `stack ${stackName} has ${ops.length} pending operation${ops.length === 1 ? "" : "s"} from an interrupted run: ${list}; ` +
    `nothing was changed. Run \`npx slipway recover ${stackName}\`: it looks for what the interrupted run made and records or clears it.`
  );
}
