import type { Route, RouteContext } from "../common/http";
import { admitRegion } from "./admission";
import { flyRoute, ok, qbool } from "./route";
import { FlyError, FlyState, S, VolumeRecord, hexId, ulid, volumeId } from "./state";

const V = "/v1/apps/{app_name}/volumes";
const ONE = `${V}/{volume_id}`;
const BLOCK_SIZE = 4096;
const GB = 1024 ** 3;

/**
 * fly-go's Volume has `attached_machine_id`/`attached_alloc_id` as pointers without omitempty (v0.9.3
 * volume_types.go), so an unattached volume answers them as null.
 */
function render(v: VolumeRecord, summary = false): S["Volume"] {
  const out = structuredClone(v.volume) as S["Volume"] & Record<string, unknown>;
  out.attached_machine_id ??= null as unknown as string;
  out.attached_alloc_id ??= null as unknown as string;
  if (summary) {
    delete out.blocks;
    delete out.blocks_avail;
    delete out.blocks_free;
    delete out.block_size;
  }
  return out;
}

function sized(volume: VolumeRecord["volume"], sizeGb: number): void {
  volume.size_gb = sizeGb;
  volume.block_size = BLOCK_SIZE;
  volume.blocks = (sizeGb * GB) / BLOCK_SIZE;
  volume.bytes_total = sizeGb * GB;
  volume.blocks_free = volume.blocks - Math.ceil((volume.bytes_used ?? 0) / BLOCK_SIZE);
  volume.blocks_avail = volume.blocks_free;
}

function volumeOf(st: FlyState, ctx: RouteContext): VolumeRecord {
  return st.volume(ctx.params.app_name ?? "", ctx.params.volume_id ?? "");
}

export function volumeRoutes(st: FlyState): Route[] {
  return [
    flyRoute("GET", V, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      st.purgeVolumes();
      // Soft-deleted volumes stay in the list in `pending_destroy` (see TIMING.volumeSoftDelete).
      const list = [...st.volumes.values()].filter((v) => v.appName === app.name);
      list.forEach((v) => st.settleVolume(v));
      return ok(list.map((v) => render(v, qbool(ctx.query.summary))));
    }),

    flyRoute("POST", V, (ctx) => {
      const app = st.app(ctx.params.app_name ?? "");
      const body = (ctx.body ?? {}) as S["CreateVolumeRequest"];
      if (!body.name) throw new FlyError(400, "invalid_argument: name is required");
      // Real volume names: lowercase letters, digits and underscores, at most 30 characters.
      if (!/^[a-z0-9_]{1,30}$/.test(body.name)) throw new FlyError(400, "invalid_argument: volume name must be lowercase alphanumerics or underscores, at most 30");
      const region = body.region ?? "iad";
      admitRegion(region);
      let size = body.size_gb ?? 1;
      if (body.snapshot_id) {
        const snap = [...st.volumes.values()].flatMap((v) => v.snapshots).find((s) => s.id === body.snapshot_id);
        if (!snap) throw new FlyError(404, `snapshot ${body.snapshot_id} not found`);
        size = Math.max(size, snap.volume_size ?? 1);
      }
      if (!Number.isInteger(size) || size < 1 || size > 500) throw new FlyError(400, "invalid_argument: size_gb must be between 1 and 500");
      const now = st.iso();
      const volume: VolumeRecord["volume"] = {
        id: volumeId(),
        name: body.name,
        state: "created",
        size_gb: size,
        region,
        zone: hexId(2),
        encrypted: body.encrypted ?? true,
        fstype: body.fstype ?? "ext4",
        type: "local",
        created_at: now,
        host_status: "ok",
        bytes_used: 0,
        auto_backup_enabled: body.auto_backup_enabled ?? true,
        snapshot_retention: body.snapshot_retention ?? 5,
        host_features: [],
        required_host_features: [],
      };
      sized(volume, size);
      st.volumes.set(volume.id, { volume, appName: app.name, snapshots: [] });
      return ok(structuredClone(volume));
    }),

    flyRoute("GET", ONE, (ctx) => ok(render(volumeOf(st, ctx)))),

    flyRoute("PUT", ONE, (ctx) => {
      const v = volumeOf(st, ctx);
      const body = (ctx.body ?? {}) as S["UpdateVolumeRequest"];
      // fly-go sends both keys, null when unset (UpdateVolumeRequest pointers without omitempty): null changes nothing.
      if (body.auto_backup_enabled != null) v.volume.auto_backup_enabled = body.auto_backup_enabled;
      if (body.snapshot_retention != null) {
        if (body.snapshot_retention < 1 || body.snapshot_retention > 60) throw new FlyError(400, "invalid_argument: snapshot_retention must be 1..60");
        v.volume.snapshot_retention = body.snapshot_retention;
      }
      return ok(render(v));
    }),

    /**
     * A volume bound to a machine cannot be destroyed: 412 `failed_precondition: volume is currently bound to
     * machine: <id>` (the message users see from flyctl). That includes the window after the machine's destroy.
     */
    flyRoute("DELETE", ONE, (ctx) => {
      const v = volumeOf(st, ctx);
      // Destroying a soft-deleted volume again is answered as it stands (unverified against the live API).
      if (v.destroyedAt !== undefined) return ok(render(v));
      const holder = v.volume.attached_machine_id;
      if (holder) throw new FlyError(412, `failed_precondition: volume is currently bound to machine: ${holder}`);
      v.volume.state = "pending_destroy";
      v.destroyedAt = st.clock.now();
      return ok(render(v));
    }),

    // Volumes only grow; an attached, running machine needs a restart to see the new size.
    flyRoute("PUT", `${ONE}/extend`, (ctx) => {
      const v = volumeOf(st, ctx);
      const size = (ctx.body as S["ExtendVolumeRequest"] | undefined)?.size_gb;
      if (size === undefined || !Number.isInteger(size)) throw new FlyError(400, "invalid_argument: size_gb is required");
      if (size <= v.volume.size_gb) throw new FlyError(400, `invalid_argument: size_gb must be greater than the current size (${v.volume.size_gb})`);
      if (size > 500) throw new FlyError(400, "invalid_argument: size_gb must be at most 500");
      sized(v.volume, size);
      const holder = v.volume.attached_machine_id ? st.machines.get(v.volume.attached_machine_id) : undefined;
      const body: S["ExtendVolumeResponse"] = { volume: render(v), needs_restart: holder?.state === "started" };
      return ok(body);
    }),

    flyRoute("GET", `${ONE}/snapshots`, (ctx) => ok(volumeOf(st, ctx).snapshots)),
    flyRoute("POST", `${ONE}/snapshots`, (ctx) => {
      const v = volumeOf(st, ctx);
      v.snapshots.push({
        id: `vs_${ulid(st.clock.now()).toLowerCase().slice(-16)}`,
        created_at: st.iso(),
        digest: hexId(16),
        size: v.volume.bytes_used ?? 0,
        volume_size: v.volume.size_gb,
        retention_days: v.volume.snapshot_retention ?? 5,
        status: "created",
      });
      return ok();
    }),
  ];
}
