/**
 * Dynamic provider for a Coolify Postgres (pgvector image) and its scheduled backup.
 * id = database uuid. The password arrives as an input (a GeneratedPassword) and stays secret in state.
 */
import { z } from "zod";
import { createOnce, defineProvider, diffFields, pollUntil, type FieldDiffResult, type Fields } from "../provider";
import { assertTokenAbilities, coolifyClient, ok, okOrMissing, waitUntilGone, type CoolifyClient } from "./client";
import {
  backupFromApi,
  createBackupBody,
  createPostgresBody,
  databaseFromApi,
  databaseMark,
  hostOfUrl,
  internalDbUrl,
  needsRestart,
  patchBackupBody,
  patchDatabaseBody,
  POSTGRES_PORT,
} from "./database.request";
import { environmentIdOf, marked, namedInEnvironment, refuseForeign } from "./lookup";
import { backupReply, databaseInputsSchema, databaseReply, parseReply, uuidReply } from "./schemas";
import type { BackupInputs, DatabaseInputs, DatabaseOutputs } from "./types";

export const DATABASE_FIELDS: Fields = {
  projectUuid: { kind: "replace" },
  environmentUuid: { kind: "replace" },
  serverUuid: { kind: "replace" },
  destinationUuid: { kind: "replace" },
  // POSTGRES_USER/PASSWORD/DB only take effect when initdb creates the data directory: Coolify would accept
  // a PATCH, but the running database would keep the old role and password. Only a new database applies them.
  user: { kind: "replace" },
  databaseName: { kind: "replace" },
  password: { kind: "replace" },
  name: { kind: "update" },
  description: { kind: "update" },
  image: { kind: "update" },
  limits: { kind: "update" },
  backup: { kind: "update" },
};

async function databaseUuidsNamed(client: CoolifyClient, name: string, environmentId: number | undefined): Promise<string[]> {
  const list = parseReply("GET /databases", z.array(databaseReply), ok("GET /databases", await client.GET("/databases")));
  return namedInEnvironment(list, name, environmentId);
}

async function getDatabase(client: CoolifyClient, uuid: string): Promise<z.infer<typeof databaseReply> | undefined> {
  const op = "GET /databases/{uuid}";
  const body = okOrMissing(op, await client.GET("/databases/{uuid}", { params: { path: { uuid } } }));
  return body === undefined ? undefined : parseReply(op, databaseReply, body);
}

async function listBackups(client: CoolifyClient, uuid: string): Promise<z.infer<typeof backupReply>[]> {
  const op = "GET /databases/{uuid}/backups";
  const body = ok(op, await client.GET("/databases/{uuid}/backups", { params: { path: { uuid } } }));
  return parseReply(op, z.array(backupReply), body);
}

async function createBackup(client: CoolifyClient, uuid: string, backup: BackupInputs): Promise<string> {
  const op = "POST /databases/{uuid}/backups";
  return createOnce({
    what: `Coolify backup schedule of database ${uuid}`,
    findExisting: async () => (await listBackups(client, uuid)).map((b) => b.uuid),
    key: (found) => found,
    attempt: async () => {
      const reply = await client.POST("/databases/{uuid}/backups", { params: { path: { uuid } }, body: createBackupBody(backup) });
      return parseReply(op, uuidReply, ok(op, reply)).uuid;
    },
  });
}

/** Brings the backup schedule to `wanted`: create, update in place, or delete. Returns its uuid. */
async function syncBackup(
  client: CoolifyClient,
  uuid: string,
  backupUuid: string | undefined,
  wanted: BackupInputs | undefined,
): Promise<string | undefined> {
  if (!wanted) {
    if (backupUuid) {
      const reply = await client.DELETE("/databases/{uuid}/backups/{scheduled_backup_uuid}", {
        params: { path: { uuid, scheduled_backup_uuid: backupUuid } },
      });
      if (reply.response.status !== 404) ok("DELETE /databases/{uuid}/backups/{scheduled_backup_uuid}", reply);
    }
    return undefined;
  }
  if (backupUuid) {
    const reply = await client.PATCH("/databases/{uuid}/backups/{scheduled_backup_uuid}", {
      params: { path: { uuid, scheduled_backup_uuid: backupUuid } },
      body: patchBackupBody(wanted),
    });
    // Deleted by hand since: make it again.
    if (reply.response.status !== 404) {
      ok("PATCH /databases/{uuid}/backups/{scheduled_backup_uuid}", reply);
      return backupUuid;
    }
  }
  return createBackup(client, uuid, wanted);
}

