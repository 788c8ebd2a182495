/**
 * The shape of one environment, as it appears under `slipway:` in a stack file. Each top-level config key
 * (`slipway:app`, `slipway:image`, …) has its own schema in `sectionSchemas`, so one broken section does not
 * hide the mistakes in the others: `config.ts` parses every section and reports all issues at once.
 *
 * Every leaf carries its "expected …" phrase as the zod error, so the formatter can print
 * `<path>: expected <phrase>, got <what was there>` without knowing zod's issue vocabulary.
 * Rules that span fields or sections live in `rules.ts`.
 */
import { z } from "zod";
import { FLY_CPU_KINDS, FLY_REGION_PHRASE, FLY_RETIRED_REGIONS, guestProblem, isFlyRegion } from "../components/fly/limits";
import { githubEnvironmentSchema, githubSchema } from "./schema-github";
import { notificationsSchema, type NotificationsConfig } from "./schema-notify";
import {
  commitShaSchema, FLY_MACHINE_DEFAULTS, flyAppNameSchema, flySnapshotRetentionDaysSchema, HEALTH_CHECK_DEFAULTS, HEALTH_GATED_ROLLING_UPDATE_DEFAULT, healthCheckTiming, httpPathSchema,
  imageRefSchema, INSTANT_DEPLOY_DEFAULT, portMappingSchema, mpgDatabaseNameSchema, mpgDiskSizeGbSchema, pgExtensionSchema, POSTGRES_DEFAULTS, repositoryPathSchema, stackNameSchema, retentionDaysSchema, sqlIdentifierSchema, volumeNameSchema, volumeSizeGbSchema,
} from "../components/rules";
import { SECTION_META } from "./schema-doc";
import { absPath, bool, cron, envMap, envName, expected, hostname, int, list, obj, oneOf, pinnedImage, port, text } from "./schema-parts";

export { ENV_NAME, int, isCron, isHostname } from "./schema-parts";
export { githubEnvironmentSchema, githubSchema } from "./schema-github";



export const appSchema = obj({
  name: text("a lower-case name (letters, digits, -; 2–30 chars, starting with a letter)", /^[a-z][a-z0-9-]{0,28}[a-z0-9]$/),
  ports: obj({
    http: port(),
    internal: list(port(), "ports").default([]),
    /**
     * More public HTTP ports, each with its own domains and TLS (stacks/rules-ports.ts says what each target
     * can do): Coolify routes each domain to its port behind the proxy on 443; Fly serves the port as another
     * service on `externalPort` (default: the same number) with its own health check.
     */
    public: list(obj({
      port: port(),
      domains: list(hostname(), "host names").default([]),
      externalPort: port().optional(),
      healthCheckPath: httpPathSchema.optional(),
    }), "public ports").default([]),
  }),
  healthCheck: obj({
    path: httpPathSchema,
    port: port().optional(),
    intervalSeconds: healthCheckTiming.intervalSeconds.default(HEALTH_CHECK_DEFAULTS.intervalSeconds),
    timeoutSeconds: healthCheckTiming.timeoutSeconds.default(HEALTH_CHECK_DEFAULTS.timeoutSeconds),
    gracePeriodSeconds: healthCheckTiming.gracePeriodSeconds.default(HEALTH_CHECK_DEFAULTS.gracePeriodSeconds),
  }).optional(),
  env: envMap("an environment variable name (letters, digits, _; not starting with a digit)").default({}),
  secretEnv: list(envName(), "environment variable names").default([]),
  releaseCommand: text("a shell command").optional(),
  /**
   * `slipway deploy` polls `healthUrl` after every up and rolls back when it fails. A stack that exports no
   * health URL (no health check, or Coolify without a domain) must say so explicitly, with the reason
   * (`stacks/rules-deploy.ts`); `deploy` then prints the reason instead of gating.
   */
  healthGate: obj({
    off: z.literal(true, expected("true (the only way to turn the gate off)")),
    reason: text("why deploys of this stack may skip the health gate"),
  }).optional(),
  /** Container limits on Coolify; Fly machines are sized by `slipway:scaling.fly.guest` instead. */
  resources: obj({
    cpus: z.number(expected("a number of CPUs from 0.1 to 64")).min(0.1, expected("a number of CPUs from 0.1 to 64")).max(64, expected("a number of CPUs from 0.1 to 64")),
    memoryMb: int(64, 262144),
  }).optional(),
});

