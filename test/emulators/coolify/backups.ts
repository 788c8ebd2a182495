import { randomInt, randomUUID } from "node:crypto";
import type { EmulatorClock } from "../common/clock";
import type { Reply, Route, RouteContext } from "../common/http";
import { TIMING } from "./rollout";
import type { BackupRecord, CoolifyState, DatabaseRecord } from "./state";

type Body = Record<string, unknown>;

const ALIASES: Record<string, number> = {
  every_minute: 60_000,
  hourly: 3_600_000,
  daily: 86_400_000,
  weekly: 7 * 86_400_000,
  monthly: 30 * 86_400_000,
  yearly: 365 * 86_400_000,
};
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const MAX_EXECUTIONS = 200;

/** Coolify accepts its frequency aliases or a five-field cron expression. */
export function validFrequency(f: string): boolean {
  if (f in ALIASES) return true;
  const fields = f.trim().split(/\s+/);
  return fields.length === 5 && fields.every((x) => CRON_FIELD.test(x));
}

/**
 * How often a schedule fires, in emulated ms. Cron is approximated by its granularity (a step in the minute
 * field, a fixed minute → hourly, fixed minute and hour → daily): enough for tests to see executions accumulate.
 */
function periodMs(f: string): number {
  const alias = ALIASES[f];
  if (alias !== undefined) return alias;
  const [min = "*", hour = "*"] = f.trim().split(/\s+/);
  const step = /^\*\/(\d+)$/.exec(min);
  if (step) return Math.max(1, Number(step[1])) * 60_000;
  if (min === "*") return 60_000;
  return hour === "*" ? 3_600_000 : 86_400_000;
}

// GET /databases/{uuid}/backups is documented as a string ("will be implemented later"); the real service
// answers the schedules with their executions.
const BACKUP_LIST = {
  type: "array",
  items: { type: "object", required: ["uuid", "frequency", "enabled", "executions"], properties: { uuid: { type: "string" }, frequency: { type: "string" }, enabled: { type: "boolean" }, executions: { type: "array" } } },
};

function backupJson(b: BackupRecord): Record<string, unknown> {
  return { id: b.id, uuid: b.uuid, ...b.config, executions: b.executions, created_at: b.created_at };
}

