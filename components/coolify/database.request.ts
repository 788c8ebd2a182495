/**
 * Pure mapping between slipway's database inputs and Coolify's Postgres and backup-schedule fields.
 */
import { markOf, withMark, withoutMark } from "../mark";
import type { paths } from "./api.gen";
import type { BackupReply, DatabaseReply } from "./schemas";
import type { BackupInputs, DatabaseInputs } from "./types";

export type CreatePostgresBody = paths["/databases/postgresql"]["post"]["requestBody"]["content"]["application/json"];
export type PatchDatabaseBody = NonNullable<paths["/databases/{uuid}"]["patch"]["requestBody"]>["content"]["application/json"];
export type CreateBackupBody = paths["/databases/{uuid}/backups"]["post"]["requestBody"]["content"]["application/json"];
export type PatchBackupBody = NonNullable<
  paths["/databases/{uuid}/backups/{scheduled_backup_uuid}"]["patch"]["requestBody"]
>["content"]["application/json"];

export const POSTGRES_PORT = 5432;

/** The ownership mark of a database: owner and placement, as for applications (application.request.ts). */
export function databaseMark(inputs: Pick<DatabaseInputs, "owner" | "projectUuid" | "environmentUuid" | "serverUuid" | "destinationUuid">): string | undefined {
  return inputs.owner ? markOf(inputs.owner, [inputs.projectUuid, inputs.environmentUuid, inputs.serverUuid, inputs.destinationUuid ?? null]) : undefined;
}

/** The description as Coolify holds it: the declared one with the ownership mark at its end. */
export function markedDescription(inputs: DatabaseInputs): string | undefined {
  const mark = databaseMark(inputs);
  return mark ? withMark(inputs.description, mark) : inputs.description;
}

export function createPostgresBody(inputs: DatabaseInputs): CreatePostgresBody {
  const description = markedDescription(inputs);
  return {
    server_uuid: inputs.serverUuid,
    project_uuid: inputs.projectUuid,
    environment_name: inputs.environmentName,
    environment_uuid: inputs.environmentUuid,
    ...(inputs.destinationUuid ? { destination_uuid: inputs.destinationUuid } : {}),
    name: inputs.name,
    ...(description ? { description } : {}),
    image: inputs.image,
    postgres_user: inputs.user,
    postgres_password: inputs.password,
    postgres_db: inputs.databaseName,
    ...(inputs.limits?.cpus ? { limits_cpus: inputs.limits.cpus } : {}),
    ...(inputs.limits?.memory ? { limits_memory: inputs.limits.memory } : {}),
    // Never published on a host port: applications reach it over the server's Docker network.
    is_public: false,
    instant_deploy: true,
  };
}

/** Only what changed among the fields slipway updates in place. */
export function patchDatabaseBody(olds: DatabaseInputs, news: DatabaseInputs): PatchDatabaseBody {
  const body: PatchDatabaseBody = {};
  if (olds.name !== news.name) body.name = news.name;
  if ((olds.description ?? "") !== (news.description ?? "")) body.description = markedDescription(news) ?? "";
  if (olds.image !== news.image) body.image = news.image;
  if ((olds.limits?.cpus ?? "0") !== (news.limits?.cpus ?? "0")) body.limits_cpus = news.limits?.cpus ?? "0";
  if ((olds.limits?.memory ?? "0") !== (news.limits?.memory ?? "0")) body.limits_memory = news.limits?.memory ?? "0";
  return body;
}

/** Changes that only take effect when the container restarts. */
export function needsRestart(patch: PatchDatabaseBody): boolean {
  return patch.image !== undefined || patch.limits_cpus !== undefined || patch.limits_memory !== undefined;
}

export function createBackupBody(backup: BackupInputs): CreateBackupBody {
  return {
    frequency: backup.schedule,
    enabled: true,
    save_s3: false,
    database_backup_retention_days_locally: backup.retentionDays,
    database_backup_retention_amount_locally: backup.retentionAmount,
  };
}

export function patchBackupBody(backup: BackupInputs): PatchBackupBody {
  return {
    frequency: backup.schedule,
    enabled: true,
    database_backup_retention_days_locally: backup.retentionDays,
    database_backup_retention_amount_locally: backup.retentionAmount,
  };
}

/** What a backup schedule on the server looks like in slipway's shape. */
export function backupFromApi(reply: BackupReply): BackupInputs {
  return {
    schedule: reply.frequency,
    retentionDays: reply.database_backup_retention_days_locally ?? 0,
    retentionAmount: reply.database_backup_retention_amount_locally ?? 0,
  };
}

/** The internal URL, preferring the one Coolify reports (it knows the container's network name). */
export function internalDbUrl(inputs: DatabaseInputs, uuid: string, reported?: string | null): string {
  if (reported) return reported;
  const user = encodeURIComponent(inputs.user);
  const password = encodeURIComponent(inputs.password);
  return `postgres://${user}:${password}@${uuid}:${POSTGRES_PORT}/${encodeURIComponent(inputs.databaseName)}`;
}

/** The host part of a postgres URL; the database uuid when the URL has none. */
export function hostOfUrl(url: string, fallback: string): string {
  try {
    return new URL(url).hostname || fallback;
  } catch {
    return fallback;
  }
}

/** What the API holds, in slipway's shape (for refresh); fields GET does not report keep their state. */
export function databaseFromApi(reply: DatabaseReply, props: DatabaseInputs): DatabaseInputs {
  const noLimit = (v: string | null | undefined): string | undefined => (!v || v === "0" ? undefined : v);
  const limits = { cpus: noLimit(reply.limits_cpus), memory: noLimit(reply.limits_memory) };
  return {
    ...props,
    name: reply.name,
    description: withoutMark(reply.description || undefined),
    image: reply.image ?? props.image,
    user: reply.postgres_user ?? props.user,
    databaseName: reply.postgres_db ?? props.databaseName,
    password: reply.postgres_password ?? props.password,
    limits: limits.cpus || limits.memory ? limits : undefined,
  };
}