export const imageSchema = z.discriminatedUnion("kind", [
  obj({
    kind: z.literal("build"),
    context: text("a directory").default("."),
    dockerfile: text("a file path").default("Dockerfile"),
    registry: hostname(),
    repository: repositoryPathSchema,
    platform: oneOf(["linux/amd64", "linux/arm64"]).default("linux/amd64"),
  }),
  obj({ kind: z.literal("pinned"), ref: pinnedImage() }),
  obj({
    kind: z.literal("fromStack"),
    stack: stackNameSchema,
    output: text("a stack output name").default("imageRef"),
  }),
  obj({
    kind: z.literal("flox"),
    environment: text("a directory holding a .flox environment").default("."),
    registry: hostname(),
    repository: repositoryPathSchema,
  }),
], expected('an image with kind one of "build", "pinned", "fromStack", "flox"'));

/** A region Fly places machines and volumes in (the rule source the Fly emulator uses too: components/fly/limits.ts). */
const flyRegion = () =>
  z.string(expected(FLY_REGION_PHRASE)).superRefine((v, ctx) => {
    if (isFlyRegion(v)) return;
    const into = FLY_RETIRED_REGIONS[v];
    const phrase = into ? FLY_REGION_PHRASE.replace(/\)$/, `; Fly retired ${v} into ${into})`) : FLY_REGION_PHRASE;
    ctx.addIssue({ code: "custom", input: v, message: `expected ${phrase}` });
  });

export const targetsSchema = obj({
  coolify: obj({
    serverUuid: text("a Coolify server UUID"),
    projectName: text("a project name"),
    environmentName: text("an environment name").default("production"),
    destinationUuid: text("a Coolify destination UUID").optional(),
    portMappings: list(portMappingSchema, "port mappings").default([]),
    instantDeploy: bool().default(INSTANT_DEPLOY_DEFAULT),
  }).optional(),
  fly: obj({
    org: text("a Fly organization slug", /^[a-z0-9-]+$/),
    appName: flyAppNameSchema,
  }).optional(),
});

export const databaseSchema = z.discriminatedUnion("kind", [
  obj({
    kind: z.literal("postgres"),
    image: imageRefSchema("a Postgres image like pgvector/pgvector:pg16").default(POSTGRES_DEFAULTS.image),
    /** Postgres major version; checked against a `pgNN` image tag so the two cannot drift apart. */
    version: int(13, 18).default(POSTGRES_DEFAULTS.version),
    databaseName: sqlIdentifierSchema.default(POSTGRES_DEFAULTS.databaseName),
    volumeSizeGb: volumeSizeGbSchema.default(POSTGRES_DEFAULTS.volumeSizeGb),
    backups: obj({ schedule: cron(), retentionDays: retentionDaysSchema }).optional(),
    protect: bool().default(true),
  }),
  obj({ kind: z.literal("sqlite"), path: absPath(), ephemeral: bool().default(false) }),
  /**
   * Fly Managed Postgres (the fly target only): Fly runs the cluster. Sizing is fixed when it is created (the API
   * has no update), so components/fly/managed-postgres.provider.ts refuses changes unless `allowReplace`. With
   * `forkFrom` the cluster is a fork of the stack's cluster named there (stacks/rules-database.ts).
   */
  obj({
    kind: z.literal("flyManaged"),
    plan: oneOf(["basic", "starter", "launch", "scale", "performance"]).optional().meta({ description: "Fly's plan (CPU, memory); slipway's default basic" }),
    region: flyRegion().optional().meta({ description: "default: the first of slipway:scaling.fly.regions" }),
    diskSizeGb: mpgDiskSizeGbSchema.optional().meta({ description: "default 10; fixed once created (the API cannot resize)" }),
    pgMajorVersion: int(16, 17).optional().meta({ description: "default 16, flyctl's" }),
    poolMode: oneOf(["session", "transaction"]).optional(),
    databaseName: mpgDatabaseNameSchema.default(POSTGRES_DEFAULTS.databaseName),
    extensions: list(pgExtensionSchema, "extension names").default(["vector"]),
    endpoint: oneOf(["pooler", "direct"]).default("pooler"),
    forkFrom: stackNameSchema.optional().meta({ description: "fork this stack's cluster (its flyManagedPostgresClusterId output) instead of creating one; sizing is the source's" }),
    protect: bool().optional().meta({ description: "refuse destroy and replacement; default true, false with forkFrom" }),
    allowReplace: bool().optional().meta({ description: "let a changed setting create a new, empty cluster; default false, true with forkFrom" }),
    /** Not a setting: present only so the refusal can say why (stacks/rules-database.ts). */
    backups: z.unknown().optional().meta({ description: "refused: Fly's API has no backup schedule or retention" }),
  }),
  obj({ kind: z.literal("none") }),
], expected('a database with kind one of "postgres", "sqlite", "flyManaged", "none"'));

