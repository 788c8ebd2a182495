import { createHash, randomBytes } from "node:crypto";
import type { components } from "../../../components/fly/api.gen";
import type { EmulatorClock } from "../common/clock";
import type { Reply } from "../common/http";
import { PgState } from "./postgres-state";

/** Schemas of the Fly Machines spec, as generated; records below never re-declare what the spec has. */
export type S = components["schemas"];
export type MachineConfig = S["fly.MachineConfig"];

/**
 * How long things take, in emulated milliseconds. Real machines boot in ~1-3 s; volumes stay bound to a
 * destroyed machine until the host has cleaned it up (up to about a minute in practice: flyctl retries the
 * volume destroy on 412 "volume is currently bound to machine").
 */
export const TIMING = {
  createdToStarting: 200,
  startingToStarted: 1_500,
  stopping: 800,
  suspending: 800,
  destroying: 500,
  /** A destroyed machine still answers GET with state "destroyed" for a while, then 404 (real service). */
  destroyedVisible: 120_000,
  /** The window after a machine's destroy during which its volume still reports it as bound. */
  volumeRelease: 60_000,
  certificateIssue: 5_000,
  /** How long a one-shot command (release command) runs before it exits. */
  oneShotRun: 2_000,
  leaseDefaultTtlSeconds: 30,
  /**
   * A destroyed volume is soft-deleted: it stays (listed, readable) in `pending_destroy` for 24 hours before it is
   * gone (superfly/docs volumes/volume-states.html.markerb); fly-go's GetVolumes filters such states out
   * (v0.9.3 flaps/flaps_volumes.go destroyedVolumeStates), GetAllVolumes keeps them.
   */
  volumeSoftDelete: 24 * 3_600_000,
} as const;

export interface LeaseRecord {
  nonce: string;
  owner: string;
  description: string;
  /** Unix seconds, emulated. */
  expiresAt: number;
  version: string;
}

export interface MachineRecord {
  id: string;
  appName: string;
  name: string;
  region: string;
  config: MachineConfig;
  version: string;
  versions: { version: string; config: MachineConfig }[];
  state: string;
  cordoned: boolean;
  createdAt: number;
  updatedAt: number;
  privateIp: string;
  events: S["MachineEvent"][];
  lease?: LeaseRecord;
  minSecretsVersion?: number;
  /** Bumped on every state-changing request; a scheduled transition whose token is stale does nothing. */
  transition: number;
  destroyedAt?: number;
}

export interface VolumeRecord {
  volume: S["Volume"] & { id: string; name: string; size_gb: number; state: string };
  appName: string;
  snapshots: S["VolumeSnapshot"][];
  /** Emulated ms after which a volume bound to a destroyed machine is released. */
  releaseAt?: number;
  /** When the volume was destroyed (it is `pending_destroy` until `TIMING.volumeSoftDelete` has passed). */
  destroyedAt?: number;
}

export interface SecretRecord {
  name: string;
  value: string;
  createdAt: string;
  updatedAt: string;
  /** The app secrets version in which this value was set. */
  version: number;
}

export interface CertificateRecord {
  hostname: string;
  appName: string;
  custom: boolean;
  createdAt: number;
  issueAt: number;
}

export interface AppRecord {
  id: string;
  name: string;
  orgSlug: string;
  network: string;
  createdAt: number;
  idempotencyKey?: string;
  secrets: Map<string, SecretRecord>;
  /** The app's secrets version: bumped once per secrets write (single or bulk). Starts at 0. */
  secretsVersion: number;
  ips: S["IPAssignment"][];
  certificates: Map<string, CertificateRecord>;
  /** Round-robin position of the Fly proxy over the app's serving machines. */
  proxyCursor: number;
}

export class FlyError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly code?: S["main.statusCode"],
  ) {
    super(message);
  }
}

/** Fly's error body `{error, status}`: `status` is the spec's error code enum ("unknown" unless e.g. name_taken). */
export function flyErrorReply(status: number, message: string, code: S["main.statusCode"] = "unknown"): Reply {
  const body: S["ErrorResponse"] = { error: message, status: code };
  return { status, body };
}

/** Crockford base32, as Fly's 26-character ULID machine versions and event ids use. */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export function ulid(nowMs: number): string {
  let time = "";
  let t = Math.floor(nowMs);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rand = Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join("");
  return time + rand;
}

export function hexId(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** Real volume ids look like `vol_` + 16 lowercase alphanumerics. */
export function volumeId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return "vol_" + Array.from(randomBytes(16), (b) => alphabet[b % alphabet.length]).join("");
}

export function digestOf(text: string): string {
  return "sha256:" + createHash("sha256").update(text).digest("hex");
}

