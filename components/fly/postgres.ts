import * as pulumi from "@pulumi/pulumi";
import { GeneratedPassword } from "../password";
import { FlyApp } from "./app";
import type { FlyConnectionArgs } from "./connection";
import { FlyMachineGroup } from "./machine-group";
import { FlySecrets } from "./secrets";
import { FlyVolume } from "./volume";
import { imageRefSchema, POSTGRES_DEFAULTS, refusal, sqlIdentifierSchema } from "../rules";

export interface FlyPostgresArgs {
  /** Name of the database's own Fly app. @example "acme-db-production" */
  name: pulumi.Input<string>;
  /** @default "personal" */
  org?: pulumi.Input<string>;
  /** @example "ewr" */
  region: pulumi.Input<string>;
  /** A Postgres image with pgvector. @default "pgvector/pgvector:pg16" */
  image?: pulumi.Input<string>;
  /** Database created on first start. @default "app" */
  database?: string;
  /** Owner role of the database. @default "app" */
  user?: string;
  /** Data volume size in GB (grows in place). @default 10 */
  volumeSizeGb?: number;
  /** Days daily volume snapshots are kept. @default 7 */
  snapshotRetention?: number;
  /** @default { cpuKind: "shared", cpus: 1, memoryMb: 1024 } */
  guest?: { cpuKind?: "shared" | "performance"; cpus?: number; memoryMb?: number };
  /**
   * How the web app reaches the database over the private IPv6 network: `internal` = `<name>.internal` (the
   * machine's 6PN address, no proxy); `flycast` = `<name>.flycast` (a private IPv6 through the Fly proxy).
   * @default "internal"
   */
  network?: "internal" | "flycast";
  /** When set, `DATABASE_URL` (or `secretName`) is set as a secret on this app. @default none (read `databaseUrl`) */
  attachTo?: pulumi.Input<string>;
  /** Name of the secret set on `attachTo`. @default "DATABASE_URL" */
  secretName?: string;
  /** @default `fly:*` config or FLY_API_URL / FLY_API_TOKEN */
  connection?: FlyConnectionArgs;
}

export function validatePostgresArgs(name: string, args: FlyPostgresArgs): void {
  if (args.secretName !== undefined && args.attachTo === undefined) {
    throw new Error(`FlyPostgres "${name}": secretName needs attachTo (the app that receives the secret)`);
  }
  // The rules slipway:database and CoolifyDatabase check with (components/rules.ts).
  const problem =
    (args.database === undefined ? undefined : refusal("database", sqlIdentifierSchema, args.database)) ??
    (args.user === undefined ? undefined : refusal("user", sqlIdentifierSchema, args.user)) ??
    (typeof args.image === "string" ? refusal("image", imageRefSchema(), args.image) : undefined);
  if (problem) throw new Error(`FlyPostgres "${name}": ${problem}`);
}

const PORT = 5432;

/** Postgres (pgvector) on Fly: its own app, a data volume, one machine, and DATABASE_URL on the web app. */
export class FlyPostgres extends pulumi.ComponentResource {
  /** The database app's name. */
  public readonly appName: pulumi.Output<string>;
  /** Private hostname the web app connects to (never the password). */
  public readonly host: pulumi.Output<string>;
  public readonly port: number;
  public readonly database: string;
  public readonly user: string;
  /** The full connection string (secret). */
  public readonly databaseUrl: pulumi.Output<string>;
  public readonly volumeId: pulumi.Output<string>;
  /** Secrets version of `attachTo` after DATABASE_URL was set (pass as `minSecretsVersion`); undefined when not attached. */
  public readonly attachedSecretsVersion: pulumi.Output<number | undefined>;

  constructor(name: string, args: FlyPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validatePostgresArgs(name, args);
    super("slipway:fly:Postgres", name, {}, opts);

    const network = args.network ?? "internal";
    const database = args.database ?? POSTGRES_DEFAULTS.databaseName;
    const user = args.user ?? POSTGRES_DEFAULTS.user;
    const connection = args.connection;

    const app = new FlyApp(`${name}-app`, {
      name: args.name,
      org: args.org,
      ips: network === "flycast" ? "private" : "none",
      connection,
    }, { parent: this });

    // Alphanumeric only: the password goes into a URL and must not need escaping.
    const password = new GeneratedPassword(`${name}-password`, { length: 32 }, { parent: this });

    const dbSecrets = new FlySecrets(`${name}-secrets`, {
      app: app.name,
      values: { POSTGRES_PASSWORD: password.result },
      connection,
    }, { parent: this });

    const volume = new FlyVolume(`${name}-data`, {
      app: app.name,
      name: "pg_data",
      region: args.region,
      sizeGb: args.volumeSizeGb ?? POSTGRES_DEFAULTS.volumeSizeGb,
      snapshotRetention: args.snapshotRetention ?? 7,
      connection,
    }, { parent: this });

    new FlyMachineGroup(`${name}-db`, {
      app: app.name,
      image: args.image ?? POSTGRES_DEFAULTS.image,
      region: args.region,
      count: 1,
      guest: { cpuKind: args.guest?.cpuKind ?? "shared", cpus: args.guest?.cpus ?? 1, memoryMb: args.guest?.memoryMb ?? 1024 },
      // PGDATA below the mount point: the volume root holds lost+found, which initdb refuses.
      env: { POSTGRES_USER: user, POSTGRES_DB: database, PGDATA: "/data/pgdata" },
      mounts: [{ volume: volume.volumeId, path: "/data" }],
      // Flycast needs a proxy service on 5432 with no public ports; `.internal` reaches the machine directly.
      services: network === "flycast"
        ? [{ internalPort: PORT, ports: [{ port: PORT, handlers: [] }], autostop: "off", autostart: true }]
        : [],
      checks: { pg: { type: "tcp", port: PORT, interval: "15s", timeout: "5s", gracePeriod: "30s" } },
      minSecretsVersion: dbSecrets.version,
      // One machine holding a volume: replace it in place, never two at once.
      strategy: "immediate",
      connection,
    }, { parent: this });

    this.appName = app.name;
    this.host = network === "flycast" ? app.flycastHostname : app.internalHostname;
    this.port = PORT;
    this.database = database;
    this.user = user;
    this.databaseUrl = pulumi.secret(
      pulumi.interpolate`postgres://${user}:${password.result}@${this.host}:${PORT}/${database}?sslmode=disable`,
    );
    this.volumeId = volume.volumeId;

    if (args.attachTo !== undefined) {
      const attached = new FlySecrets(`${name}-attach`, {
        app: args.attachTo,
        values: { [args.secretName ?? "DATABASE_URL"]: this.databaseUrl },
        connection,
      }, { parent: this });
      this.attachedSecretsVersion = attached.version;
    } else {
      this.attachedSecretsVersion = pulumi.output(undefined);
    }

    this.registerOutputs({
      appName: this.appName,
      host: this.host,
      databaseUrl: this.databaseUrl,
      volumeId: this.volumeId,
      attachedSecretsVersion: this.attachedSecretsVersion,
    });
  }
}
