import { randomUUID } from "node:crypto";
import { z } from "zod";
import { defineProvider, diffFields, pollUntil, waitSettingsFromEnv } from "../provider";
import type { components } from "./api.gen";
import { createFlyClient, type FlyClient } from "./client";
import { connectionSchema, guestSchema, LAUNCH_KEY } from "./machine-spec";
import { createMachine, destroyMachine, getMachine } from "./machines";
import type { MachineView } from "./responses";

/** Dynamic provider of the release command: a one-off machine that must exit 0 before the deploy goes on. */

export const releaseInputsSchema = z.object({
  connection: connectionSchema,
  app: z.string().min(1),
  image: z.string().min(1),
  command: z.array(z.string()).min(1),
  region: z.string().min(1),
  env: z.record(z.string(), z.string()),
  minSecretsVersion: z.number().int().optional(),
  guest: guestSchema,
  timeoutMs: z.number().int().positive(),
});
export type ReleaseInputs = z.infer<typeof releaseInputsSchema>;
export interface ReleaseOutputs extends ReleaseInputs {
  machineId: string;
  exitCode: number;
  ranAt: string;
}

export const RELEASE_KEY = "slipway_release";

export function buildReleaseMachineBody(inputs: ReleaseInputs, runId: string): components["schemas"]["CreateMachineRequest"] {
  return {
    region: inputs.region,
    config: {
      image: inputs.image,
      init: { cmd: inputs.command },
      env: inputs.env,
      guest: { cpu_kind: inputs.guest.cpuKind, cpus: inputs.guest.cpus, memory_mb: inputs.guest.memoryMb },
      // Runs once: never restarted, never behind the proxy; destroyed by us after the exit code was read.
      restart: { policy: "no" },
      auto_destroy: false,
      metadata: { [RELEASE_KEY]: runId, [LAUNCH_KEY]: runId, fly_process_group: "fly_app_release_command" },
    },
    ...(inputs.minSecretsVersion !== undefined ? { min_secrets_version: inputs.minSecretsVersion } : {}),
  };
}

const exitEvent = z.object({
  type: z.literal("exit"),
  request: z.object({ exit_event: z.object({ exit_code: z.number() }).loose() }).loose(),
}).loose();

/** The exit code flyd reported in the machine's latest `exit` event, if any. */
export function exitCodeOf(machine: MachineView): number | undefined {
  for (const event of machine.events ?? []) {
    const parsed = exitEvent.safeParse(event);
    if (parsed.success) return parsed.data.request.exit_event.exit_code;
  }
  return undefined;
}

export async function runReleaseCommand(client: FlyClient, inputs: ReleaseInputs): Promise<{ machineId: string; exitCode: number }> {
  const runId = `release-${randomUUID()}`;
  const machine = await createMachine(client, inputs.app, buildReleaseMachineBody(inputs, runId));
  const base = waitSettingsFromEnv();
  // The command's own limit, unless a (test) wait bound is tighter.
  const settings = { ...base, timeoutMs: process.env.SLIPWAY_WAIT_TIMEOUT_MS ? Math.min(inputs.timeoutMs, base.timeoutMs) : inputs.timeoutMs };
  const label = `release command \`${inputs.command.join(" ")}\` (machine ${machine.id})`;
  try {
    // Polled rather than /wait: a command that cannot boot ends in "failed", never in "stopped".
    const done = await pollUntil(
      `${label} to finish`,
      async () => {
        const m = await getMachine(client, inputs.app, machine.id);
        return ["stopped", "failed", "destroyed"].includes(m.state) ? { done: true, value: m } : { done: false, state: m.state };
      },
      settings,
    );
    if (done.state === "failed") {
      const why = (done.events ?? []).find((e) => e.type === "exit")?.status ?? "no reason given";
      throw new Error(`Fly: ${label} failed to start (${why}); the deploy stops here`);
    }
    const exitCode = exitCodeOf(done);
    if (exitCode === undefined) throw new Error(`Fly: ${label} stopped without reporting an exit code; the deploy stops here`);
    if (exitCode !== 0) {
      throw new Error(`Fly: ${label} exited with ${exitCode}; the deploy stops here (see \`fly logs -a ${inputs.app} -i ${machine.id}\`)`);
    }
    return { machineId: machine.id, exitCode };
  } finally {
    await destroyMachine(client, inputs.app, machine.id).catch(() => undefined);
  }
}

async function run(inputs: ReleaseInputs): Promise<ReleaseOutputs> {
  const result = await runReleaseCommand(createFlyClient(inputs.connection), inputs);
  return { ...inputs, ...result, ranAt: new Date().toISOString() };
}

export const flyReleaseCommandProvider = defineProvider<ReleaseInputs, ReleaseOutputs>({
  resource: "FlyReleaseCommand",
  schema: releaseInputsSchema,
  nameOf: (inputs) => `\`${inputs.command.join(" ")}\` in ${inputs.app}`,
  // Any change to what runs re-runs it (an update); a different app is a different release history.
  diff: (olds, news) =>
    diffFields(olds, news, {
      app: { kind: "replace" },
      image: { kind: "update" },
      command: { kind: "update" },
      region: { kind: "update" },
      env: { kind: "update" },
      minSecretsVersion: { kind: "update" },
      guest: { kind: "update" },
    }),
  async create(inputs) {
    const outs = await run(inputs);
    return { id: `${outs.app}/release/${outs.machineId}`, outs };
  },
  update: async (_id, _olds, inputs) => run(inputs),
  // Nothing lives on after a run: read keeps the last run's record, delete has nothing to remove.
  read: async (_id, props) => props,
  delete: async () => undefined,
});
