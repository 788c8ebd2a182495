import * as pulumi from "@pulumi/pulumi";
import { GeneratedPassword } from "../password";
import { PASSWORD_LENGTH } from "../password.provider";
import { POSTGRES_DEFAULTS } from "../rules";
import { placementOf, type CoolifyPlacementArgs } from "./application";
import { DynamicResource, providerFor } from "../dynamic";
import { resolveCoolifyConnection, type CoolifyConnectionArgs } from "./connection";
import { validateDatabaseArgs } from "./validate";
import { ownerOf } from "../mark";

/** Scheduled backups Coolify runs inside the server (local dumps). */
export interface CoolifyDatabaseBackupArgs {
  /**
   * When to back up: a 5-field cron expression (server time) or `hourly`, `daily`, `weekly`, ….
   * @example "0 3 * * *"
   */
  schedule: string;
  /**
   * Days a local backup is kept.
   * @default 30
   */
  retentionDays?: number;
  /**
   * Number of local backups kept, whatever their age; 0 means no limit by count.
   * @default 0
   */
  retentionAmount?: number;
}

export interface CoolifyDatabaseArgs extends CoolifyPlacementArgs {
  /**
   * Database resource name in Coolify; also how a retried create finds a database it already made.
   * @example "web-db"
   */
  name: pulumi.Input<string>;
  /**
   * Free text shown in the UI.
   * @default no description
   */
  description?: pulumi.Input<string>;
  /**
   * Postgres image; it must ship the pgvector extension. Changing it upgrades in place (same volume).
   * @default "pgvector/pgvector:pg16"
   */
  image?: pulumi.Input<string>;
  /**
   * Role the application connects as.
   * @default "app"
   */
  user?: pulumi.Input<string>;
  /**
   * Database created at first start.
   * @default "app"
   */
  databaseName?: pulumi.Input<string>;
  /**
   * The role's password, when it must come from elsewhere (a secret store, another stack). Changing it
   * replaces the database: Postgres reads it only when the data directory is first created.
   * @default a generated password (a `GeneratedPassword` child), see `passwordLength`
   */
  password?: pulumi.Input<string>;
  /**
   * Length of the generated password (letters and digits only, so it needs no escaping in a URL).
   * Only for a generated password; conflicts with `password`.
   * @default 32
   */
  passwordLength?: number;
  /**
   * CPU and memory limits of the container.
   * @default no limits
   */
  limits?: { cpus?: pulumi.Input<string>; memory?: pulumi.Input<string> };
  /**
   * Scheduled backups.
   * @default no scheduled backups
   * @example { schedule: "0 3 * * *", retentionDays: 30 }
   */
  backups?: CoolifyDatabaseBackupArgs;
  /**
   * API URL and token.
   * @default `coolify:url` / `coolify:token` from config, else `COOLIFY_URL` / `COOLIFY_TOKEN`
   */
  connection?: CoolifyConnectionArgs;
}

/** A Postgres (pgvector) database on Coolify with a generated password and scheduled backups. */
export class CoolifyDatabase extends pulumi.ComponentResource {
  /** Database uuid in Coolify. */
  public readonly uuid: pulumi.Output<string>;
  /** Host name on the server's Docker network, reachable from applications in the same environment. */
  public readonly internalHost: pulumi.Output<string>;
  /** Port inside the Docker network. */
  public readonly port: pulumi.Output<number>;
  /** Database name. */
  public readonly databaseName: pulumi.Output<string>;
  /** Role name. */
  public readonly user: pulumi.Output<string>;
  /** `postgres://user:password@host:5432/db`: a secret. */
  public readonly internalDbUrl: pulumi.Output<string>;
  /** The generated password: a secret. */
  public readonly password: pulumi.Output<string>;
  /** uuid of the scheduled backup, when `backups` is set. */
  public readonly backupUuid: pulumi.Output<string | undefined>;

  constructor(name: string, args: CoolifyDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super(): a bad combination must fail before anything is registered.
    validateDatabaseArgs(name, args);
    const connection = resolveCoolifyConnection(args.connection);
    super("slipway:coolify:Database", name, {}, opts);

    const password: pulumi.Output<string> =
      args.password !== undefined
        ? pulumi.secret(args.password)
        : new GeneratedPassword(`${name}-password`, { length: args.passwordLength ?? PASSWORD_LENGTH.default }, { parent: this }).result;

    const backups = args.backups;
    const db = new DatabaseResource(
      `${name}-db`,
      {
        connection,
        // What the provider marks the database with, so it finds its own after a lost answer (components/mark.ts).
        owner: ownerOf(pulumi.getProject(), pulumi.getStack(), `${name}-db`),
        ...placementOf(args),
        name: args.name,
        description: args.description,
        image: args.image ?? POSTGRES_DEFAULTS.image,
        user: args.user ?? POSTGRES_DEFAULTS.user,
        databaseName: args.databaseName ?? POSTGRES_DEFAULTS.databaseName,
        password: pulumi.secret(password),
        limits: args.limits,
        backup: backups && {
          schedule: backups.schedule,
          retentionDays: backups.retentionDays ?? 30,
          retentionAmount: backups.retentionAmount ?? 0,
        },
      },
      { parent: this },
    );

    this.uuid = db.uuid;
    this.internalHost = db.internalHost;
    this.port = db.port;
    this.databaseName = db.databaseName;
    this.user = db.user;
    this.internalDbUrl = pulumi.secret(db.internalDbUrl);
    this.password = pulumi.secret(password);
    this.backupUuid = db.backupUuid;
    this.registerOutputs({
      uuid: this.uuid,
      internalHost: this.internalHost,
      port: this.port,
      databaseName: this.databaseName,
      user: this.user,
      internalDbUrl: this.internalDbUrl,
      backupUuid: this.backupUuid,
    });
  }
}

class DatabaseResource extends DynamicResource {
  declare public readonly uuid: pulumi.Output<string>;
  declare public readonly internalHost: pulumi.Output<string>;
  declare public readonly port: pulumi.Output<number>;
  declare public readonly databaseName: pulumi.Output<string>;
  declare public readonly user: pulumi.Output<string>;
  declare public readonly internalDbUrl: pulumi.Output<string>;
  declare public readonly backupUuid: pulumi.Output<string | undefined>;

  constructor(name: string, props: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions) {
    super(
      providerFor("coolify:database"),
      name,
      { ...props, uuid: undefined, internalHost: undefined, port: undefined, internalDbUrl: undefined, backupUuid: undefined },
      { ...opts, additionalSecretOutputs: ["connection", "password", "internalDbUrl"] },
      "coolify",
      "Database",
    );
  }
}
