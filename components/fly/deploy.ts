import { randomUUID } from "node:crypto";
import { waitSettingsFromEnv, type WaitSettings } from "../provider";
import { waitForMachineState, type FlyClient } from "./client";
import {
  buildCreateBody,
  buildMachineConfig,
  FINGERPRINT_KEY,
  type FlyMachineConfig,
  type MachineGroupInputs,
} from "./machine-spec";
import {
  createMachine,
  destroyMachine,
  getMachine,
  listGroup,
  setCordon,
  updateMachine,
  waitHealthy,
  withLease,
} from "./machines";
import { machineVersion, type MachineView } from "./responses";
import { describePlan, planDeploy, planRevert, type PlanStep, type Progress } from "./strategy";

/** Carries out a deploy plan (strategy.ts) against the API, and its revert when a step fails. */

export interface DeployContext {
  client: FlyClient;
  spec: MachineGroupInputs;
  settings?: WaitSettings;
  /** Progress lines; the provider passes them to stderr, tests collect them. */
  log?: (line: string) => void;
}

export interface DeployResult {
  machines: MachineView[];
  steps: PlanStep[];
}

export function fingerprintOf(machine: MachineView): string | undefined {
  return machine.config?.metadata?.[FINGERPRINT_KEY];
}

export async function deployGroup(ctx: DeployContext, current: MachineView[]): Promise<DeployResult> {
  const { client, spec } = ctx;
  const settings = ctx.settings ?? waitSettingsFromEnv();
  const log = ctx.log ?? (() => undefined);
  const config = buildMachineConfig(spec);
  const steps = planDeploy({
    current: current.map((m) => ({ id: m.id, fingerprint: fingerprintOf(m) })),
    desired: config.metadata?.[FINGERPRINT_KEY] ?? "",
    count: spec.count,
    strategy: spec.strategy,
    maxUnavailable: spec.maxUnavailable,
  });
  describePlan(steps).forEach((line) => log(`${spec.app}/${spec.group}: ${line}`));

  const previous = new Map<string, FlyMachineConfig>();
  const progress: Progress = { updated: [], created: [], cordoned: [] };

  const update = async (id: string): Promise<string | undefined> =>
    withLease(client, spec.app, id, async (nonce) => {
      const before = await getMachine(client, spec.app, id);
      if (before.config) previous.set(id, before.config as FlyMachineConfig);
      const after = await updateMachine(client, spec.app, id, config, nonce, spec.minSecretsVersion);
      progress.updated.push(id);
      return machineVersion(after);
    }, settings);

  const create = async (unrouted: boolean): Promise<MachineView> => {
    const body = buildCreateBody(spec, `${spec.group}-${randomUUID()}`);
    const machine = await createMachine(client, spec.app, unrouted ? { ...body, skip_service_registration: true } : body);
    progress.created.push(machine.id);
    return machine;
  };

  for (const [index, step] of steps.entries()) {
    try {
      if (step.op === "update") {
        const versions = await settleAll(step.machineIds.map(update));
        if (step.wait) {
          await settleAll(step.machineIds.map((id, i) => waitHealthy(client, spec.app, id, versions[i], settings)));
        }
      } else if (step.op === "create") {
        const made: MachineView[] = [];
        for (let i = 0; i < step.count; i++) made.push(await create(step.unrouted === true));
        if (step.wait) {
          await settleAll(made.map((m) => waitHealthy(client, spec.app, m.id, machineVersion(m), settings)));
        }
      } else if (step.op === "route") {
        for (const id of progress.created) await setCordon(client, spec.app, id, false);
      } else if (step.op === "cordon") {
        for (const id of step.machineIds) {
          await setCordon(client, spec.app, id, true);
          progress.cordoned.push(id);
        }
      } else {
        // Destroys come last, after every health gate passed: the new version stays even if one fails.
        for (const id of step.machineIds) await destroyMachine(client, spec.app, id);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (step.op === "destroy") {
        throw new Error(`Fly deploy of ${spec.app}/${spec.group}: the new machines are healthy, but removing old ones failed: ${reason}`);
      }
      log(`${spec.app}/${spec.group}: step ${index + 1} failed (${reason}); reverting`);
      const revertErrors = await revert(ctx, progress, previous, settings);
      const reverted = [...progress.updated, ...progress.created];
      throw new Error(
        `Fly deploy of ${spec.app}/${spec.group} failed at step ${index + 1}/${steps.length} (${step.op}): ${reason}; ` +
          (reverted.length > 0 ? `reverted ${reverted.join(", ")}` : "nothing to revert") +
          (revertErrors.length > 0 ? `; revert problems: ${revertErrors.join("; ")}` : ""),
      );
    }
  }
  return { machines: await listGroup(client, spec.app, spec.group), steps };
}

/**
 * Like Promise.all, but waits for every operation of a batch to finish before failing: a revert must not start
 * while an update of the same batch is still in flight (it would miss that machine).
 */
async function settleAll<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Runs the revert plan; collects errors instead of stopping, so one stuck machine does not strand the rest. */
async function revert(
  ctx: DeployContext,
  progress: Progress,
  previous: Map<string, FlyMachineConfig>,
  settings: WaitSettings,
): Promise<string[]> {
  const { client, spec } = ctx;
  const errors: string[] = [];
  const attempt = async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  for (const step of planRevert(progress)) {
    for (const id of step.machineIds) {
      if (step.op === "uncordon") {
        await attempt(`uncordon ${id}`, () => setCordon(client, spec.app, id, false));
      } else if (step.op === "restore") {
        const config = previous.get(id);
        if (!config) {
          errors.push(`restore ${id}: its previous config is unknown`);
          continue;
        }
        await attempt(`restore ${id}`, async () => {
          const after = await withLease(client, spec.app, id, (nonce) => updateMachine(client, spec.app, id, config, nonce), settings);
          await waitForMachineState(client, spec.app, id, "started", machineVersion(after), settings);
        });
      } else {
        await attempt(`destroy ${id}`, () => destroyMachine(client, spec.app, id));
      }
    }
  }
  return errors;
}