/** The repository/tag/digest split the API reports in `image_ref`; tags resolve to a stable fake digest. */
export function imageRef(image: string): S["ImageRef"] {
  const [namePart, digest] = image.includes("@") ? (image.split("@", 2) as [string, string]) : [image, undefined];
  const slash = namePart.indexOf("/");
  const hasRegistry = slash > 0 && /[.:]|^localhost$/.test(namePart.slice(0, slash));
  const registry = hasRegistry ? namePart.slice(0, slash) : "docker-hub-mirror.fly.io";
  const rest = hasRegistry ? namePart.slice(slash + 1) : namePart;
  const colon = rest.lastIndexOf(":");
  const repository = colon > 0 ? rest.slice(0, colon) : rest;
  const tag = colon > 0 ? rest.slice(colon + 1) : digest ? "" : "latest";
  return { registry, repository, tag, digest: digest ?? digestOf(image), labels: {} };
}

/** The whole in-memory world of one Fly emulator. */
export class FlyState {
  apps = new Map<string, AppRecord>();
  machines = new Map<string, MachineRecord>();
  volumes = new Map<string, VolumeRecord>();
  appsByIdempotencyKey = new Map<string, AppRecord>();
  unhealthyImages = new Set<string>();
  /** Managed Postgres clusters (postgres.ts). */
  readonly pg = new PgState(() => this.clock);
  /** Set on close, so a blocked /wait returns instead of outliving the server. */
  closed = false;
  private ipCounter = 1;

  /**
   * The shared server creates the clock when it starts, after the routes (which close over this state) were
   * built; index.ts binds it right after start, before any request can arrive.
   */
  clock!: EmulatorClock;

  reset(): void {
    this.apps.clear();
    this.machines.clear();
    this.volumes.clear();
    this.appsByIdempotencyKey.clear();
    this.unhealthyImages.clear();
    this.pg.reset();
    this.ipCounter = 1;
  }

  iso(ms = this.clock.now()): string {
    return new Date(ms).toISOString();
  }

  app(name: string): AppRecord {
    const app = this.apps.get(name);
    if (!app) throw new FlyError(404, "app not found");
    return app;
  }

  /** A machine of this app; destroyed machines answer until `destroyedVisible` has passed, then 404. */
  machine(appName: string, id: string): MachineRecord {
    this.app(appName);
    const m = this.machines.get(id);
    if (!m || m.appName !== appName) throw new FlyError(404, "machine not found");
    if (m.destroyedAt !== undefined && this.clock.now() - m.destroyedAt > TIMING.destroyedVisible) {
      throw new FlyError(404, "machine not found");
    }
    return m;
  }

  volume(appName: string, id: string): VolumeRecord {
    this.app(appName);
    this.purgeVolumes();
    const v = this.volumes.get(id);
    if (!v || v.appName !== appName) throw new FlyError(404, "volume not found");
    this.settleVolume(v);
    return v;
  }

  /** Forgets soft-deleted volumes whose `pending_destroy` window has passed. */
  purgeVolumes(): void {
    for (const [id, v] of this.volumes) {
      if (v.destroyedAt !== undefined && this.clock.now() - v.destroyedAt > TIMING.volumeSoftDelete) this.volumes.delete(id);
    }
  }

  /** Releases a volume whose machine was destroyed once the release window has passed. */
  settleVolume(v: VolumeRecord): void {
    if (v.releaseAt !== undefined && this.clock.now() >= v.releaseAt) {
      delete v.volume.attached_machine_id;
      delete v.volume.attached_alloc_id;
      v.releaseAt = undefined;
    }
  }

  /** True when the image (by reference or digest) was marked unhealthy. */
  isImageUnhealthy(image: string | undefined): boolean {
    if (!image) return false;
    const digest = imageRef(image).digest;
    for (const marked of this.unhealthyImages) {
      if (marked === image || marked === digest || image.endsWith("@" + marked)) return true;
      // "repo:tag" marks "registry/repo:tag" too, as a test naming the image without its registry means it.
      if (image.endsWith("/" + marked)) return true;
    }
    return false;
  }

  nextIp(kind: "v4" | "v6" | "private"): string {
    const n = this.ipCounter++;
    if (kind === "v4") return `137.66.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
    if (kind === "v6") return `2a09:8280:1::${n.toString(16)}`;
    return `fdaa:0:1::${n.toString(16)}`;
  }

  /** Rough count for App.machine_count: machines that are not destroyed. */
  liveMachines(appName: string): MachineRecord[] {
    return [...this.machines.values()].filter((m) => m.appName === appName && m.destroyedAt === undefined);
  }
}
