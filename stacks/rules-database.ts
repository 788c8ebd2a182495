/**
 * What `slipway:database` kind `flyManaged` (Fly Managed Postgres) can be asked for, by what Fly's API offers
 * (`/v1/postgres…` in ../shared/specs/fly/openapi.json):
 * - it is a Fly service: a stack with a Coolify target runs its own Postgres (`kind: postgres`);
 * - a fork (`POST /v1/postgres/{id}/fork`) takes only a name and "inherits the source's settings", so sizing next to
 *   `forkFrom` would be accepted and ignored;
 * - backups are on demand only (`POST …/backups` takes a `type`); no request has a schedule or a retention.
 */
import type { ParsedSections } from "./rules";
import type { Finding } from "./secrets";
import { showValue } from "./secrets";

const INHERITED = ["plan", "region", "diskSizeGb", "pgMajorVersion", "poolMode"] as const;

export function databaseRules(c: ParsedSections): Finding[] {
  const { database, targets } = c;
  if (database?.kind !== "flyManaged") return [];
  const out: Finding[] = [];
  const add = (path: (string | number)[], message: string) => out.push({ key: "slipway:database", path, message });

  if (targets?.coolify) {
    add(["kind"], 'expected "postgres", "sqlite" or "none" with the coolify target (Fly Managed Postgres is a Fly service; Coolify runs its own Postgres with kind "postgres"), got "flyManaged"');
  }
  if (database.forkFrom !== undefined) {
    for (const field of INHERITED) {
      if (database[field] !== undefined) {
        add([field], `expected no ${field} with forkFrom (a fork inherits the source cluster's settings; Fly's fork API takes only a name), got ${showValue(database[field])}`);
      }
    }
  }
  if (database.backups !== undefined) {
    add(
      ["backups"],
      "expected no backups with kind flyManaged: Fly Managed Postgres has no backup schedule or retention in its API " +
        "(POST /v1/postgres/{id}/backups only starts one backup of a type; Fly backs the cluster up on its own), got a backup setting. " +
        "Remove it; on-demand backups are `fly mpg backup create`",
    );
  }
  if (database.allowReplace === true && (database.protect ?? database.forkFrom === undefined)) {
    add(["allowReplace"], "expected protect: false next to allowReplace: true (a protected cluster is never replaced), got protect true");
  }
  return out;
}

/** What protect and allowReplace default to: a fork is disposable, a cluster of its own is not. */
export function flyManagedDefaults(database: { forkFrom?: string; protect?: boolean; allowReplace?: boolean }): { protect: boolean; allowReplace: boolean } {
  const fork = database.forkFrom !== undefined;
  return { protect: database.protect ?? !fork, allowReplace: database.allowReplace ?? fork };
}
