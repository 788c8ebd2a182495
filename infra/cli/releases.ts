/**
 * Release history read from the stack's own update history. Every `slipway deploy` and `rollback` is a
 * Pulumi update whose recorded config carries `slipway:release` (commit, tag, image, actor, time) and whose
 * message says what kind of update it was, so the history alone is enough to list and restore releases —
 * no git checkout, no separate ledger.
 */

/** The part of an Automation API `UpdateSummary` slipway reads (kept structural so tests need no engine). */
export interface HistoryEntry {
  version?: number;
  kind: string;
  result: string;
  message: string;
  startTime: Date | string;
  endTime?: Date | string;
  config: Record<string, { value: string; secret: boolean }>;
}

export interface ReleaseInfo {
  commit?: string;
  tag?: string;
  image?: string;
  actor?: string;
  time?: string;
}

export type UpdateRole = "release" | "build" | "rollback" | "automatic-rollback" | "other";

export interface Release {
  /** The Pulumi update version (1, 2, …). */
  version: number;
  role: UpdateRole;
  /** Pulumi's result: succeeded, failed, in-progress. */
  result: string;
  /** false once a later automatic rollback named this release as unhealthy. */
  healthy: boolean;
  info: ReleaseInfo;
  message: string;
  time: string;
  config: HistoryEntry["config"];
}

export const MESSAGE_PREFIX = {
  release: "slipway release",
  /** The update that built a `kind: build`/`flox` image; the release that pins its digest follows it. */
  build: "slipway build",
  rollback: "slipway rollback to update #",
  automatic: "slipway automatic rollback to update #",
} as const;

/** Update message for a release, e.g. `slipway release: v1.4.0 (ab12cd3)`. */
export function releaseMessage(note: string | undefined, info: ReleaseInfo): string {
  const label = [info.tag, info.commit?.slice(0, 7)].filter(Boolean).join(" ");
  return `${MESSAGE_PREFIX.release}: ${note ?? (label || "deploy")}`;
}

/** Update message of a build, e.g. `slipway build: v1.4.0 (ab12cd3)`. */
export function buildMessage(info: ReleaseInfo): string {
  return releaseMessage(undefined, info).replace(MESSAGE_PREFIX.release, MESSAGE_PREFIX.build);
}

export function rollbackMessage(target: number, failed?: number): string {
  return failed === undefined
    ? `${MESSAGE_PREFIX.rollback}${target}`
    : `${MESSAGE_PREFIX.automatic}${target} (health gate failed for update #${failed})`;
}

function roleOf(message: string): UpdateRole {
  if (message.startsWith(MESSAGE_PREFIX.automatic)) return "automatic-rollback";
  if (message.startsWith(MESSAGE_PREFIX.rollback)) return "rollback";
  if (message.startsWith(MESSAGE_PREFIX.release)) return "release";
  if (message.startsWith(MESSAGE_PREFIX.build)) return "build";
  return "other";
}

function parseReleaseInfo(config: HistoryEntry["config"]): ReleaseInfo {
  const raw = config["slipway:release"];
  if (!raw || raw.secret) return {};
  try {
    const parsed: unknown = JSON.parse(raw.value);
    if (typeof parsed !== "object" || parsed === null) return {};
    const pick = (k: string) => {
      const v = (parsed as Record<string, unknown>)[k];
      return typeof v === "string" ? v : undefined;
    };
    return { commit: pick("commit"), tag: pick("tag"), image: pick("image"), actor: pick("actor"), time: pick("time") };
  } catch {
    return {};
  }
}

/**
 * The DIY backends (file://, s3://, …) record no update versions: every history entry says 0; only Pulumi Cloud
 * numbers updates. There the version is the entry's position in the history, oldest = 1 — the numbers Pulumi
 * Cloud would give. `pulumi stack history` lists newest first; entries are ordered by start time, then by that.
 */
export function withVersions(history: readonly HistoryEntry[]): HistoryEntry[] {
  if (history.every((h) => typeof h.version === "number" && h.version > 0)) return [...history];
  const time = (h: HistoryEntry) => new Date(h.startTime).getTime();
  return [...history].reverse().sort((a, b) => time(a) - time(b)).map((h, i) => ({ ...h, version: i + 1 }));
}

