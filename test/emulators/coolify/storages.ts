import type { Reply, Route, RouteContext } from "../common/http";
import { type CoolifyState, coolifyUuid, type StorageRecord } from "./state";

interface StorageInput {
  uuid?: string;
  id?: number;
  type?: "persistent" | "file";
  name?: string;
  mount_path?: string;
  host_path?: string | null;
  content?: string | null;
  is_directory?: boolean;
  fs_path?: string;
  is_preview_suffix_enabled?: boolean;
}

/** How the real service lists a volume: persistent ones as LocalPersistentVolume, files as LocalFileVolume. */
function storageJson(s: StorageRecord, appId: number): Record<string, unknown> {
  const common = { id: s.id, uuid: s.uuid, mount_path: s.mount_path, resource_type: "App\\Models\\Application", resource_id: appId, created_at: s.created_at, updated_at: s.updated_at };
  return s.type === "persistent"
    ? { ...common, name: s.name, host_path: s.host_path, is_preview_suffix_enabled: s.is_preview_suffix_enabled }
    : { ...common, fs_path: s.fs_path, content: s.content, is_directory: s.is_directory };
}

/** The controller's own checks answer in Laravel's 422 shape (documented for these operations). */
function invalid(field: string, message: string): Reply {
  return { status: 422, body: { message: "Validation failed.", errors: { [field]: [message] } } };
}

/** Application volumes (persistent docker volumes and host files), removed with their application. */
export function storageRoutes(state: CoolifyState): Route[] {
  const base = "/applications/{uuid}/storages";
  const appOf = (ctx: RouteContext) => state.application(ctx.params.uuid ?? "");
  return [
    {
      method: "GET",
      path: base,
      handler: (ctx) => {
        const app = appOf(ctx);
        if (!app) return ctx.flavor.notFound("Application not found.");
        const of = (t: StorageRecord["type"]) => app.storages.filter((s) => s.type === t).map((s) => storageJson(s, app.id));
        return { status: 200, body: { persistent_storages: of("persistent"), file_storages: of("file") } };
      },
    },
    {
      method: "POST",
      path: base,
      handler: (ctx) => {
        const app = appOf(ctx);
        if (!app) return ctx.flavor.notFound("Application not found.");
        const b = ctx.body as StorageInput & { type: StorageRecord["type"]; mount_path: string };
        if (b.type === "persistent" && !b.name) return invalid("name", "The name field is required for persistent storages.");
        if (b.is_directory === true && !b.fs_path) return invalid("fs_path", "The fs path field is required when is directory is true.");
        if (app.storages.some((s) => s.mount_path === b.mount_path)) return invalid("mount_path", "A storage with this mount path already exists.");
        const now = ctx.clock.isoNow();
        const storage: StorageRecord = {
          id: state.id(),
          uuid: coolifyUuid(),
          type: b.type,
          name: b.name ?? null,
          mount_path: b.mount_path,
          host_path: b.host_path ?? null,
          content: b.content ?? null,
          is_directory: b.is_directory ?? false,
          fs_path: b.fs_path ?? null,
          is_preview_suffix_enabled: true,
          created_at: now,
          updated_at: now,
        };
        app.storages.push(storage);
        return { status: 201, body: storageJson(storage, app.id) };
      },
    },
    {
      method: "PATCH",
      path: base,
      handler: (ctx) => {
        const app = appOf(ctx);
        if (!app) return ctx.flavor.notFound("Application not found.");
        const b = ctx.body as StorageInput;
        const storage = app.storages.find((s) => (b.uuid !== undefined ? s.uuid === b.uuid : s.id === b.id) && s.type === b.type);
        if (!storage || (b.uuid === undefined && b.id === undefined)) return ctx.flavor.notFound("Storage not found.");
        if (b.mount_path !== undefined && app.storages.some((s) => s !== storage && s.mount_path === b.mount_path)) {
          return invalid("mount_path", "A storage with this mount path already exists.");
        }
        if (b.name !== undefined) storage.name = b.name;
        if (b.mount_path !== undefined) storage.mount_path = b.mount_path;
        if (b.host_path !== undefined) storage.host_path = b.host_path;
        if (b.content !== undefined) storage.content = b.content;
        if (b.is_preview_suffix_enabled !== undefined) storage.is_preview_suffix_enabled = b.is_preview_suffix_enabled;
        storage.updated_at = ctx.clock.isoNow();
        return { status: 200, body: storageJson(storage, app.id) };
      },
    },
    {
      method: "DELETE",
      path: `${base}/{storage_uuid}`,
      handler: (ctx) => {
        const app = appOf(ctx);
        if (!app) return ctx.flavor.notFound("Application not found.");
        const storage = app.storages.find((s) => s.uuid === ctx.params.storage_uuid);
        if (!storage) return ctx.flavor.notFound("Storage not found.");
        // Coolify v4.3.10 app/Models/LocalPersistentVolume.php abortIfScheduledBackupsExist (422).
        if (storage.backup) return { status: 422, body: { message: "Delete this volume backup schedule and its archives before deleting the volume." } };
        app.storages = app.storages.filter((s) => s !== storage);
        return { status: 200, body: { message: "Storage deleted." } };
      },
    },
  ];
}
