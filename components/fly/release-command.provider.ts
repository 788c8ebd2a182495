import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { components } from "./api.gen";
import { createFlyClient, pollUntil, waitSettingsFromEnv, type FlyClient } from "./client";
import { checkInputs } from "./check";
import { diffFields } from "./diff";
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
      async () => {
        const m = await getMachine(client, inputs.app, machine.id);
        return ["stopped", "failed", "destroyed"].includes(m.state) ? m : undefined;
      },
      () => `Fly: ${label} did not finish`,
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

async function run(raw: unknown): Promise<Record<string, unknown>> {
  const inputs = releaseInputsSchema.parse(raw);
  const result = await runReleaseCommand(createFlyClient(inputs.connection), inputs);
  return { ...inputs, ...result, ranAt: new Date().toISOString() };
}

export const flyReleaseCommandProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkInputs(releaseInputsSchema, news);
  },
  async diff(_id, olds, news) {
    // Any change to what runs re-runs it (an update); a different app is a different release history.
    return diffFields(olds, news, {
      fields: ["app", "image", "command", "region", "env", "minSecretsVersion", "guest"],
      replaceOn: ["app"],
    });
  },
  async create(raw) {
    const outs = await run(raw);
    return { id: `${String(outs.app)}/release/${String(outs.machineId)}`, outs };
  },
  async update(_id, _olds, news) {
    return { outs: await run(news) };
  },
  // Nothing lives on after a run: read keeps the last run's record, delete has nothing to remove.
  async read(id, props) {
    return { id, props };
  },
  async delete() {
    return;
  },
};
