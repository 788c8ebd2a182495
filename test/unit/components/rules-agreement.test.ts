/**
 * One rule, one place (issue 12): for each shape, the same sample values go through every layer that checks it —
 * the stack config (`slipway:*`, stacks/schema.ts), the component's argument check (run before anything is
 * registered) and the dynamic provider's `check` — and every layer must accept or refuse each sample alike. The
 * samples sit on the edges of each rule, so a divergent copy of a rule written back into any one layer fails here.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { sectionSchemas } from "../../../stacks/schema";
import { validateApplicationArgs, validateDatabaseArgs } from "../../../components/coolify/validate";
import { validateVolumeBackupArgs } from "../../../components/coolify/volume-backup";
import { coolifyApplicationProvider } from "../../../components/coolify/application.provider";
import { coolifyDatabaseProvider } from "../../../components/coolify/database.provider";
import { coolifyVolumeBackupProvider } from "../../../components/coolify/volume-backup.provider";
import { validateVolumeArgs } from "../../../components/fly/volume";
import { validatePostgresArgs } from "../../../components/fly/postgres";
import { validateSecretsArgs } from "../../../components/fly/secrets";
import { flyVolumeProvider } from "../../../components/fly/volume.provider";
import { flySecretsProvider } from "../../../components/fly/secrets.provider";
import { flyAppProvider } from "../../../components/fly/app.provider";
import { flyCertificateProvider } from "../../../components/fly/certificate.provider";
import { validateManagedPostgresArgs } from "../../../components/fly/managed-postgres";
import { flyManagedPostgresProvider } from "../../../components/fly/managed-postgres.provider";
import { flyManagedDatabaseProvider } from "../../../components/fly/managed-postgres-database.provider";
import { flyManagedPostgresAttachmentProvider } from "../../../components/fly/managed-postgres-attachment.provider";
import { parsePinnedRef } from "../../../components/image";
import { validateEnvironmentArgs } from "../../../components/github/environment";
import { releaseProvider } from "../../../components/release.provider";
import { generatedPasswordProvider } from "../../../components/password.provider";
import { FLY_MACHINE_DEFAULTS, HEALTH_CHECK_DEFAULTS, HEALTH_GATED_ROLLING_UPDATE_DEFAULT, INSTANT_DEPLOY_DEFAULT, POSTGRES_DEFAULTS } from "../../../components/rules";
import { appInputs, dbInputs } from "./coolify/fixtures";

type Accepts = (value: never) => boolean | Promise<boolean>;
type Section = keyof typeof sectionSchemas;

const DIGEST = `ghcr.io/acme/shop@sha256:${"a".repeat(64)}`;
const coolifyConnection = { apiUrl: "http://127.0.0.1:1/api/v1", token: "t" };
const flyConnection = { apiUrl: "http://127.0.0.1:2", token: "t" };

/** The stack layer: does `slipway:<section>` parse with the sample in place? */
const stack = (section: Section, build: (v: never) => unknown): Accepts => (v) =>
  (sectionSchemas[section] as z.ZodType).safeParse(build(v)).success;
/** A component's argument check: does it return without throwing? */
const component = (run: (v: never) => void): Accepts => (v) => {
  try {
    run(v);
    return true;
  } catch {
    return false;
  }
};
/** A provider's `check`: no failures? */
const provider = (p: { check?: (olds: never, news: never) => Promise<{ failures?: unknown[] }> }, build: (v: never) => unknown): Accepts => async (v) =>
  ((await p.check!({} as never, build(v) as never)).failures ?? []).length === 0;

