import { defineProvider, diffFields, type FieldDiffResult, type Fields } from "../provider";
import { createFlyClient, isFlyStatus, waitForMachineState } from "./client";
import { deployGroup } from "./deploy";
import { machineGroupInputsSchema, normalizeAutostop, type MachineGroupInputs } from "./machine-spec";
import { destroyMachine, listGroup } from "./machines";
import type { MachineView } from "./responses";

/** Dynamic provider of `FlyMachineGroup`: one resource per group, id `<app>/<group>`. */

export interface MachineGroupOutputs extends MachineGroupInputs {
  machineIds: string[];
}

/**
 * Fly machines cannot move between regions, and the group label is how machines are found: both replace.
 * The old group goes first so the new one does not adopt its machines (they share the label).
 */
const FIELDS: Fields = {
  app: { kind: "replace" },
  group: { kind: "replace" },
  region: { kind: "replace" },
  image: { kind: "update" },
  count: { kind: "update" },
  guest: { kind: "update" },
  env: { kind: "update" },
  cmd: { kind: "update" },
  services: { kind: "update" },
  checks: { kind: "update" },
  mounts: { kind: "update" },
  metadata: { kind: "update" },
  minSecretsVersion: { kind: "update" },
  strategy: { kind: "update" },
  maxUnavailable: { kind: "update" },
};

const log = (line: string): void => {
  if (process.env.SLIPWAY_FLY_LOG) process.stderr.write(`${line}\n`);
};

function outputs(spec: MachineGroupInputs, machines: MachineView[]): MachineGroupOutputs {
  return { ...spec, machineIds: machines.map((m) => m.id).sort() };
}

async function deploy(spec: MachineGroupInputs): Promise<MachineGroupOutputs> {
  const client = createFlyClient(spec.connection);
  // Machines already labelled with this group (e.g. from an interrupted create) are adopted, not duplicated.
  const current = await listGroup(client, spec.app, spec.group);
  const { machines } = await deployGroup({ client, spec, log }, current);
  return outputs(spec, machines);
}

export function diffMachineGroup(olds: object, news: object): FieldDiffResult {
  return diffFields(olds, news, FIELDS, { deleteBeforeReplace: true });
}

/** What refresh reports: the live image, count and (normalised) autostop, so drift shows up as a diff. */
export function observedState(props: MachineGroupOutputs, machines: MachineView[]): MachineGroupOutputs {
  const first = [...machines].sort((a, b) => a.id.localeCompare(b.id))[0];
  const liveServices = (first?.config as { services?: { autostop?: unknown }[] } | undefined)?.services;
  const services = props.services.map((s, i) => {
    const live = normalizeAutostop(liveServices?.[i]?.autostop);
    return live && live !== s.autostop ? { ...s, autostop: live } : s;
  });
  return {
    ...props,
    image: first?.config?.image ?? props.image,
    count: machines.length,
    services,
    machineIds: machines.map((m) => m.id).sort(),
  };
}

export const flyMachineGroupProvider = defineProvider<MachineGroupInputs, MachineGroupOutputs>({
  resource: "FlyMachineGroup",
  schema: machineGroupInputsSchema,
  nameOf: (spec) => `${spec.app}/${spec.group}`,
  diff: diffMachineGroup,
  async create(spec) {
    return { id: `${spec.app}/${spec.group}`, outs: await deploy(spec) };
  },
  async read(_id, props) {
    try {
      return observedState(props, await listGroup(createFlyClient(props.connection), props.app, props.group));
    } catch (error) {
      // The app is gone, and with it every machine of the group.
      if (isFlyStatus(error, 404)) return undefined;
      throw error;
    }
  },
  update: async (_id, _olds, spec) => deploy(spec),
  async delete(_id, props) {
    const client = createFlyClient(props.connection);
    let machines: MachineView[];
    try {
      machines = await listGroup(client, props.app, props.group);
    } catch (error) {
      if (isFlyStatus(error, 404)) return;
      throw error;
    }
    for (const m of machines) await destroyMachine(client, props.app, m.id);
    // Wait until each is really destroyed: its volume is only released after that, and a replacement group
    // created right after must not find half-dead machines carrying the same label.
    for (const m of machines) {
      await waitForMachineState(client, props.app, m.id, "destroyed").catch((error: unknown) => {
        if (!isFlyStatus(error, 404)) throw error;
      });
    }
  },
});