export const volumeSchema = obj({
  name: volumeNameSchema,
  mountPath: absPath(),
  /** Fly only (a Fly volume has a fixed size); a Coolify volume is a Docker volume that has none. */
  sizeGb: volumeSizeGbSchema.optional(),
  /** Fly only: Fly snapshots every volume daily and keeps them this long (slipway's default: 5). */
  snapshotRetentionDays: flySnapshotRetentionDaysSchema.optional(),
  /** Coolify only: scheduled archives of the volume on the server (Coolify v4.3.10 VolumeBackupsController). */
  backups: obj({ schedule: cron(), retentionDays: retentionDaysSchema }).optional(),
  /** Refuse `pulumi destroy` (and replacements) of the volume while true. */
  protect: bool().default(false),
});
export const volumesSchema = list(volumeSchema, "volumes");
export const domainsSchema = list(hostname(), "host names");

export const flyScalingSchema = obj({
  regions: list(flyRegion(), "Fly region codes").min(1, expected("at least one Fly region")),
  guest: obj({
    cpuKind: oneOf(FLY_CPU_KINDS).default(FLY_MACHINE_DEFAULTS.guest.cpuKind),
    // Bounds by CPU kind are Fly's guest rules below.
    cpus: int(1).default(FLY_MACHINE_DEFAULTS.guest.cpus),
    memoryMb: int(1).default(FLY_MACHINE_DEFAULTS.guest.memoryMb),
  })
    // Fly's own guest rules (flyctl's machine-update check, fly-go's memory per CPU; components/fly/limits.ts, which the
    // Fly emulator refuses with too). Here rather than in rules.ts, so a mistake elsewhere in scaling hides none of them.
    .superRefine((g, ctx) => {
      // zod runs this even when a field failed its own check: judge only a guest whose fields all passed theirs.
      if (typeof g.cpuKind !== "string" || !(Number.isInteger(g.cpus) && g.cpus >= 1) || !(Number.isInteger(g.memoryMb) && g.memoryMb >= 1)) return;
      const problem = guestProblem(g);
      if (problem) ctx.addIssue({ code: "custom", path: [problem.field], input: g[problem.field], message: `expected ${problem.expected}` });
    })
    .prefault({}),
  minRunning: int(0).default(1),
  maxMachines: int(1, 100).default(FLY_MACHINE_DEFAULTS.count),
  autostart: bool().default(FLY_MACHINE_DEFAULTS.autostart),
  autostop: oneOf(["off", "stop", "suspend"]).default(FLY_MACHINE_DEFAULTS.autostop),
  strategy: oneOf(["rolling", "bluegreen", "canary", "immediate"]).default(FLY_MACHINE_DEFAULTS.strategy),
  maxUnavailable: int(1).optional(),
});

