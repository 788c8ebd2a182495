import type { DeployStrategy } from "./machine-spec";

/**
 * Deploy planning, as pure functions: from the machines a group has now and what it should become, the
 * ordered steps of a deploy under a strategy, and — when a step fails — the steps that put back what the
 * deploy already changed. The executor (deploy.ts) only carries steps out.
 */

export interface CurrentMachine {
  id: string;
  /** The `slipway_config` fingerprint in the machine's metadata; undefined for machines slipway did not configure. */
  fingerprint: string | undefined;
}

export interface PlanInput {
  current: CurrentMachine[];
  /** Fingerprint of the desired config (see machine-spec.ts). */
  desired: string;
  count: number;
  strategy: DeployStrategy;
  /** Rolling only: how many machines may be down at once. */
  maxUnavailable: number;
}

export type PlanStep =
  /** Update these machines in place to the new config; when `wait`, wait until started and checks pass. */
  | { op: "update"; machineIds: string[]; wait: boolean }
  /**
   * Create `count` new machines with the new config. `unrouted`: kept out of the proxy (skip_service_registration)
   * until a later `route` step, so no traffic reaches them before they are proven healthy (blue/green).
   */
  | { op: "create"; count: number; wait: boolean; unrouted?: boolean }
  /** Put the machines this deploy created into the proxy's rotation. */
  | { op: "route" }
  /** Take these machines out of the proxy's rotation (blue/green: the old set). */
  | { op: "cordon"; machineIds: string[] }
  /** Destroy these machines. Always last: a destroyed machine cannot be reverted. */
  | { op: "destroy"; machineIds: string[] };

export function planDeploy(input: PlanInput): PlanStep[] {
  if (!Number.isInteger(input.maxUnavailable) || input.maxUnavailable < 1) {
    throw new Error(`maxUnavailable must be an integer ≥ 1, got ${input.maxUnavailable}`);
  }
  const ordered = [...input.current].sort((a, b) => a.id.localeCompare(b.id));
  const staleAll = ordered.filter((m) => m.fingerprint !== input.desired);
  const freshAll = ordered.filter((m) => m.fingerprint === input.desired);

  // Scale down by dropping stale machines first: they would otherwise be updated only to be destroyed.
  const surplus = Math.max(0, ordered.length - input.count);
  const dropped = [...staleAll, ...freshAll].slice(0, surplus).map((m) => m.id);
  const stale = staleAll.map((m) => m.id).filter((id) => !dropped.includes(id));
  const missing = Math.max(0, input.count - ordered.length);

  const steps: PlanStep[] = [];
  switch (input.strategy) {
    case "rolling": {
      for (let i = 0; i < stale.length; i += input.maxUnavailable) {
        steps.push({ op: "update", machineIds: stale.slice(i, i + input.maxUnavailable), wait: true });
      }
      if (missing > 0) steps.push({ op: "create", count: missing, wait: true });
      break;
    }
    case "canary": {
      if (stale.length > 0) {
        steps.push({ op: "update", machineIds: stale.slice(0, 1), wait: true });
        if (stale.length > 1) steps.push({ op: "update", machineIds: stale.slice(1), wait: true });
        if (missing > 0) steps.push({ op: "create", count: missing, wait: true });
      } else if (missing > 0) {
        // No machine to try the new config on: the first new machine is the canary.
        steps.push({ op: "create", count: 1, wait: true });
        if (missing > 1) steps.push({ op: "create", count: missing - 1, wait: true });
      }
      break;
    }
    case "bluegreen": {
      if (stale.length > 0) {
        // The green set replaces every machine of the group, so the old (blue) set goes as a whole.
        const blue = ordered.map((m) => m.id);
        steps.push({ op: "create", count: input.count, wait: true, unrouted: true });
        steps.push({ op: "route" });
        steps.push({ op: "cordon", machineIds: blue });
        steps.push({ op: "destroy", machineIds: blue });
        return steps;
      }
      if (missing > 0) steps.push({ op: "create", count: missing, wait: true });
      break;
    }
    case "immediate": {
      if (stale.length > 0) steps.push({ op: "update", machineIds: stale, wait: false });
      if (missing > 0) steps.push({ op: "create", count: missing, wait: false });
      break;
    }
  }
  if (dropped.length > 0) steps.push({ op: "destroy", machineIds: dropped });
  return steps;
}

/** What a deploy changed before it failed: the inputs of its revert. */
export interface Progress {
  /** Machines updated to the new config (including the one whose checks failed), in update order. */
  updated: string[];
  /** Machines created by the deploy. */
  created: string[];
  /** Machines taken out of rotation. */
  cordoned: string[];
}

export type RevertStep =
  /** Put back into rotation first, so traffic has somewhere healthy to go. */
  | { op: "uncordon"; machineIds: string[] }
  /** Update back to the config each machine had before the deploy, newest change first, and wait for it. */
  | { op: "restore"; machineIds: string[] }
  /** Remove what the deploy added. */
  | { op: "destroy"; machineIds: string[] };

export function planRevert(progress: Progress): RevertStep[] {
  const steps: RevertStep[] = [];
  if (progress.cordoned.length > 0) steps.push({ op: "uncordon", machineIds: [...progress.cordoned] });
  if (progress.updated.length > 0) steps.push({ op: "restore", machineIds: [...progress.updated].reverse() });
  if (progress.created.length > 0) steps.push({ op: "destroy", machineIds: [...progress.created] });
  return steps;
}

/**
 * What a plan has changed when its step `failed` (0-based) fails: every update and cordon up to and including that
 * step (a failing update batch was applied before its checks failed), plus the machines its creates made (their
 * ids only exist at run time). The executor tracks the same thing call by call; this is the plan-level view.
 */
export function progressAt(steps: PlanStep[], failed: number, createdIds: string[] = []): Progress {
  const done = steps.slice(0, failed + 1);
  return {
    updated: done.flatMap((s) => (s.op === "update" ? s.machineIds : [])),
    created: [...createdIds],
    cordoned: done.flatMap((s) => (s.op === "cordon" ? s.machineIds : [])),
  };
}

/** One line per step, for the deploy log. */
export function describePlan(steps: PlanStep[]): string[] {
  return steps.map((s, i) => {
    const n = `${i + 1}/${steps.length}`;
    switch (s.op) {
      case "update":
        return `${n} update ${s.machineIds.join(", ")}${s.wait ? " and wait for checks" : ""}`;
      case "create":
        return `${n} create ${s.count} machine(s)${s.unrouted ? " outside the proxy" : ""}${s.wait ? " and wait for checks" : ""}`;
      case "route":
        return `${n} route traffic to the new machines`;
      case "cordon":
        return `${n} cordon ${s.machineIds.join(", ")}`;
      case "destroy":
        return `${n} destroy ${s.machineIds.join(", ")}`;
    }
  });
}
