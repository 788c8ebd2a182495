import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { createFlyClient, FlyApiError, isFlyStatus, sleep, toFlyError, unwrapParsed, type FlyClient } from "./client";
import { checkInputs } from "./check";
import { diffFields } from "./diff";
import { connectionSchema } from "./machine-spec";
import { ipListSchema } from "./responses";

/** Dynamic provider of one IP assignment of an app. Id: the address. */

export const ipTypeSchema = z.enum(["shared_v4", "v6", "private_v6"]);
export type IpType = z.infer<typeof ipTypeSchema>;
export const ipInputsSchema = z.object({ connection: connectionSchema, app: z.string().min(1), type: ipTypeSchema });
export type IpInputs = z.infer<typeof ipInputsSchema>;

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

/** Adopts an address of the wanted kind when there is one (an earlier ambiguous attempt, or a shared v4). */
export async function assignIp(client: FlyClient, inputs: IpInputs, attempts = 3): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const existing = (await listIps(client, inputs.app)).find((e) => ipKind(e) === inputs.type);
    if (existing) return existing.ip;
    const { data, error, response } = await client.POST("/v1/apps/{app_name}/ip_assignments", {
      params: { path: { app_name: inputs.app } },
      body: { type: inputs.type },
    });
    if (response.ok) {
      const ip = (data as { ip?: string } | undefined)?.ip;
      if (ip) return ip;
    } else {
      const failure = toFlyError(`assign a ${inputs.type} address to ${inputs.app}`, response.status, error);
      const ambiguous = isFlyStatus(failure, 408, 500, 502, 504);
      if (!ambiguous || attempt >= attempts) throw failure;
    }
    if (attempt >= attempts) throw new FlyApiError(`assign a ${inputs.type} address`, response.status, "no address in the answer", undefined);
    await sleep(100 * attempt);
  }
}

export const flyIpProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkInputs(ipInputsSchema, news);
  },
  async diff(_id, olds, news) {
    return diffFields(olds, news, { fields: ["app", "type"], replaceOn: ["app", "type"] });
  },
  async create(raw) {
    const inputs = ipInputsSchema.parse(raw);
    const address = await assignIp(createFlyClient(inputs.connection), inputs);
    return { id: address, outs: { ...inputs, address } };
  },
  async read(id, props) {
    const inputs = ipInputsSchema.parse(props);
    try {
      const found = (await listIps(createFlyClient(inputs.connection), inputs.app)).some((e) => e.ip === id);
      return found ? { id, props: { ...props, address: id } } : { id: "", props: {} };
    } catch (error) {
      if (isFlyStatus(error, 404)) return { id: "", props: {} };
      throw error;
    }
  },
  async update(_id, olds, news) {
    // Computed outputs (ids, status) carry over; only the token can have changed.
    return { outs: { ...olds, ...news } };
  },
  async delete(id, props) {
    const inputs = ipInputsSchema.parse(props);
    const { error, response } = await createFlyClient(inputs.connection).DELETE("/v1/apps/{app_name}/ip_assignments/{ip}", {
      params: { path: { app_name: inputs.app, ip: id } },
    });
    if (!response.ok && response.status !== 404) throw toFlyError(`release ${id} of ${inputs.app}`, response.status, error);
  },
};