export const scalingSchema = obj({
  fly: flyScalingSchema.optional(),
  coolify: obj({ healthGatedRollingUpdate: bool().default(HEALTH_GATED_ROLLING_UPDATE_DEFAULT) }).optional(),
});

/** Secret values, by name; the key must be secure (`pulumi config set --secret --path 'slipway:secrets.NAME'`). */
export const secretsSchema = z.record(z.string(), z.string(expected("a string")), expected("a map of NAME: secret value"));

export const releaseSchema = obj({
  commit: commitShaSchema.optional(),
  tag: text("a git tag"),
  time: z.iso.datetime(expected("an ISO 8601 UTC time like 2026-01-31T12:00:00Z")),
  // Written by `slipway deploy`/`rollback` for the run (never committed): the update history then lists releases
  // (infra/cli/releases.ts), and the program deploys exactly this digest, building nothing (stacks/environment.ts).
  image: pinnedImage(),
  actor: text("who started the release (a GitHub login or user name)"),
}).partial();

/** One schema per `slipway:<key>`; the key order is the order errors are reported in. */
export const sectionSchemas = {
  // `.meta()` carries what docs/CONFIG.md says about each section and its keys (stacks/schema-doc.ts); parsing ignores it.
  app: appSchema.meta(SECTION_META.app),
  image: imageSchema.meta(SECTION_META.image),
  targets: targetsSchema.meta(SECTION_META.targets),
  database: databaseSchema.default({ kind: "none" }).meta(SECTION_META.database),
  volumes: volumesSchema.default([]).meta(SECTION_META.volumes),
  domains: domainsSchema.default([]).meta(SECTION_META.domains),
  scaling: scalingSchema.prefault({}).meta(SECTION_META.scaling),
  github: githubSchema.optional().meta(SECTION_META.github),
  notifications: notificationsSchema.optional().meta(SECTION_META.notifications),
  secrets: secretsSchema.default({}).meta(SECTION_META.secrets),
  release: releaseSchema.optional().meta(SECTION_META.release),
} as const;

export type SectionName = keyof typeof sectionSchemas;
export const REQUIRED_SECTIONS: readonly SectionName[] = ["app", "image", "targets"];

export type AppConfig = z.output<typeof appSchema>;
export type HealthCheckConfig = NonNullable<AppConfig["healthCheck"]>;
export type ImageConfig = z.output<typeof imageSchema>;
export type TargetsConfig = z.output<typeof targetsSchema>;
export type CoolifyTargetConfig = NonNullable<TargetsConfig["coolify"]>;
export type FlyTargetConfig = NonNullable<TargetsConfig["fly"]>;
export type DatabaseConfig = z.output<typeof databaseSchema>;
export type PostgresConfig = Extract<DatabaseConfig, { kind: "postgres" }>;
export type FlyManagedConfig = Extract<DatabaseConfig, { kind: "flyManaged" }>;
export type VolumeConfig = z.output<typeof volumeSchema>;
export type FlyScalingConfig = z.output<typeof flyScalingSchema>;
export type ScalingConfig = z.output<typeof scalingSchema>;
export type GithubConfig = z.output<typeof githubSchema>;
export type GithubEnvironmentConfig = z.output<typeof githubEnvironmentSchema>;
/** What the main environment and each additional one have in common. */
export type GithubEnvironmentFields = Omit<GithubEnvironmentConfig, "name">;
export type ReleaseConfig = z.output<typeof releaseSchema>;

/** A validated environment with defaults applied. `secrets` holds plaintext values: wrap them in `pulumi.secret`. */
export interface StackConfig {
  app: AppConfig;
  image: ImageConfig;
  targets: TargetsConfig;
  database: DatabaseConfig;
  volumes: VolumeConfig[];
  domains: string[];
  scaling: ScalingConfig;
  github?: GithubConfig;
  notifications?: NotificationsConfig;
  secrets: Record<string, string>;
  release?: ReleaseConfig;
}