const app = (over: Record<string, unknown>) => ({ name: "shop", ports: { http: 3000 }, ...over });
const volume = (over: Record<string, unknown>) => [{ name: "media", mountPath: "/data", ...over }];
const postgres = (over: Record<string, unknown>) => ({ kind: "postgres", ...over });
const coolifyApp = (over: Record<string, unknown>) => validateApplicationArgs("web", { image: DIGEST, port: 3000, ...over });
const flyVolume = (over: Record<string, unknown>) => validateVolumeArgs("v", { app: "a", name: "media", region: "ewr", ...over });
const flyVolumeInputs = (over: Record<string, unknown>) => ({
  connection: flyConnection, app: "a", name: "media", region: "ewr", sizeGb: 1, snapshotRetention: 5, autoBackup: true, encrypted: true, ...over,
});
const backupInputs = (over: Record<string, unknown>) => ({ connection: coolifyConnection, applicationUuid: "app1", volume: "media", schedule: "@daily", retentionDays: 7, ...over });
const coolifyBackup = (over: Record<string, unknown>) => validateVolumeBackupArgs("b", { applicationUuid: "app1", volume: "media", schedule: "@daily", retentionDays: 7, ...over });
const mpg = (over: Record<string, unknown>) => validateManagedPostgresArgs("db", { name: "db", org: "acme", region: "ewr", username: "shop", ...over } as never);
const mpgCluster = (over: Record<string, unknown>) => ({ connection: flyConnection, org: "acme", name: "db", region: "ewr", allowReplace: false, ...over });
const github = (over: Record<string, unknown>) => ({ owner: "acme", repository: "shop", environment: "production", ...over });
const githubEnv = (over: Record<string, unknown>) => validateEnvironmentArgs("e", { repository: "shop", environment: "production", ...over } as never);
const release = (over: Record<string, unknown>) => ({ imageRef: DIGEST, pinned: true, ...over });

interface Shape {
  shape: string;
  samples: readonly unknown[];
  layers: Record<string, Accepts>;
}