async function outputsFor(client: CoolifyClient, uuid: string, inputs: DatabaseInputs, backupUuid?: string): Promise<DatabaseOutputs> {
  const db = await getDatabase(client, uuid);
  const url = internalDbUrl(inputs, uuid, db?.internal_db_url);
  return { ...inputs, uuid, internalHost: hostOfUrl(url, uuid), port: POSTGRES_PORT, internalDbUrl: url, backupUuid };
}

async function deleteDatabase(client: CoolifyClient, uuid: string): Promise<void> {
  // Coolify v4.3.10 app/Http/Controllers/Api/DatabasesController.php delete_by_uuid defaults delete_volumes to
  // true, and app/Jobs/DeleteResourceJob.php then removes the database's Docker volume: a replace or a destroy
  // would take the data with it. slipway never asks for that; the volume stays on the server.
  const reply = await client.DELETE("/databases/{uuid}", { params: { path: { uuid }, query: { delete_volumes: false } } });
  if (reply.response.status === 404) return;
  ok("DELETE /databases/{uuid}", reply);
  await waitUntilGone(`database ${uuid}`, async () => {
    return (await client.GET("/databases/{uuid}", { params: { path: { uuid } } })).response.status;
  });
}

async function listDatabases(client: CoolifyClient): Promise<z.infer<typeof databaseReply>[]> {
  return parseReply("GET /databases", z.array(databaseReply), ok("GET /databases", await client.GET("/databases")));
}

/** The database these inputs made earlier, by its ownership mark (descriptions are listed, as for applications). */
async function findOwnDatabase(client: CoolifyClient, mark: string): Promise<string | undefined> {
  const mine = marked(await listDatabases(client), mark);
  if (mine.length > 1) throw new Error(`${mine.length} databases carry its mark ${mark}: ${mine.join(", ")}`);
  return mine[0];
}

/**
 * A create looks for its own mark first, as the application's does: after a lost answer or a killed engine the
 * next `up` adopts the Postgres it made (with its backup schedule) instead of leaving it and making a second one.
 */
async function create(inputs: DatabaseInputs): Promise<{ id: string; outs: DatabaseOutputs }> {
  await assertTokenAbilities(inputs.connection);
  const client = coolifyClient(inputs.connection);
  const envId = await environmentIdOf(client, inputs.projectUuid, inputs.environmentUuid);
  const what = `CoolifyDatabase ${inputs.name}`;
  const attempt = async () => {
    const op = "POST /databases/postgresql";
    const reply = await client.POST("/databases/postgresql", { body: createPostgresBody(inputs) });
    return parseReply(op, uuidReply, ok(op, reply)).uuid;
  };
  const mark = databaseMark(inputs);
  const own = mark ? await findOwnDatabase(client, mark) : undefined;
  if (own) {
    const db = await getDatabase(client, own);
    const patch = db ? patchDatabaseBody({ ...inputs, ...databaseFromApi(db, inputs) }, inputs) : {};
    if (Object.keys(patch).length > 0) {
      ok("PATCH /databases/{uuid}", await client.PATCH("/databases/{uuid}", { params: { path: { uuid: own } }, body: patch }));
    }
    const backupUuid = await syncBackup(client, own, (await listBackups(client, own))[0]?.uuid, inputs.backup);
    return { id: own, outs: await outputsFor(client, own, inputs, backupUuid) };
  }
  if (mark) refuseForeign(what, "database", await listDatabases(client), inputs.name, envId, mark);
  const uuid = mark
    ? await createOnce({ what, findExisting: async () => marked(await listDatabases(client), mark), key: (found) => found, attempt, baseline: false })
    : await createOnce({ what, findExisting: () => databaseUuidsNamed(client, inputs.name, envId), key: (found) => found, attempt });
  try {
    const backupUuid = inputs.backup ? await createBackup(client, uuid, inputs.backup) : undefined;
    return { id: uuid, outs: await outputsFor(client, uuid, inputs, backupUuid) };
  } catch (error) {
    // Not recorded by Pulumi when create fails, so it must not be left running.
    await deleteDatabase(client, uuid).catch(() => undefined);
    throw error;
  }
}

