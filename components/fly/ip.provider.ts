import { z } from "zod";
import { createOnce, defineProvider, diffFields } from "../provider";
import { createFlyClient, isFlyStatus, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { connectionSchema } from "./machine-spec";
import { ipListSchema } from "./responses";

/** Dynamic provider of one IP assignment of an app. Id: the address. */

export const ipTypeSchema = z.enum(["shared_v4", "v6", "private_v6"]);
export type IpType = z.infer<typeof ipTypeSchema>;
export const ipInputsSchema = z.object({ connection: connectionSchema, app: z.string().min(1), type: ipTypeSchema });
export type IpInputs = z.infer<typeof ipInputsSchema>;
export interface IpOutputs extends IpInputs {
  address: string;
}

export interface ListedIp {
  ip: string;
  shared?: boolean;
  network?: unknown;
}

/** Which kind an address in the app's list is; the list answer carries no explicit type. */
export function ipKind(entry: ListedIp): IpType | "v4" | "other" {
  const v6 = entry.ip.includes(":");
  // Flycast addresses live in the org's 6PN network (fdaa::/16) and report it.
  if (v6 && (entry.network || entry.ip.toLowerCase().startsWith("fdaa:"))) return "private_v6";
  if (v6) return "v6";
  return entry.shared ? "shared_v4" : "v4";
}

async function listIps(client: FlyClient, app: string): Promise<ListedIp[]> {
  const list = await unwrapParsed(
    `list IPs of ${app}`,
    ipListSchema,
    client.GET("/v1/apps/{app_name}/ip_assignments", { params: { path: { app_name: app } } }),
  );
  return list.ips ?? [];
}

/** The app's addresses of the wanted kind (an earlier attempt's, or the shared v4 every app may have). */
async function findExistingIps(client: FlyClient, inputs: IpInputs): Promise<string[]> {
  return (await listIps(client, inputs.app)).filter((e) => ipKind(e) === inputs.type).map((e) => e.ip);
}

/** Adopts an address of the wanted kind when there is one; otherwise assigns one, at most once. */
export async function assignIp(client: FlyClient, inputs: IpInputs, attempts = 3): Promise<string> {
  const existing = await findExistingIps(client, inputs);
  if (existing[0] !== undefined) return existing[0];
  return createOnce({
    what: `FlyIpAssignment ${inputs.type} of ${inputs.app}`,
    attempt: async () => {
      const { data, error, response } = await client.POST("/v1/apps/{app_name}/ip_assignments", {
        params: { path: { app_name: inputs.app } },
        body: { type: inputs.type },
      });
      if (!response.ok) throw toFlyError(`assign a ${inputs.type} address to ${inputs.app}`, response.status, error);
      const ip = (data as { ip?: string } | undefined)?.ip;
      // A 2xx without the address: it may have been assigned; the look-up below finds it.
      if (!ip) throw new Error(`Fly API: assign a ${inputs.type} address to ${inputs.app} answered no address`);
      return ip;
    },
    findExisting: () => findExistingIps(client, inputs),
    key: (ip) => ip,
    // Nothing of this kind existed a moment ago (checked above).
    baseline: false,
    attempts,
  });
}

export const flyIpProvider = defineProvider<IpInputs, IpOutputs>({
  resource: "FlyIpAssignment",
  schema: ipInputsSchema,
  nameOf: (inputs) => `${inputs.type} of ${inputs.app}`,
  diff: (olds, news) => diffFields(olds, news, { app: { kind: "replace" }, type: { kind: "replace" } }),
  async create(inputs) {
    const address = await assignIp(createFlyClient(inputs.connection), inputs);
    return { id: address, outs: { ...inputs, address } };
  },
  async read(id, props) {
    try {
      const found = (await listIps(createFlyClient(props.connection), props.app)).some((e) => e.ip === id);
      return found ? { ...props, address: id } : undefined;
    } catch (error) {
      if (isFlyStatus(error, 404)) return undefined;
      throw error;
    }
  },
  async delete(id, props) {
    const { error, response } = await createFlyClient(props.connection).DELETE("/v1/apps/{app_name}/ip_assignments/{ip}", {
      params: { path: { app_name: props.app, ip: id } },
    });
    if (!response.ok && response.status !== 404) throw toFlyError(`release ${id} of ${props.app}`, response.status, error);
  },
});
