/**
 * Persistent volumes of an application (Coolify "persistent storages"): planning (pure) and applying.
 * On the server each volume is named `<application uuid>-<name>`: Coolify v4.3.10
 * app/Http/Controllers/Api/ApplicationsController.php create_storage prefixes the name it is sent with the
 * application's uuid, so slipway sends the bare name and looks volumes up by the prefixed one. Docker volume
 * names are global to a server, and staging, PR stacks and production may share one; the prefix keeps them apart.
 * Like env vars, only volumes slipway manages are ever removed; removing one from Coolify detaches it
 * (delete_storage deletes the record only: the Docker volume and its data stay on the server).
 */
import { z } from "zod";
import { createOnce } from "../provider";
import { ok, type CoolifyClient } from "./client";
import { parseReply } from "./schemas";
import type { VolumeInputs } from "./types";

export const storageReply = z.looseObject({
  uuid: z.string().min(1),
  name: z.string(),
  mount_path: z.string(),
});
export type StorageReply = z.infer<typeof storageReply>;

const storagesReply = z.looseObject({ persistent_storages: z.array(storageReply).default([]) });

export interface StoragePlan {
  create: { name: string; mountPath: string }[];
  update: { uuid: string; name: string; mountPath: string }[];
  remove: { uuid: string; name: string }[];
}

/** The name Coolify gives the volume slipway declares as `name`. */
export function volumeName(applicationUuid: string, name: string): string {
  return `${applicationUuid}-${name}`;
}

/**
 * The declared name of a storage slipway made, or undefined for a foreign one. Earlier slipway versions sent the
 * prefixed name, which Coolify prefixed again (`<uuid>-<uuid>-<name>`); those are recognised too, so their data
 * stays attached instead of a second, empty volume being created next to them.
 */
function declaredName(applicationUuid: string, storageName: string): string | undefined {
  const prefix = `${applicationUuid}-`;
  if (!storageName.startsWith(prefix)) return undefined;
  const rest = storageName.slice(prefix.length);
  return rest.startsWith(prefix) ? rest.slice(prefix.length) : rest;
}

/** The storage slipway made for the volume it declares as `name` (legacy double prefix included). */
export function storageNamed(applicationUuid: string, current: readonly StorageReply[], name: string): StorageReply | undefined {
  return current.find((s) => declaredName(applicationUuid, s.name) === name);
}

/** The volumes of an application as slipway declares them (prefix stripped); foreign volumes are left out. */
export function volumesFromApi(applicationUuid: string, current: readonly StorageReply[]): VolumeInputs[] {
  return current
    .flatMap((s) => {
      const name = declaredName(applicationUuid, s.name);
      return name === undefined ? [] : [{ name, mountPath: s.mount_path }];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * @param current the application's persistent storages now
 * @param desired the volumes the inputs declare
 * @param managed names (unprefixed) slipway declared before; only these are removed when dropped
 */
export function planStorages(
  applicationUuid: string,
  current: readonly StorageReply[],
  desired: readonly VolumeInputs[],
  managed: readonly string[],
): StoragePlan {
  const byName = new Map<string, StorageReply>();
  for (const s of current) {
    const name = declaredName(applicationUuid, s.name);
    if (name !== undefined && !byName.has(name)) byName.set(name, s);
  }
  const plan: StoragePlan = { create: [], update: [], remove: [] };
  for (const v of desired) {
    const existing = byName.get(v.name);
    if (!existing) plan.create.push({ name: v.name, mountPath: v.mountPath });
    else if (existing.mount_path !== v.mountPath) plan.update.push({ uuid: existing.uuid, name: v.name, mountPath: v.mountPath });
  }
  const wanted = new Set(desired.map((v) => v.name));
  for (const name of managed) {
    const existing = byName.get(name);
    if (existing && !wanted.has(name)) plan.remove.push({ uuid: existing.uuid, name });
  }
  return plan;
}

export async function listStorages(client: CoolifyClient, uuid: string): Promise<StorageReply[]> {
  const op = "GET /applications/{uuid}/storages";
  const body = ok(op, await client.GET("/applications/{uuid}/storages", { params: { path: { uuid } } }));
  return parseReply(op, storagesReply, body).persistent_storages;
}

/** Applies a plan; returns whether anything changed (the container must be redeployed to see it). */
export async function applyStoragePlan(client: CoolifyClient, uuid: string, plan: StoragePlan): Promise<boolean> {
  // Removals first, then moves, then creations: a volume renamed at the same mount path must free the
  // path before its successor claims it (Coolify refuses two volumes on one mount path).
  for (const v of plan.remove) {
    const reply = await client.DELETE("/applications/{uuid}/storages/{storage_uuid}", {
      params: { path: { uuid, storage_uuid: v.uuid } },
    });
    if (reply.response.status !== 404) ok("DELETE /applications/{uuid}/storages/{storage_uuid}", reply);
  }
  for (const v of plan.update) {
    ok(
      "PATCH /applications/{uuid}/storages",
      await client.PATCH("/applications/{uuid}/storages", {
        params: { path: { uuid } },
        body: { uuid: v.uuid, type: "persistent", mount_path: v.mountPath },
      }),
    );
  }
  for (const v of plan.create) {
    const name = volumeName(uuid, v.name);
    const named = async (): Promise<string[]> => (await listStorages(client, uuid)).filter((s) => s.name === name).map((s) => s.uuid);
    await createOnce({ what: `Coolify volume ${name}`, findExisting: named, key: (found) => found, attempt: async () => {
      const op = "POST /applications/{uuid}/storages";
      const reply = await client.POST("/applications/{uuid}/storages", {
        params: { path: { uuid } },
        // The bare name: Coolify adds the "<uuid>-" prefix itself.
        body: { type: "persistent", name: v.name, mount_path: v.mountPath },
      });
      const body = ok(op, reply) as { uuid?: unknown } | undefined;
      if (typeof body?.uuid === "string") return body.uuid;
      // The reply's shape is not documented (`object`); find the volume by its name instead.
      const found = await named();
      if (found[0] === undefined) throw new Error(`Coolify ${op}: volume ${name} was not created`);
      return found[0];
    } });
  }
  return plan.create.length + plan.update.length + plan.remove.length > 0;
}