/** For `slipway recover`: the database a pending create of these inputs made, if any (infra/cli/recover.ts). */
async function findOwn(inputs: DatabaseInputs): Promise<{ id: string; description: string } | undefined> {
  const mark = databaseMark(inputs);
  if (!mark) return undefined;
  const uuid = await findOwnDatabase(coolifyClient(inputs.connection), mark);
  return uuid ? { id: uuid, description: `Coolify database ${inputs.name} (${mark})` } : undefined;
}

async function read(id: string, props: DatabaseOutputs): Promise<DatabaseOutputs | undefined> {
  const client = coolifyClient(props.connection);
  const db = await getDatabase(client, id);
  if (db === undefined) return undefined;
  const backups = await listBackups(client, id);
  const backup = backups.find((b) => b.uuid === props.backupUuid) ?? (props.backupUuid ? undefined : backups[0]);
  const current = databaseFromApi(db, props);
  const url = internalDbUrl(current, id, db.internal_db_url);
  return {
    ...props,
    ...current,
    backup: backup ? backupFromApi(backup) : undefined,
    backupUuid: backup?.uuid,
    internalDbUrl: url,
    internalHost: hostOfUrl(url, id),
    // From the id, not the old state: a resource `slipway recover` recorded has only its inputs there.
    uuid: id,
    port: POSTGRES_PORT,
  };
}

async function update(id: string, olds: DatabaseOutputs, inputs: DatabaseInputs): Promise<DatabaseOutputs> {
  await assertTokenAbilities(inputs.connection);
  const client = coolifyClient(inputs.connection);
  const patch = patchDatabaseBody(olds, inputs);
  if (Object.keys(patch).length > 0) {
    ok("PATCH /databases/{uuid}", await client.PATCH("/databases/{uuid}", { params: { path: { uuid: id } }, body: patch }));
  }
  if (needsRestart(patch)) {
    ok("POST /databases/{uuid}/restart", await client.POST("/databases/{uuid}/restart", { params: { path: { uuid: id } } }));
    await waitUntilRunning(client, id);
  }
  const backupUuid = await syncBackup(client, id, olds.backupUuid, inputs.backup);
  return outputsFor(client, id, inputs, backupUuid);
}

/** After a restart: wait for `running…` (Coolify reports e.g. `running:healthy`), bounded like every wait. */
async function waitUntilRunning(client: CoolifyClient, uuid: string): Promise<void> {
  await pollUntil(`database ${uuid} to run again`, async () => {
    const db = await getDatabase(client, uuid);
    const status = db?.status ?? "";
    // An API that does not report a status gives nothing to wait for.
    if (db?.status == null || status.startsWith("running")) return { done: true, value: undefined };
    return { done: false, state: status };
  });
}

export function diffDatabase(olds: DatabaseOutputs, news: DatabaseInputs): FieldDiffResult {
  return diffFields(olds, news, DATABASE_FIELDS);
}

export const coolifyDatabaseProvider = defineProvider<DatabaseInputs, DatabaseOutputs>({
  resource: "CoolifyDatabase",
  schema: databaseInputsSchema,
  nameOf: (inputs) => inputs.name,
  findOwn,
  diff: diffDatabase,
  create,
  read,
  update,
  delete: async (id, props) => {
      await assertTokenAbilities(props.connection);
      await deleteDatabase(coolifyClient(props.connection), id);
    },
});
