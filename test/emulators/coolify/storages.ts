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

function invalidEach(fields: readonly string[], type: string): Reply {
  const errors = Object.fromEntries(fields.map((f) => [f, [`Field '${f}' is not valid for type '${type}'.`]]));
  return { status: 422, body: { message: "Validation failed.", errors } };
}

// Coolify v4.3.10 app/Support/ValidationPatterns.php VOLUME_NAME_PATTERN.
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Application volumes (persistent docker volumes and host files). */
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
        // Coolify v4.3.10 app/Http/Controllers/Api/ApplicationsController.php create_storage.
        if (b.name !== undefined && !VOLUME_NAME.test(b.name)) return invalid("name", "The name field format is invalid.");
        if (b.type === "persistent") {
          if (!b.name) return invalid("name", "The name field is required for persistent storages.");
          const wrong = ["content", "is_directory", "is_host_file", "fs_path"].filter((k) => k in b);
          if (wrong.length > 0) return invalidEach(wrong, "persistent");
        } else {
          const wrong = ["name", "host_path"].filter((k) => k in b);
          if (wrong.length > 0) return invalidEach(wrong, "file");
          if (b.is_directory === true && !b.fs_path) return invalid("fs_path", "The fs_path field is required for directory mounts.");
        }
        // The controller stores a persistent volume as "<application uuid>-<name>": that is its Docker volume name.
        const name = b.type === "persistent" ? `${app.uuid}-${b.name ?? ""}` : null;
        // database/migrations/2023_04_03_111012_create_local_persistent_volumes_table.php: unique (name, resource);
        // 2023_09_22_185356_create_local_file_volumes_table.php: unique (mount_path, resource). The controller
        // does not check first, so the insert fails and Laravel answers its generic 500.
        const taken = app.storages.some((s) => s.type === b.type && (b.type === "persistent" ? s.name === name : s.mount_path === b.mount_path));
        if (taken) return ctx.flavor.error(500, "Server Error");
        const now = ctx.clock.isoNow();
        const storage: StorageRecord = {
          id: state.id(),
          uuid: coolifyUuid(),
          type: b.type,
          name,
          mount_path: b.mount_path.trim().startsWith("/") ? b.mount_path.trim() : `/${b.mount_path.trim()}`,
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
        // Coolify v4.3.10 update_storage stores `name` as given (no uuid prefix): renaming points the storage at
        // another Docker volume.
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
        // Coolify v4.3.10 delete_storage deletes the record only (LocalFileVolume content is removed from the
        // server; a persistent storage's Docker volume stays, with its data, in state.volumes).
        app.storages = app.storages.filter((s) => s !== storage);
        return { status: 200, body: { message: "Storage deleted." } };
      },
    },
  ];
}