/** Turns raw history (any order) into releases, oldest first; only `update` operations count. */
export function releasesFrom(history: readonly HistoryEntry[]): Release[] {
  const updates = withVersions(history)
    .filter((h) => h.kind === "update" && typeof h.version === "number")
    .sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
  const unhealthy = new Set<number>();
  for (const h of updates) {
    const failed = /health gate failed for update #(\d+)/.exec(h.message);
    if (failed) unhealthy.add(Number(failed[1]));
  }
  return updates.map((h) => ({
    version: h.version as number,
    role: roleOf(h.message),
    result: h.result,
    healthy: !unhealthy.has(h.version as number),
    info: parseReleaseInfo(h.config),
    message: h.message,
    time: new Date(h.startTime).toISOString(),
    config: h.config,
  }));
}

/**
 * Non-secret config plus the pinned digest: what identifies what a release runs. Two releases with equal
 * fingerprints deploy the same thing (the rest of `slipway:release` — time, actor — says who, not what).
 */
function fingerprint(config: HistoryEntry["config"]): string {
  return JSON.stringify([
    parseReleaseInfo(config).image ?? null,
    ...Object.keys(config)
      .filter((k) => k !== "slipway:release")
      .sort()
      .map((k) => [k, config[k]?.secret ? "(secret)" : config[k]?.value]),
  ]);
}

/**
 * Which release `rollback` goes to. `to` may be an update version (`7` or `#7`), a release tag (`v1.2.0`) or a commit
 * prefix (≥ 7 characters). Without `to`: the newest succeeded, healthy update before the current one that
 * deploys something different from what runs now. Only an update that recorded its image digest can be the target:
 * anything else would make the program build or pick an image again, not run what that release ran.
 */
export function selectRollbackTarget(releases: readonly Release[], to?: string): Release {
  const usable = releases.filter((r) => r.result === "succeeded");
  const current = usable.at(-1);
  if (!current) throw new Error("this stack has no successful update to roll back from");
  if (to !== undefined) {
    // Short numbers are update versions (`7`, `#7`); 7+ hex characters are a commit prefix.
    const version = /^#?(\d{1,6})$/.exec(to);
    const match = version
      ? usable.find((r) => r.version === Number(version[1]))
      : [...usable].reverse().find((r) => r.info.image && (r.info.tag === to || (to.length >= 7 && r.info.commit?.startsWith(to))));
    if (!match) {
      const known = usable.map((r) => `#${r.version}${r.info.tag ? ` (${r.info.tag})` : ""}`).join(", ");
      throw new Error(`no successful update matches "${to}"; known: ${known}`);
    }
    if (!match.info.image) throw new Error(`update #${match.version} recorded no image digest, so it cannot be rerun exactly; pick a release that did (slipway releases)`);
    return match;
  }
  const now = fingerprint(current.config);
  const target = [...usable]
    .reverse()
    .find((r) => r.version < current.version && r.healthy && r.info.image && fingerprint(r.config) !== now);
  if (!target) throw new Error(`nothing to roll back to: no earlier healthy release differs from update #${current.version}`);
  return target;
}

/**
 * The digest a stack ran healthy for `commit` (full SHA or a prefix of ≥ 7): the newest succeeded update that
 * recorded that commit and an image, and that no automatic rollback marked unhealthy. What production promotes.
 */
export function healthyReleaseOf(releases: readonly Release[], commit: string): Release | undefined {
  const matches = (c: string | undefined) => c !== undefined && commit.length >= 7 && (c.startsWith(commit) || commit.startsWith(c));
  return [...releases].reverse().find((r) => r.result === "succeeded" && r.healthy && r.info.image !== undefined && matches(r.info.commit));
}

/** The release table `slipway releases` prints. */
export function formatReleases(releases: readonly Release[]): string {
  const rows = [...releases].reverse().map((r) => [
    `#${r.version}`,
    r.role,
    r.info.tag ?? "-",
    r.info.commit?.slice(0, 7) ?? "-",
    r.info.image ? shortImage(r.info.image) : "-",
    r.time.replace(/\.\d+Z$/, "Z"),
    r.result === "succeeded" && !r.healthy ? "unhealthy (rolled back)" : r.result,
  ]);
  const header = ["version", "kind", "tag", "commit", "image", "time", "result"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function shortImage(ref: string): string {
  const at = ref.indexOf("@sha256:");
  return at === -1 ? ref : `${ref.slice(0, at)}@sha256:${ref.slice(at + 8, at + 20)}`;
}
