/**
 * What each platform can do with a volume, so no volume setting is accepted and then dropped:
 * - Fly: a volume has a fixed size and is snapshotted daily by Fly, which keeps snapshots 1–60 days
 *   (`snapshot_retention` of POST /apps/{app}/volumes in ../shared/specs/fly/openapi.json); Fly has no
 *   schedule to set.
 * - Coolify: a volume is a Docker volume on the server with no size (Coolify v4.3.10
 *   app/Models/LocalPersistentVolume.php: name, mount_path, host_path only) and no snapshots; it has scheduled
 *   backups (app/Http/Controllers/Api/VolumeBackupsController.php: a cron `frequency` and retention).
 * A setting is refused only when no configured target uses it.
 */
import type { ParsedSections } from "./rules";
import type { Finding } from "./secrets";

export function volumeRules(c: ParsedSections): Finding[] {
  const { targets, volumes } = c;
  if (!targets || !volumes) return [];
  const out: Finding[] = [];
  const add = (i: number, field: string, message: string) => out.push({ key: "slipway:volumes", path: [i, field], message });
  const onlyCoolify = targets.coolify !== undefined && targets.fly === undefined;
  const onlyFly = targets.fly !== undefined && targets.coolify === undefined;
  volumes.forEach((v, i) => {
    if (targets.fly && v.sizeGb === undefined) {
      add(i, "sizeGb", "expected a size in GB for the fly target (a Fly volume has a fixed size), got nothing");
    }
    if (onlyCoolify && v.sizeGb !== undefined) {
      add(i, "sizeGb", `expected no sizeGb on Coolify (a Coolify volume is a Docker volume on the server and has no size — Coolify v4.3.10 app/Models/LocalPersistentVolume.php), got ${v.sizeGb}`);
    }
    if (onlyCoolify && v.snapshotRetentionDays !== undefined) {
      add(i, "snapshotRetentionDays", `expected backups: { schedule, retentionDays } instead on Coolify (it has no volume snapshots; it runs scheduled volume backups — Coolify v4.3.10 app/Http/Controllers/Api/VolumeBackupsController.php), got ${v.snapshotRetentionDays}`);
    }
    if (onlyFly && v.backups !== undefined) {
      add(i, "backups", "expected snapshotRetentionDays instead on Fly (Fly snapshots every volume daily on its own schedule; only the retention is set), got a backup schedule");
    }
  });
  return out;
}
