/**
 * `slipway:database` kind `flyManaged` on the Fly target: a Fly Managed Postgres cluster of the stack's own, or a
 * fork of the cluster another stack exports (`forkFrom`, read with a StackReference like a promoted image). The
 * source stack is only read: its cluster is the fork's source, nothing of it is in this stack's state, so
 * destroying this stack deletes the fork and never the source.
 */
import * as pulumi from "@pulumi/pulumi";
import { FlyManagedPostgres } from "../components/fly";
import type { FlyManagedPostgresPlan } from "../components/fly";
import { flyManagedDefaults } from "./rules-database";
import type { FlyManagedConfig, FlyTargetConfig } from "./schema";

/** The stack output a fork reads from its source stack: the cluster id (no credentials). */
export const CLUSTER_ID_OUTPUT = "flyManagedPostgresClusterId";

const PLAN: Record<NonNullable<FlyManagedConfig["plan"]>, FlyManagedPostgresPlan> = {
  basic: "basic", starter: "starter", launch: "launch", scale: "scale", performance: "Performance",
};

/** The source cluster's id from the stack `forkFrom` names, or one clear error when it exports none. */
export function forkSource(stack: string, parent: pulumi.Resource): pulumi.Output<string> {
  const ref = new pulumi.StackReference("database-fork-source", { name: stack }, { parent });
  return ref.getOutput(CLUSTER_ID_OUTPUT).apply((id: unknown) => {
    if (typeof id !== "string" || id === "") {
      throw new Error(
        `slipway:database.forkFrom: stack "${stack}" exports no ${CLUSTER_ID_OUTPUT} (its slipway:database is not kind flyManaged, or it was never deployed); deploy it first or drop forkFrom`,
      );
    }
    return id;
  });
}

export interface ManagedDatabaseInputs {
  db: FlyManagedConfig;
  target: FlyTargetConfig;
  /** The primary region: the cluster's region unless `db.region` says otherwise. */
  region: string;
  app: pulumi.Output<string>;
  connection: { apiUrl: string; token: pulumi.Input<string> };
  parent: pulumi.Resource;
}

export function composeManagedPostgres(i: ManagedDatabaseInputs): FlyManagedPostgres {
  const { db, target } = i;
  const { protect, allowReplace } = flyManagedDefaults(db);
  const fork = db.forkFrom !== undefined;
  return new FlyManagedPostgres(
    "fly-managed-postgres",
    {
      org: target.org,
      name: `${target.appName}-db`,
      region: fork ? undefined : (db.region ?? i.region),
      plan: db.plan ? PLAN[db.plan] : undefined,
      diskSizeGb: db.diskSizeGb,
      pgMajorVersion: db.pgMajorVersion === undefined ? undefined : (String(db.pgMajorVersion) as "16" | "17"),
      poolMode: db.poolMode,
      database: db.databaseName,
      extensions: db.extensions,
      forkFrom: db.forkFrom === undefined ? undefined : forkSource(db.forkFrom, i.parent),
      allowReplace,
      attachTo: i.app,
      // Postgres user names are lower-case letters, digits, - and _: the app name fits (components/rules.ts flyAppNameSchema, mpgUsernameSchema).
      username: target.appName.replace(/-/g, "_"),
      endpoint: db.endpoint,
      connection: i.connection,
    },
    { parent: i.parent, protect },
  );
}