export function backupRoutes(state: CoolifyState): Route[] {
  /** Bumped on update/delete so a superseded schedule stops firing. */
  const generation = new Map<string, number>();

  const execute = (db: DatabaseRecord, b: BackupRecord, clock: EmulatorClock): void => {
    const ts = clock.isoNow();
    const execution = { uuid: randomUUID(), filename: "", size: 0, created_at: ts, message: "", status: "running" as BackupRecord["executions"][number]["status"] };
    b.executions.unshift(execution);
    if (b.executions.length > MAX_EXECUTIONS) b.executions.length = MAX_EXECUTIONS;
    clock.schedule(TIMING.queuedActionMs, () => {
      if (db.status.startsWith("running")) {
        execution.status = "success";
        execution.filename = `/data/coolify/backups/databases/${db.uuid}/pg-dump-${db.postgres_db}-${Date.parse(ts)}.dmp`;
        execution.size = randomInt(10_000, 5_000_000);
        execution.message = "Backup done.";
      } else {
        execution.status = "failed";
        execution.message = "Database is not running.";
      }
    });
  };

  const arm = (db: DatabaseRecord, b: BackupRecord, clock: EmulatorClock): void => {
    const gen = (generation.get(b.uuid) ?? 0) + 1;
    generation.set(b.uuid, gen);
    const tick = (): void => {
      if (generation.get(b.uuid) !== gen || !db.backups.includes(b) || !state.databases.includes(db)) return;
      if (b.config.enabled !== false) execute(db, b, clock);
      clock.schedule(periodMs(String(b.config.frequency)), tick);
    };
    clock.schedule(periodMs(String(b.config.frequency)), tick);
  };

  const find = (ctx: RouteContext): DatabaseRecord | undefined => state.database(ctx.params.uuid ?? "");
  const badFrequency = (): Reply =>
    ({ status: 422, body: { message: "Validation failed.", errors: { frequency: ["Invalid cron expression or frequency format."] } } });
  const findBackup = (db: DatabaseRecord, ctx: RouteContext): BackupRecord | undefined =>
    db.backups.find((b) => b.uuid === ctx.params.scheduled_backup_uuid);

  return [
    {
      method: "GET",
      path: "/databases/{uuid}/backups",
      deviations: { responseSchemas: { 200: BACKUP_LIST } },
      handler: (ctx) => {
        const db = find(ctx);
        return db ? { status: 200, body: db.backups.map(backupJson) } : ctx.flavor.notFound("Database not found.");
      },
    },
    {
      method: "POST",
      path: "/databases/{uuid}/backups",
      handler: (ctx) => {
        const db = find(ctx);
        if (!db) return ctx.flavor.notFound("Database not found.");
        const body = { ...(ctx.body as Body) };
        if (!validFrequency(String(body.frequency))) return badFrequency();
        const backupNow = body.backup_now === true;
        delete body.backup_now;
        // The real service numbers these with RFC 4122 uuids, as the spec's `format: uuid` says.
        const b: BackupRecord = { id: state.id(), uuid: randomUUID(), config: { enabled: true, save_s3: false, ...body }, executions: [], created_at: ctx.clock.isoNow() };
        db.backups.push(b);
        arm(db, b, ctx.clock);
        if (backupNow) execute(db, b, ctx.clock);
        return { status: 201, body: { uuid: b.uuid, message: "Backup configuration created successfully." } };
      },
    },
    {
      method: "PATCH",
      path: "/databases/{uuid}/backups/{scheduled_backup_uuid}",
      // Documented as 200 without a body; the real service answers a message.
      deviations: { responseSchemas: { 200: { type: "object", required: ["message"], properties: { message: { type: "string" } } } } },
      handler: (ctx) => {
        const db = find(ctx);
        if (!db) return ctx.flavor.notFound("Database not found.");
        const b = findBackup(db, ctx);
        if (!b) return ctx.flavor.notFound("Backup configuration not found.");
        const body = { ...(ctx.body as Body) };
        if (body.frequency !== undefined && !validFrequency(String(body.frequency))) return badFrequency();
        const backupNow = body.backup_now === true;
        delete body.backup_now;
        Object.assign(b.config, body);
        arm(db, b, ctx.clock);
        if (backupNow) execute(db, b, ctx.clock);
        return { status: 200, body: { message: "Database backup configuration updated" } };
      },
    },
    {
      method: "DELETE",
      path: "/databases/{uuid}/backups/{scheduled_backup_uuid}",
      handler: (ctx) => {
        const db = find(ctx);
        if (!db) return ctx.flavor.notFound("Database not found.");
        const b = findBackup(db, ctx);
        if (!b) return ctx.flavor.notFound("Backup configuration not found.");
        db.backups = db.backups.filter((x) => x !== b);
        generation.delete(b.uuid);
        return { status: 200, body: { message: "Backup configuration and all executions deleted." } };
      },
    },
    {
      method: "GET",
      path: "/databases/{uuid}/backups/{scheduled_backup_uuid}/executions",
      handler: (ctx) => {
        const db = find(ctx);
        const b = db ? findBackup(db, ctx) : undefined;
        return b ? { status: 200, body: { executions: b.executions } } : ctx.flavor.notFound("Backup configuration not found.");
      },
    },
    {
      method: "DELETE",
      path: "/databases/{uuid}/backups/{scheduled_backup_uuid}/executions/{execution_uuid}",
      handler: (ctx) => {
        const db = find(ctx);
        const b = db ? findBackup(db, ctx) : undefined;
        if (!b) return ctx.flavor.notFound("Backup configuration not found.");
        const before = b.executions.length;
        b.executions = b.executions.filter((e) => e.uuid !== ctx.params.execution_uuid);
        if (b.executions.length === before) return ctx.flavor.notFound("Backup execution not found.");
        return { status: 200, body: { message: "Backup execution deleted." } };
      },
    },
  ];
}
