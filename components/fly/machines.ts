import { AMBIGUOUS_STATUSES, createOnce, pollUntil, sleep, waitSettingsFromEnv, type WaitSettings } from "../provider";
import type { components } from "./api.gen";
import { toFlyError, unwrap, unwrapParsed, waitForMachineState, type FlyClient } from "./client";
import { GROUP_KEY, LAUNCH_KEY, type FlyMachineConfig } from "./machine-spec";
import { LEASE_HEADER } from "./lease";
import { machineListSchema, machineSchema, machineVersion, type MachineView } from "./responses";

/** Machine IO shared by the machine group and the release command: versioned updates, health waits (leases: lease.ts). */

export { withLease } from "./lease";

const GONE = ["destroyed", "destroying"];

export async function listMachines(client: FlyClient, app: string): Promise<MachineView[]> {
  const all = await unwrapParsed(
    `list machines of ${app}`,
    machineListSchema,
    client.GET("/v1/apps/{app_name}/machines", { params: { path: { app_name: app } } }),
  );
  return all.filter((m) => !GONE.includes(m.state));
}

/** The live machines of a group, found by the `slipway_group` label rather than remembered ids (survives crashes). */
export async function listGroup(client: FlyClient, app: string, group: string): Promise<MachineView[]> {
  return (await listMachines(client, app)).filter((m) => m.config?.metadata?.[GROUP_KEY] === group);
}

export async function getMachine(client: FlyClient, app: string, id: string): Promise<MachineView> {
  return unwrapParsed(
    `get machine ${id}`,
    machineSchema,
    client.GET("/v1/apps/{app_name}/machines/{machine_id}", { params: { path: { app_name: app, machine_id: id } } }),
  );
}

/**
 * Creates a machine carrying `launchId` in its metadata. When the answer is ambiguous (408/5xx, dropped
 * connection), the machine is looked up by its launch id before trying again, so a retry never makes a twin.
 */
export async function createMachine(
  client: FlyClient,
  app: string,
  body: components["schemas"]["CreateMachineRequest"],
  attempts = 3,
): Promise<MachineView> {
  const launchId = body.config?.metadata?.[LAUNCH_KEY];
  if (!launchId) throw new Error("createMachine: the config must carry a launch id");
  return createOnce({
    what: `Fly machine ${launchId} in ${app}`,
    attempt: () =>
      unwrapParsed(`create machine in ${app}`, machineSchema, client.POST("/v1/apps/{app_name}/machines", { params: { path: { app_name: app } }, body })),
    // The launch id is this create's own: nothing carried it before, so no baseline is needed.
    findExisting: async () => (await listMachines(client, app)).filter((m) => m.config?.metadata?.[LAUNCH_KEY] === launchId),
    key: (m) => m.id,
    baseline: false,
    attempts,
  });
}

/**
 * Updates a machine under its lease, guarded by `current_version`. A 409 means someone changed the machine
 * since we read it: read it again and retry, a bounded number of times. So does an ambiguous answer
 * (408/500/502/504): re-applying the same config on a fresh version is harmless. 429/503 are not retried here:
 * the client already re-sent those (components/http.ts), and retrying them again would multiply its attempts
 * (5 × 6 POSTs) — one retry layer per kind of failure.
 */
export async function updateMachine(
  client: FlyClient,
  app: string,
  id: string,
  config: FlyMachineConfig,
  nonce: string,
  minSecretsVersion?: number,
  attempts = 5,
): Promise<MachineView> {
  for (let attempt = 1; ; attempt++) {
    const current = await getMachine(client, app, id);
    let answer;
    try {
      answer = await client.POST("/v1/apps/{app_name}/machines/{machine_id}", {
        params: { path: { app_name: app, machine_id: id } },
        headers: { [LEASE_HEADER]: nonce },
        body: {
          config,
          current_version: machineVersion(current),
          ...(minSecretsVersion !== undefined ? { min_secrets_version: minSecretsVersion } : {}),
        },
      });
    } catch (error) {
      // A timeout or dropped connection is as unsure as a 5xx: the same config again, on a fresh version.
      if (attempt >= attempts) throw error;
      await sleep(50 * attempt);
      continue;
    }
    const { data, error, response } = answer;
    if (response.ok) return machineSchema.parse(data);
    const retriable = response.status === 409 || AMBIGUOUS_STATUSES.includes(response.status);
    if (!retriable || attempt >= attempts) {
      throw toFlyError(`update machine ${id}`, response.status, error);
    }
    await sleep(50 * attempt);
  }
}

/** Consecutive polls a check must read critical before the machine counts as unhealthy (rides out flapping). */
const CRITICAL_POLLS = 3;

/**
 * Waits until the machine is `started` (at `version`, when given) and every check it reports passes.
 * Throws when a check stays critical or the machine fails or stops, so the deploy can revert.
 */
export async function waitHealthy(
  client: FlyClient,
  app: string,
  id: string,
  version: string | undefined,
  settings: WaitSettings = waitSettingsFromEnv(),
): Promise<void> {
  await waitForMachineState(client, app, id, "started", version, settings);
  let critical = 0;
  await pollUntil(
    `Fly machine ${id} of ${app} to pass its checks`,
    async () => {
      const m = await getMachine(client, app, id);
      if (m.state === "failed" || m.state === "stopped" || GONE.includes(m.state)) {
        throw new Error(`Fly: machine ${id} of ${app} is ${m.state} instead of started`);
      }
      const checks = m.checks ?? [];
      if (checks.every((c) => c.status === "passing")) return { done: true, value: undefined };
      const failing = checks.filter((c) => c.status === "critical");
      critical = failing.length > 0 ? critical + 1 : 0;
      if (critical >= CRITICAL_POLLS) {
        const detail = failing.map((c) => `${c.name}${c.output ? ` (${c.output})` : ""}`).join(", ");
        throw new Error(`Fly: machine ${id} of ${app} failed its checks: ${detail}`);
      }
      return { done: false, state: checks.map((c) => `${c.name}=${c.status}`).join(", ") || "no status yet" };
    },
    settings,
  );
}

export async function destroyMachine(client: FlyClient, app: string, id: string): Promise<void> {
  const { error, response } = await client.DELETE("/v1/apps/{app_name}/machines/{machine_id}", {
    params: { path: { app_name: app, machine_id: id }, query: { force: true } },
  });
  if (!response.ok && response.status !== 404) throw toFlyError(`destroy machine ${id}`, response.status, error);
}

export async function setCordon(client: FlyClient, app: string, id: string, cordoned: boolean): Promise<void> {
  const params = { params: { path: { app_name: app, machine_id: id } } };
  await unwrap(
    `${cordoned ? "cordon" : "uncordon"} machine ${id}`,
    cordoned
      ? client.POST("/v1/apps/{app_name}/machines/{machine_id}/cordon", params)
      : client.POST("/v1/apps/{app_name}/machines/{machine_id}/uncordon", params),
  );
}