const SHAPES: Shape[] = [
  {
    shape: "port",
    samples: [0, 1, 80, 65535, 65536, 3.5, -1],
    layers: {
      "slipway:app.ports.http": stack("app", (v) => app({ ports: { http: v } })),
      "CoolifyApplication port": component((v) => coolifyApp({ port: v })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ ports: [v] })),
    },
  },
  {
    shape: "port mapping",
    samples: ["8080:3000", "1:65535", "80", "0:80", "70000:80", "a:b", "8080:3000:1", ""],
    layers: {
      "slipway:targets.coolify.portMappings": stack("targets", (v) => ({ coolify: { serverUuid: "s", projectName: "p", portMappings: [v] } })),
      "CoolifyApplication portMappings": component((v) => coolifyApp({ portMappings: [v] })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ portMappings: [v] })),
    },
  },
  {
    shape: "volume name",
    samples: ["media", "media_files", "_data", "a".repeat(30), "a".repeat(31), "Media", "my-data", "my.data", ""],
    layers: {
      "slipway:volumes[].name": stack("volumes", (v) => volume({ name: v })),
      "CoolifyApplication volumes": component((v) => coolifyApp({ volumes: [{ name: v, mountPath: "/data" }] })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ volumes: [{ name: v, mountPath: "/data" }] })),
      "CoolifyVolumeBackup volume": component((v) => coolifyBackup({ volume: v })),
      "coolify:volume-backup check": provider(coolifyVolumeBackupProvider, (v) => backupInputs({ volume: v })),
      "FlyVolume name": component((v) => flyVolume({ name: v })),
      "fly:volume check": provider(flyVolumeProvider, (v) => flyVolumeInputs({ name: v })),
    },
  },
  {
    shape: "mount path",
    samples: ["/data", "/", "/app/media", "data", "/a b", ""],
    layers: {
      "slipway:volumes[].mountPath": stack("volumes", (v) => volume({ mountPath: v })),
      "CoolifyApplication volumes": component((v) => coolifyApp({ volumes: [{ name: "media", mountPath: v }] })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ volumes: [{ name: "media", mountPath: v }] })),
    },
  },
  {
    shape: "health-check path",
    samples: ["/health", "/", "/a?b=1", "health", "/a b", ""],
    layers: {
      "slipway:app.healthCheck.path": stack("app", (v) => app({ healthCheck: { path: v } })),
      "CoolifyApplication healthCheck.path": component((v) => coolifyApp({ healthCheck: { path: v } })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ healthCheck: { ...appInputs().healthCheck!, path: v } })),
    },
  },
  {
    shape: "health-check timing",
    samples: [-1, 0, 1, 600, 601, 3600, 3601],
    layers: {
      "slipway:app.healthCheck.intervalSeconds": stack("app", (v) => app({ healthCheck: { path: "/", intervalSeconds: v } })),
      "coolify:application check intervalSeconds": provider(coolifyApplicationProvider, (v) => appInputs({ healthCheck: { ...appInputs().healthCheck!, intervalSeconds: v } })),
    },
  },
  {
    shape: "health-check timeout",
    samples: [0, 1, 600, 601],
    layers: {
      "slipway:app.healthCheck.timeoutSeconds": stack("app", (v) => app({ healthCheck: { path: "/", timeoutSeconds: v, intervalSeconds: 3600 } })),
      "coolify:application check timeoutSeconds": provider(coolifyApplicationProvider, (v) => appInputs({ healthCheck: { ...appInputs().healthCheck!, timeoutSeconds: v } })),
    },
  },
  {
    shape: "health-check grace period",
    samples: [-1, 0, 3600, 3601],
    layers: {
      "slipway:app.healthCheck.gracePeriodSeconds": stack("app", (v) => app({ healthCheck: { path: "/", gracePeriodSeconds: v } })),
      "coolify:application check startPeriodSeconds": provider(coolifyApplicationProvider, (v) => appInputs({ healthCheck: { ...appInputs().healthCheck!, startPeriodSeconds: v } })),
    },
  },
  {
    shape: "environment variable name",
    samples: ["PORT", "_X", "a_b1", "9X", "BAD-NAME", "A.B", ""],
    layers: {
      "slipway:app.env": stack("app", (v) => app({ env: { [v]: "1" } })),
      "slipway:app.secretEnv": stack("app", (v) => app({ secretEnv: [v] })),
      "CoolifyApplication env": component((v) => coolifyApp({ env: { [v]: "1" } })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ env: { [v]: "1" } })),
      "FlySecrets values": component((v) => validateSecretsArgs("s", { app: "a", values: { [v]: "x" } })),
      "fly:secrets check": provider(flySecretsProvider, (v) => ({ connection: flyConnection, app: "a", values: { [v]: "x" } })),
    },
  },
  {
    shape: "database / role name",
    samples: ["app", "my_db", "_x", "a".repeat(63), "a".repeat(64), "My-DB", "9db", ""],
    layers: {
      "slipway:database.databaseName": stack("database", (v) => postgres({ databaseName: v })),
      "CoolifyDatabase databaseName": component((v) => validateDatabaseArgs("db", { databaseName: v })),
      "coolify:database check": provider(coolifyDatabaseProvider, (v) => dbInputs({ databaseName: v })),
      "FlyPostgres database": component((v) => validatePostgresArgs("db", { name: "db", region: "ewr", database: v })),
    },
  },
  {
    shape: "Postgres image",
    samples: ["pgvector/pgvector:pg16", "postgres", "ghcr.io/acme/pg:16", DIGEST, "Not An Image", "a:b:c", ""],
    layers: {
      "slipway:database.image": stack("database", (v) => postgres({ image: v })),
      "CoolifyDatabase image": component((v) => validateDatabaseArgs("db", { image: v })),
      "coolify:database check": provider(coolifyDatabaseProvider, (v) => dbInputs({ image: v })),
      "FlyPostgres image": component((v) => validatePostgresArgs("db", { name: "db", region: "ewr", image: v })),
    },
  },
  {
    shape: "image pinned by digest",
    samples: [DIGEST, `ghcr.io/acme/shop:1.0@sha256:${"b".repeat(64)}`, "ghcr.io/acme/shop:1.0", `ghcr.io/acme/shop@sha256:${"A".repeat(64)}`, `shop@sha256:${"a".repeat(63)}`, ""],
    layers: {
      "slipway:image.ref": stack("image", (v) => ({ kind: "pinned", ref: v })),
      "slipway:release.image": stack("release", (v) => ({ image: v })),
      "CoolifyApplication image": component((v) => coolifyApp({ image: v })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ image: v })),
      "ContainerImage ref": (v: never) => parsePinnedRef(v) !== undefined,
      "slipway:release check": provider(releaseProvider, (v) => release({ imageRef: v })),
    },
  },
  {
    shape: "host name",
    // The Coolify component strips `https://` and a trailing `/` and lower-cases before this rule (its domains
    // are URLs to Coolify); the samples are what reaches the rule.
    samples: ["app.example.com", "a-b.example.co.uk", "*.example.com", "localhost", "app.example.com/x", "-a.example.com", "app.example.1", ""],
    layers: {
      "slipway:domains": stack("domains", (v) => [v]),
      "slipway:app.ports.public[].domains": stack("app", (v) => app({ ports: { http: 3000, public: [{ port: 4000, domains: [v] }] } })),
      "CoolifyApplication domains": component((v) => coolifyApp({ domains: [v] })),
      "coolify:application check": provider(coolifyApplicationProvider, (v) => appInputs({ domains: [v] })),
      "fly:certificate check": provider(flyCertificateProvider, (v) => ({ connection: flyConnection, app: "a", hostname: v })),
    },
  },
  {
    shape: "backup schedule",
    samples: ["@daily", "daily", "every_minute", "0 3 * * *", "*/15 * * * *", "nightly", "61 * * * *", "0 3 * *", ""],
    layers: {
      "slipway:database.backups.schedule": stack("database", (v) => postgres({ backups: { schedule: v, retentionDays: 7 } })),
      "slipway:volumes[].backups.schedule": stack("volumes", (v) => volume({ backups: { schedule: v, retentionDays: 7 } })),
      "CoolifyDatabase backups.schedule": component((v) => validateDatabaseArgs("db", { backups: { schedule: v } })),
      "coolify:database check": provider(coolifyDatabaseProvider, (v) => dbInputs({ backup: { schedule: v, retentionDays: 7, retentionAmount: 0 } })),
      "CoolifyVolumeBackup schedule": component((v) => coolifyBackup({ schedule: v })),
      "coolify:volume-backup check": provider(coolifyVolumeBackupProvider, (v) => backupInputs({ schedule: v })),
    },
  },
  {
    shape: "backup retention days",
    samples: [0, 1, 30, 3650, 3651, 1.5],
    layers: {
      "slipway:database.backups.retentionDays": stack("database", (v) => postgres({ backups: { schedule: "@daily", retentionDays: v } })),
      "slipway:volumes[].backups.retentionDays": stack("volumes", (v) => volume({ backups: { schedule: "@daily", retentionDays: v } })),
      "CoolifyDatabase backups.retentionDays": component((v) => validateDatabaseArgs("db", { backups: { schedule: "@daily", retentionDays: v } })),
      "coolify:database check": provider(coolifyDatabaseProvider, (v) => dbInputs({ backup: { schedule: "@daily", retentionDays: v, retentionAmount: 0 } })),
      "CoolifyVolumeBackup retentionDays": component((v) => coolifyBackup({ retentionDays: v })),
      "coolify:volume-backup check": provider(coolifyVolumeBackupProvider, (v) => backupInputs({ retentionDays: v })),
    },
  },
  {
    shape: "Fly volume size",
    samples: [0, 1, 500, 501, 2.5],
    layers: {
      "slipway:volumes[].sizeGb": stack("volumes", (v) => volume({ sizeGb: v })),
      "slipway:database.volumeSizeGb": stack("database", (v) => postgres({ volumeSizeGb: v })),
      "FlyVolume sizeGb": component((v) => flyVolume({ sizeGb: v })),
      "fly:volume check": provider(flyVolumeProvider, (v) => flyVolumeInputs({ sizeGb: v })),
    },
  },
  {
    shape: "Fly snapshot retention",
    samples: [0, 1, 60, 61],
    layers: {
      "slipway:volumes[].snapshotRetentionDays": stack("volumes", (v) => volume({ snapshotRetentionDays: v })),
      "FlyVolume snapshotRetention": component((v) => flyVolume({ snapshotRetention: v })),
      "fly:volume check": provider(flyVolumeProvider, (v) => flyVolumeInputs({ snapshotRetention: v })),
    },
  },
  {
    shape: "Fly app name",
    samples: ["shop", "ab", "a", "shop-production", "a".repeat(63), "a".repeat(64), "Shop", "-shop", "shop-", "shop_1", ""],
    layers: {
      "slipway:targets.fly.appName": stack("targets", (v) => ({ fly: { org: "acme", appName: v } })),
      "fly:app check": provider(flyAppProvider, (v) => ({ connection: flyConnection, name: v, org: "acme" })),
    },
  },
  {
    shape: "Fly Managed Postgres database name",
    samples: ["app", "My-DB", "a_b", "a".repeat(63), "a".repeat(64), "-a", "a-", ""],
    layers: {
      "slipway:database.databaseName (flyManaged)": stack("database", (v) => ({ kind: "flyManaged", databaseName: v })),
      "FlyManagedPostgres database": component((v) => mpg({ database: v })),
      "fly:managed-postgres-database check": provider(flyManagedDatabaseProvider, (v) => ({ connection: flyConnection, clusterId: "c1", name: v, extensions: [], allowReplace: false })),
    },
  },
  {
    shape: "Postgres extension name",
    samples: ["vector", "pg_trgm", "uuid-ossp", "Vector", "a b", ""],
    layers: {
      "slipway:database.extensions (flyManaged)": stack("database", (v) => ({ kind: "flyManaged", extensions: [v] })),
      "FlyManagedPostgres extensions": component((v) => mpg({ extensions: [v] })),
      "fly:managed-postgres-database check": provider(flyManagedDatabaseProvider, (v) => ({ connection: flyConnection, clusterId: "c1", name: "app", extensions: [v], allowReplace: false })),
    },
  },
  {
    shape: "Fly Managed Postgres disk size",
    samples: [9, 10, 500, 1000, 1001, 10.5],
    layers: {
      "slipway:database.diskSizeGb (flyManaged)": stack("database", (v) => ({ kind: "flyManaged", diskSizeGb: v })),
      "FlyManagedPostgres diskSizeGb": component((v) => mpg({ diskSizeGb: v })),
      "fly:managed-postgres check": provider(flyManagedPostgresProvider, (v) => mpgCluster({ diskSizeGb: v })),
    },
  },
  {
    shape: "Fly Managed Postgres user name",
    samples: ["shop", "shop_production", "shop-1", "Shop", "_shop", "a".repeat(64), ""],
    layers: {
      "FlyManagedPostgres username": component((v) => mpg({ username: v })),
      "fly:managed-postgres-attachment check": provider(flyManagedPostgresAttachmentProvider, (v) => ({
        connection: flyConnection, clusterId: "c1", app: "shop", database: "app", username: v, role: "writer", host: "db.flympg.net", port: 5432,
      })),
    },
  },
  {
    shape: "GitHub secret / variable name",
    samples: ["DEPLOY_KEY", "api_url", "_X", "GITHUB_TOKEN", "github_token", "9X", "BAD-NAME", ""],
    layers: {
      "slipway:github.secrets": stack("github", (v) => github({ secrets: [v] })),
      "slipway:github.variables": stack("github", (v) => github({ variables: { [v]: "1" } })),
      "GithubEnvironment secrets": component((v) => githubEnv({ secrets: { [v]: "x" } })),
      "GithubEnvironment variables": component((v) => githubEnv({ variables: { [v]: "x" } })),
    },
  },
  {
    shape: "GitHub wait timer",
    samples: [-1, 0, 43200, 43201, 1.5],
    layers: {
      "slipway:github.waitTimerMinutes": stack("github", (v) => github({ waitTimerMinutes: v })),
      "GithubEnvironment waitTimer": component((v) => githubEnv({ waitTimer: v })),
    },
  },
  {
    shape: "GitHub environment name",
    samples: ["production", "a".repeat(255), "a".repeat(256), ""],
    layers: {
      "slipway:github.environment": stack("github", (v) => github({ environment: v })),
      "GithubEnvironment environment": component((v) => githubEnv({ environment: v })),
    },
  },
  {
    shape: "git commit",
    samples: ["abc1234", "a".repeat(40), "abc123", "a".repeat(41), "ABC1234", "HEAD"],
    layers: {
      "slipway:release.commit": stack("release", (v) => ({ commit: v })),
      "slipway:release check": provider(releaseProvider, (v) => release({ commit: v })),
    },
  },
  {
    shape: "generated password length",
    samples: [15, 16, 32, 128, 129],
    layers: {
      "CoolifyDatabase passwordLength": component((v) => validateDatabaseArgs("db", { passwordLength: v })),
      "slipway:generated-password check": provider(generatedPasswordProvider, (v) => ({ length: v, keepers: {} })),
    },
  },
];

