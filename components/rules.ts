/**
 * One rule, one place: the shapes that the stack config (stacks/schema*.ts), the components' argument checks and
 * the providers' `check` all validate with. A value one layer accepts is never refused by another, and a refusal
 * reads the same everywhere ("expected <phrase>"). Each shape is one zod schema below (built from a predicate and its
 * phrase), which the stack schema, the component argument checks (`refusal`) and the provider input schemas all
 * use; test/unit/components/rules-agreement.test.ts feeds the same samples to every layer. No Pulumi import: provider modules load this too.
 */
import { parseFamiliarName } from "@swimlane/docker-reference";
import { z } from "zod";

/** The phrase every layer uses for a digest-pinned image reference. */
export const PINNED_IMAGE_PHRASE = "an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>";

/**
 * An image reference pinned by a sha256 digest (`repo@sha256:<64 hex>`, a tag beside it allowed), by
 * distribution/reference's grammar as @swimlane/docker-reference ports it — the grammar components/fly/limits.ts
 * checks every image reference with.
 */
export function isPinnedImage(ref: string): boolean {
  if (!/@sha256:[a-f0-9]{64}$/.test(ref)) return false;
  try {
    parseFamiliarName(ref);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `ref` is not an image reference (any tag or digest), or undefined when it is one. The grammar is
 * distribution/reference's (the `github.com/distribution/reference` module in flyctl's go.mod, and what containerd
 * resolves on the host), as ported by @swimlane/docker-reference, whose messages are that module's.
 */
export function imageRefProblem(ref: string): string | undefined {
  try {
    parseFamiliarName(ref);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The phrase for a host name; why a wildcard is refused: neither Fly's ACME certificates nor slipway's health URL can use one. */
export const HOSTNAME_PHRASE = "a lower-case host name like app.example.com (no port, path or wildcard)";

/** RFC 1123 host names, lower-case, at least two labels: what Coolify, Fly certificates and browsers agree on. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export function isHostname(v: string): boolean {
  const labels = v.split(".");
  return v.length <= 253 && labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l)) && /^[a-z]{2,63}$/.test(labels[labels.length - 1] ?? "");
}

/** What a Coolify application's domain may be: a host name, optionally with the container port it routes to. */
export const DOMAIN_PHRASE = "a lower-case host name like app.example.com, or with a container port like api.example.com:4000 (no path or wildcard)";

/** `host` or `host:port` (port 1–65535), the host by `isHostname`. */
export function isDomain(v: string): boolean {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(v);
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  return m !== null && isHostname(m[1] ?? "") && (port === undefined || (port >= 1 && port <= 65535));
}

/**
 * Coolify's own names for schedules: VALID_CRON_STRINGS (Coolify v4.3.10 bootstrap/helpers/constants.php), which
 * `validate_cron_expression` (bootstrap/helpers/shared.php) accepts beside any cron expression — the check
 * DatabasesController::create_backup runs on `frequency`.
 */
export const SCHEDULE_KEYWORDS = [
  "every_minute", "hourly", "daily", "weekly", "monthly", "yearly", "@hourly", "@daily", "@weekly", "@monthly", "@yearly",
] as const;

export const SCHEDULE_PHRASE = 'a 5-field cron expression like "0 3 * * *", or @daily (also @hourly, @weekly, @monthly, @yearly, or hourly, daily, …)';

const CRON_RANGES: ReadonlyArray<readonly [number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

/** A backup schedule Coolify accepts: a standard 5-field cron expression (numeric fields) or one of its keywords. */
export function isSchedule(v: string): boolean {
  if ((SCHEDULE_KEYWORDS as readonly string[]).includes(v)) return true;
  const fields = v.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field, i) => {
    const [lo, hi] = CRON_RANGES[i] ?? [0, 0];
    const inRange = (n: string) => /^\d+$/.test(n) && Number(n) >= lo && Number(n) <= hi;
    return field.split(",").every((part) => {
      const [base = "", step, extra] = part.split("/");
      if (extra !== undefined || (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1))) return false;
      if (base === "*") return true;
      const [from = "", to] = base.split("-");
      return inRange(from) && (to === undefined || (inRange(to) && Number(to) >= Number(from)));
    });
  });
}

/**
 * What an HTTP health check does when the config leaves a field out — the same for the stack config
 * (`slipway:app.healthCheck`) and for `CoolifyApplication`'s `healthCheck` used directly.
 */
export const HEALTH_CHECK_DEFAULTS = {
  /** Seconds between probes. */
  intervalSeconds: 15,
  /** Seconds one probe may take. */
  timeoutSeconds: 5,
  /** Seconds after start during which failures do not count (slow boots, migrations). */
  gracePeriodSeconds: 30,
  /** Failed probes in a row before the container counts as unhealthy. */
  retries: 3,
  /** The status code that counts as healthy. */
  returnCode: 200,
} as const;

/**
 * `slipway:scaling.coolify.healthGatedRollingUpdate` and `CoolifyApplication`'s `rollingUpdate` when left out.
 * false: no extra check — Coolify v4.3.10 still rolls by itself whenever it can (no host port mappings); true
 * refuses the configs under which it would stop the old container first (no health check, or port mappings).
 * false, so a stack or component without a health check works as written; set true to insist on rolling.
 */
export const HEALTH_GATED_ROLLING_UPDATE_DEFAULT = false;

/** `slipway:targets.coolify.instantDeploy` and `CoolifyApplication`'s `deploy` when left out: deploy on every change. */
export const INSTANT_DEPLOY_DEFAULT = true;

/**
 * What a slipway Postgres is when the config leaves a field out, on Coolify (`CoolifyDatabase`) and Fly
 * (`FlyPostgres`) alike, and for `slipway:database` (kind postgres).
 */
export const POSTGRES_DEFAULTS = {
  /** pgvector's image of Postgres 16: Postgres with the vector extension available. */
  image: "pgvector/pgvector:pg16",
  /** The major version the image tag must carry (`pgNN`). */
  version: 16,
  /** The database created on first start. */
  databaseName: "app",
  /** Its owner role. */
  user: "app",
  /** The data volume's size on Fly (a Coolify database volume has no size). */
  volumeSizeGb: 10,
} as const;

/**
 * What Fly machines are when the config leaves a field out, for `slipway:scaling.fly` and `FlyMachineGroup` alike:
 * one shared-CPU machine with 256 MB (Fly's smallest size), started by the proxy on requests and stopped when idle,
 * updated one machine at a time.
 */
export const FLY_MACHINE_DEFAULTS = {
  guest: { cpuKind: "shared", cpus: 1, memoryMb: 256 },
  count: 1,
  autostart: true,
  autostop: "stop",
  strategy: "rolling",
} as const;

/** Fly keeps a volume's daily snapshots 1–60 days (`snapshot_retention`, ../shared/specs/fly/openapi.json). */
export const FLY_SNAPSHOT_RETENTION_DAYS = { min: 1, max: 60 } as const;
/** The snapshot retention of a Fly volume when none is set: Fly's own default (5 days). */
export const FLY_SNAPSHOT_RETENTION_DEFAULT = 5;
/** A Fly volume's size in GB: slipway's bounds (Fly's API takes 1–500 GB per volume). */
export const VOLUME_SIZE_GB = { min: 1, max: 500 } as const;
/** Days a backup archive is kept (Coolify database and volume backups; Fly snapshots are bounded further). */
export const RETENTION_DAYS = { min: 1, max: 3650 } as const;

// --- the shapes as zod schemas: every layer parses with these ------------------------------------------------

/** zod's error option carrying the "expected …" phrase every layer prints. */
export const expected = (what: string) => ({ error: `expected ${what}` });

/** An integer in [min, max]; the phrase names the bounds so the reader knows what would be accepted. */
export function int(min: number, max?: number) {
  const what = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  const s = z.number(expected(what)).int(expected(what)).min(min, expected(what));
  return max === undefined ? s : s.max(max, expected(what));
}

/** A non-empty string matching `pattern`, refused with `expected <what>`. */
export function text(what: string, pattern?: RegExp) {
  const s = z.string(expected(what)).min(1, expected(what));
  return pattern ? s.regex(pattern, expected(what)) : s;
}

const refined = (what: string, test: (v: string) => boolean) => text(what).refine(test, expected(what));

/** A TCP port a container listens on or a host binds. */
export const portSchema = int(1, 65535);
const isPort = (v: string) => /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535;
/** `host:container`, each a port 1–65535 (what Coolify's `ports_mappings` holds, one mapping per entry). */
export const portMappingSchema = refined('a host:container port mapping like "8080:3000" (ports 1–65535)', (v) => {
  const [host = "", container, extra] = v.split(":");
  return extra === undefined && container !== undefined && isPort(host) && isPort(container);
});

/**
 * A volume's name: Fly's rule (lower-case letters, digits, `_`, at most 30 — the Fly emulator's, from the volumes
 * API), which Coolify's (a Docker volume name after the application-uuid prefix, see coolify/storages.ts) also
 * accepts, so one name works on both targets.
 */
export const volumeNameSchema = text("a volume name (lower-case letters, digits, _; up to 30 chars)", /^[a-z0-9_]{1,30}$/);
/** Where a volume is mounted in the container. */
export const mountPathSchema = text("an absolute path like /data", /^\/\S*$/);
/** A health-check path. */
export const httpPathSchema = text("an HTTP path starting with /", /^\/\S*$/);

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_PHRASE = "an environment variable name (letters, digits, _; not starting with a digit)";
/** An environment variable (and Fly secret) name: what a POSIX shell can export. */
export const envNameSchema = text(ENV_NAME_PHRASE, ENV_NAME);

/** A Postgres database or role name slipway creates: an unquoted lower-case SQL identifier (≤ 63 bytes). */
export const sqlIdentifierSchema = text("a lower-case SQL identifier (letters, digits, _; up to 63 chars, not starting with a digit)", /^[a-z_][a-z0-9_]{0,62}$/);

/** Any image reference (tag or digest), by `imageRefProblem`; the message carries the grammar's reason. */
export function imageRefSchema(what = "an image reference like pgvector/pgvector:pg16") {
  return text(what).superRefine((v, ctx) => {
    const problem = imageRefProblem(v);
    if (problem) ctx.addIssue({ code: "custom", input: v, message: `expected ${what} (${problem})` });
  });
}
export const pinnedImageSchema = refined(PINNED_IMAGE_PHRASE, isPinnedImage);

/** A host name; a URL is refused with the reason (slipway always serves https). */
export const hostnameSchema = z.string(expected("a host name like app.example.com")).superRefine((v, ctx) => {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
  if (scheme) ctx.addIssue({ code: "custom", input: v, message: `expected a bare host name without "${scheme[1]}://" (slipway always serves https)` });
  else if (!isHostname(v)) ctx.addIssue({ code: "custom", input: v, message: `expected ${HOSTNAME_PHRASE}` });
});
export const domainSchema = refined(DOMAIN_PHRASE, isDomain);
export const scheduleSchema = refined(SCHEDULE_PHRASE, isSchedule);

/** Docker's repository path (no registry host): lower-case components split by `.`, `_`, `__` or dashes, joined by `/`. */
export const REPOSITORY_PATH_SRC = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*";
/** `slipway:image.repository`; `ContainerImage` checks `<registry>/<repository>` with the same path grammar. */
export const repositoryPathSchema = text('a repository like "acme/shop"', new RegExp(`^${REPOSITORY_PATH_SRC}$`));

/** A git commit as releases record it (abbreviated or full, lower-case hex). */
export const commitShaSchema = text("a git commit SHA (7–40 lower-case hex chars)", /^[0-9a-f]{7,40}$/);

/** A Fly app name: one DNS label (`<name>.fly.dev`), lower-case letters, digits and -, at most 63. */
export const flyAppNameSchema = text("a Fly app name (lower-case letters, digits, -; up to 63 chars, not starting or ending with -)", /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);

/** A Fly Managed Postgres cluster's disk: 10–1000 GB (the spec's createPostgresClusterRequest), 10 when not set. */
export const MPG_DISK_SIZE_GB = { min: 10, max: 1000, default: 10 } as const;
export const mpgDiskSizeGbSchema = int(MPG_DISK_SIZE_GB.min, MPG_DISK_SIZE_GB.max);
/** A database in a Fly Managed Postgres cluster: what its pg-admin API takes (letters, digits, - or _). */
export const mpgDatabaseNameSchema = text(
  "a database name (letters, digits, - or _, starting and ending with a letter or digit; up to 63)",
  /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/,
);
/** A Postgres extension by its name (`vector`, `pg_trgm`, `uuid-ossp`). */
export const pgExtensionSchema = text("a Postgres extension name like vector", /^[a-z0-9_-]+$/);
/** The app's user in a Fly Managed Postgres cluster. */
export const mpgUsernameSchema = text("a user name (lower-case letters, digits, - or _, starting and ending with a letter or digit; up to 63)", /^[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?$/);
/**
 * GitHub's rules for an environment's secret and variable names: an environment variable name that does not start
 * with `GITHUB_` (GitHub compares names upper-cased, so neither does `github_`).
 */
export const githubSecretNameSchema = text(
  "a GitHub secret or variable name (letters, digits, _; not starting with GITHUB_)",
  /^(?![Gg][Ii][Tt][Hh][Uu][Bb]_)[A-Za-z_][A-Za-z0-9_]*$/,
);
/** GitHub: at most six required reviewers per environment, users and teams together; a wait timer of 0–30 days. */
export const GITHUB_MAX_REVIEWERS = 6;
export const githubWaitTimerMinutesSchema = int(0, 43_200);
/** An environment's name: GitHub takes 1–255 characters. */
export const githubEnvironmentNameSchema = text("an environment name (up to 255 characters)").max(255, expected("an environment name (up to 255 characters)"));

/** A Pulumi stack name as `slipway:image.stack` (kind fromStack) and `slipway:database.forkFrom` read another stack by. */
export const stackNameSchema = text('a stack name like "acme/slipway/staging"', /^[\w.-]+(\/[\w.-]+){0,2}$/);

export const retentionDaysSchema = int(RETENTION_DAYS.min, RETENTION_DAYS.max);
export const flySnapshotRetentionDaysSchema = int(FLY_SNAPSHOT_RETENTION_DAYS.min, FLY_SNAPSHOT_RETENTION_DAYS.max);
export const volumeSizeGbSchema = int(VOLUME_SIZE_GB.min, VOLUME_SIZE_GB.max);

/** A health check's timing fields: the same bounds for `slipway:app.healthCheck` and `CoolifyApplication`. */
export const healthCheckTiming = {
  intervalSeconds: int(1, 3600),
  timeoutSeconds: int(1, 600),
  gracePeriodSeconds: int(0, 3600),
} as const;

/**
 * For argument checks in component constructors: `<what>: expected …, got <value>` when `schema` refuses `value`,
 * else undefined. The same schema is what the provider's `check` and the stack config parse with.
 */
export function refusal(what: string, schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  return `${what}: ${result.error.issues[0]?.message ?? "invalid"}, got ${JSON.stringify(value)}`;
}
