/**
 * Scheduled volume backups of application storages, as Coolify v4.3.10
 * app/Http/Controllers/Api/VolumeBackupsController.php serves them: one schedule per storage, created or
 * replaced by PUT (201 / 200), deleted with its archives by DELETE, run now by POST …/run. The schedule is
 * not readable back (no GET; the storages listing does not include it).
 */
import { randomUUID } from "node:crypto";
import type { Reply, Route, RouteContext } from "../common/http";
import { validFrequency } from "./backups";
import type { CoolifyState, StorageRecord } from "./state";

const ALLOWED = [
  "frequency", "enabled", "save_s3", "disable_local_backup", "stop_during_backup", "s3_storage_uuid",
  "retention_amount_locally", "retention_days_locally", "retention_max_storage_locally",
  "retention_amount_s3", "retention_days_s3", "retention_max_storage_s3", "timeout",
];

function invalid(errors: Record<string, string[]>): Reply {
  return { status: 422, body: { message: "Validation failed.", errors } };
}

function responseJson(storage: StorageRecord, created: boolean): Record<string, unknown> {
  const b = storage.backup as NonNullable<StorageRecord["backup"]>;
  const s = b.settings;
  const num = (k: string, d: number) => (typeof s[k] === "number" ? s[k] : d);
  return {
    uuid: b.uuid,
    message: created ? "Storage backup schedule created." : "Storage backup schedule updated.",
    storage_uuid: storage.uuid,
    storage_type: storage.type === "file" ? "directory" : "persistent",
    frequency: b.frequency,
    enabled: b.enabled,
    save_s3: s.save_s3 === true,
    disable_local_backup: s.save_s3 === true && s.disable_local_backup === true,
    stop_during_backup: s.stop_during_backup === true,
    s3_storage_uuid: null,
    retention_amount_locally: num("retention_amount_locally", 7),
    retention_days_locally: num("retention_days_locally", 0),
    retention_max_storage_locally: num("retention_max_storage_locally", 0),
    retention_amount_s3: num("retention_amount_s3", 7),
    retention_days_s3: num("retention_days_s3", 0),
    retention_max_storage_s3: num("retention_max_storage_s3", 0),
    timeout: num("timeout", 36000),
  };
}

export function volumeBackupRoutes(state: CoolifyState): Route[] {
  const base = "/applications/{uuid}/storages/{storage_uuid}/backups";
  // upsert and run name the resource type when it is missing; destroy says "Resource not found.".
  const find = (ctx: RouteContext, missingApp = "Application not found."): { storage: StorageRecord } | { reply: Reply } => {
    const app = state.application(ctx.params.uuid ?? "");
    if (!app) return { reply: ctx.flavor.notFound(missingApp) };
    const storage = app.storages.find((s) => s.uuid === ctx.params.storage_uuid);
    return storage ? { storage } : { reply: ctx.flavor.notFound("Storage not found.") };
  };
  return [
    {
      method: "PUT",
      path: base,
      handler: (ctx) => {
        const found = find(ctx);
        if ("reply" in found) return found.reply;
        const body = (ctx.body ?? {}) as Record<string, unknown>;
        const errors: Record<string, string[]> = {};
        for (const k of Object.keys(body)) if (!ALLOWED.includes(k)) errors[k] = ["This field is not allowed."];
        const frequency = typeof body.frequency === "string" ? body.frequency : "";
        if (!frequency) errors.frequency = ["The frequency field is required."];
        else if (!validFrequency(frequency) && !/^@(hourly|daily|weekly|monthly|yearly)$/.test(frequency)) errors.frequency = ["The frequency must be a valid cron or human expression."];
        if (body.disable_local_backup === true && body.save_s3 !== true) errors.disable_local_backup = ["Local backups can only be disabled when S3 backups are enabled."];
        if (body.save_s3 === true) errors.s3_storage_uuid = ["Select a usable S3 storage owned by your team."]; // the emulator has no S3 storages
        if (found.storage.type === "file" && !found.storage.is_directory) errors.storage_uuid = ["Only directory file storages can be backed up."];
        if (Object.keys(errors).length > 0) return invalid(errors);
        const created = found.storage.backup === undefined;
        const previous = found.storage.backup;
        found.storage.backup = {
          uuid: previous?.uuid ?? randomUUID(),
          frequency,
          enabled: body.enabled === undefined ? true : body.enabled === true,
          settings: body,
          archives: previous?.archives ?? 0,
        };
        return { status: created ? 201 : 200, body: responseJson(found.storage, created) };
      },
    },
    {
      method: "DELETE",
      path: base,
      handler: (ctx) => {
        const found = find(ctx, "Resource not found.");
        if ("reply" in found) return found.reply;
        if (!found.storage.backup) return ctx.flavor.notFound("Storage backup schedule not found.");
        found.storage.backup = undefined; // with its archives
        return { status: 200, body: { message: "Storage backup schedule and archives deleted." } };
      },
    },
    {
      method: "POST",
      path: `${base}/run`,
      // Documented without a body; the controller's run() answers { message, uuid }.
      deviations: { responseSchemas: { 200: { type: "object", required: ["message", "uuid"], properties: { message: { type: "string" }, uuid: { type: "string" } } } } },
      handler: (ctx) => {
        const found = find(ctx);
        if ("reply" in found) return found.reply;
        if (!found.storage.backup) return ctx.flavor.notFound("Storage backup schedule not found.");
        found.storage.backup.archives += 1;
        return { status: 200, body: { message: "Storage backup queued.", uuid: found.storage.backup.uuid } };
      },
    },
  ];
}