describe("every layer accepts and refuses the same values of each shape", () => {
  it.each(SHAPES.map((s) => [s.shape, s] as const))("%s", async (_name, { samples, layers }) => {
    const table: Record<string, Record<string, boolean>> = {};
    for (const sample of samples) {
      const row: Record<string, boolean> = {};
      for (const [layer, accepts] of Object.entries(layers)) row[layer] = await accepts(sample as never);
      table[JSON.stringify(sample)] = row;
    }
    const disagreements = Object.entries(table).filter(([, row]) => new Set(Object.values(row)).size > 1);
    expect(Object.fromEntries(disagreements)).toEqual({});
    // Not vacuous: each shape's samples include values that are accepted and values that are refused.
    const verdicts = new Set(Object.values(table).map((row) => Object.values(row)[0]));
    expect(verdicts).toEqual(new Set([true, false]));
  });
});

describe("each default is written once", () => {
  it("a stack that leaves them out gets what the components do when they are left out", () => {
    const scaling = sectionSchemas.scaling.parse({ coolify: {} });
    expect(scaling.coolify?.healthGatedRollingUpdate).toBe(HEALTH_GATED_ROLLING_UPDATE_DEFAULT);
    // The component's own default: no health check and host ports are fine, as for the stack left at its default.
    expect(() => validateApplicationArgs("web", { image: DIGEST, port: 3000, portMappings: ["8080:3000"] })).not.toThrow();

    const targets = sectionSchemas.targets.parse({ coolify: { serverUuid: "s", projectName: "p" } });
    expect(targets.coolify?.instantDeploy).toBe(INSTANT_DEPLOY_DEFAULT);

    const db = sectionSchemas.database.parse({ kind: "postgres" });
    expect(db).toMatchObject({ image: POSTGRES_DEFAULTS.image, version: POSTGRES_DEFAULTS.version, databaseName: POSTGRES_DEFAULTS.databaseName, volumeSizeGb: POSTGRES_DEFAULTS.volumeSizeGb });

    const fly = sectionSchemas.scaling.parse({ fly: { regions: ["ewr"] } }).fly;
    expect(fly).toMatchObject({
      guest: FLY_MACHINE_DEFAULTS.guest, maxMachines: FLY_MACHINE_DEFAULTS.count, autostart: FLY_MACHINE_DEFAULTS.autostart,
      autostop: FLY_MACHINE_DEFAULTS.autostop, strategy: FLY_MACHINE_DEFAULTS.strategy,
    });

    const hc = sectionSchemas.app.parse(app({ healthCheck: { path: "/" } })).healthCheck;
    expect(hc).toMatchObject({
      intervalSeconds: HEALTH_CHECK_DEFAULTS.intervalSeconds,
      timeoutSeconds: HEALTH_CHECK_DEFAULTS.timeoutSeconds,
      gracePeriodSeconds: HEALTH_CHECK_DEFAULTS.gracePeriodSeconds,
    });
  });
});
