import type * as pulumi from "@pulumi/pulumi";
import { createFlyClient, isFlyStatus, waitForMachineState } from "./client";
import { deployGroup } from "./deploy";
import { checkInputs } from "./check";
import { diffFields, type FieldDiffResult } from "./diff";
import { machineGroupInputsSchema, normalizeAutostop, type MachineGroupInputs } from "./machine-spec";
import { destroyMachine, listGroup } from "./machines";
import type { MachineView } from "./responses";

/** Dynamic provider of `FlyMachineGroup`: one resource per group, id `<app>/<group>`. */

export interface MachineGroupOutputs extends MachineGroupInputs {
  machineIds: string[];
}

const FIELDS = [
  "app", "group", "region", "image", "count", "guest", "env", "cmd", "services", "checks", "mounts", "metadata",
  "minSecretsVersion", "strategy", "maxUnavailable",
] as const;

/**
 * Fly machines cannot move between regions, and the group label is how machines are found: both replace.
 * The old group goes first so the new one does not adopt its machines (they share the label).
 */
const REPLACE_ON = ["app", "group", "region"] as const;

const log = (line: string): void => {
  if (process.env.SLIPWAY_FLY_LOG) process.stderr.write(`${line}\n`);
};

function parse(inputs: unknown): MachineGroupInputs {
  return machineGroupInputsSchema.parse(inputs);
}

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
  return diffFields(olds, news, { fields: FIELDS, replaceOn: REPLACE_ON, deleteBeforeReplace: true });
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

export const flyMachineGroupProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkInputs(machineGroupInputsSchema, news);
  },

  async diff(_id, olds, news) {
    return diffMachineGroup(olds, news);
  },

  async create(inputs) {
    const spec = parse(inputs);
    const outs = await deploy(spec);
    return { id: `${spec.app}/${spec.group}`, outs };
  },

  async read(id, props) {
    const spec = parse(props);
    const client = createFlyClient(spec.connection);
    try {
      const machines = await listGroup(client, spec.app, spec.group);
      return { id, props: observedState(props as MachineGroupOutputs, machines) };
    } catch (error) {
      // The app is gone, and with it every machine of the group.
      if (isFlyStatus(error, 404)) return { id: "", props: {} };
      throw error;
    }
  },

  async update(_id, _olds, news) {
    return { outs: await deploy(parse(news)) };
  },

  async delete(_id, props) {
    const spec = parse(props);
    const client = createFlyClient(spec.connection);
    let machines: MachineView[];
    try {
      machines = await listGroup(client, spec.app, spec.group);
    } catch (error) {
      if (isFlyStatus(error, 404)) return;
      throw error;
    }
    for (const m of machines) await destroyMachine(client, spec.app, m.id);
    // Wait until each is really destroyed: its volume is only released after that, and a replacement group
    // created right after must not find half-dead machines carrying the same label.
    for (const m of machines) {
      await waitForMachineState(client, spec.app, m.id, "destroyed").catch((error: unknown) => {
        if (!isFlyStatus(error, 404)) throw error;
      });
    }
  },
};
