import { randomBytes } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { z } from "zod";

/**
 * One slipway deploy per stack at a time. The engine's own lock covers one `pulumi up`; a slipway deploy is
 * preview → up → health gate → automatic rollback, and a second deploy must not start in between.
 *
 * The lock is a **stack tag** (`slipway:lock:<id>` → JSON naming holder, command and start time), so it lives with
 * the stack in its backend: Pulumi Cloud keeps tags per stack, and the DIY backends (file, S3, …) keep them in a
 * `<stack>.pulumi-tags` file beside the checkpoint since pulumi v3.212.0 (pulumi/pulumi
 * pkg/backend/diy/stack_tags.go; removing the last tag works from v3.249.0, #23702 — the engine here is newer). Tag names may hold `[a-zA-Z0-9-_.:]{1,40}`, values 256 characters
 * (pkg/util/validation/stack.go).
 *
 * Neither backend offers a compare-and-swap on tags: `pulumi stack tag set` reads the stack's tags and writes the
 * whole map back (pkg/cmd/pulumi/stack/stack_tag.go → UpdateStackTags), so two writers can lose each other's tag.
 * The protocol is therefore the one the DIY backend uses for its own lock files (pkg/backend/diy/lock.go): every
 * holder writes its *own* key, then looks again. Here it looks again after `settleMs`, longer than the
 * read-modify-write inside one `tag set`, so a write that raced ours has landed by then; of the locks present the
 * oldest wins (the same answer for everyone who sees them), and a holder whose own tag was lost to a racing
 * write backs off. Nobody writes anything before seeing the stack unlocked, so a refused deploy changes nothing.
 */

/** The tag operations of an Automation API `Stack`, which is what the CLI passes. */
export interface TagStore {
  listTags(): Promise<Record<string, string>>;
  setTag(key: string, value: string): Promise<void>;
  removeTag(key: string): Promise<void>;
}

export const LOCK_TAG_PREFIX = "slipway:lock:";

const lockValue = z.object({ holder: z.string(), command: z.string(), startedAt: z.string() });

export interface DeployLockInfo {
  /** The tag that holds it, e.g. `slipway:lock:3f9a0c1d2e4b`. */
  tag: string;
  /** Who runs it: the CI actor or the user, and the machine. */
  holder: string;
  /** The slipway command, e.g. `deploy staging`. */
  command: string;
  /** ISO time the command started. */
  startedAt: string;
}

/** A second deploy found the stack locked; the message names the lock and how to clear a stale one. */
export class StackLockedError extends Error {
  constructor(
    readonly stackName: string,
    readonly lock: DeployLockInfo,
  ) {
    super(
      `stack ${stackName} is locked by ${lock.holder} running "slipway ${lock.command}" since ${lock.startedAt} ` +
        `(tag ${lock.tag}); nothing was changed. Wait for it to finish; if that run was killed, ` +
        `\`npx slipway lock release ${stackName}\` (or \`npx slipway recover ${stackName}\`) clears it.`,
    );
    this.name = "StackLockedError";
  }
}

/** The slipway locks on a stack, oldest first (ties broken by tag, so every reader orders them alike). */
export async function readLocks(store: TagStore): Promise<DeployLockInfo[]> {
  const tags = await store.listTags();
  const locks: DeployLockInfo[] = [];
  for (const [tag, raw] of Object.entries(tags)) {
    if (!tag.startsWith(LOCK_TAG_PREFIX)) continue;
    let parsed: z.infer<typeof lockValue> | undefined;
    try {
      parsed = lockValue.parse(JSON.parse(raw));
    } catch {
      // A tag under our prefix that is not ours to read still locks: better refused than overlapping.
      parsed = { holder: "unknown", command: "unknown", startedAt: "unknown" };
    }
    locks.push({ tag, ...parsed });
  }
  return locks.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.tag.localeCompare(b.tag));
}

/** Who the lock names as holder: the CI actor when there is one, else the user; and the machine. */
export function lockHolder(env: NodeJS.ProcessEnv = process.env): string {
  let user = env.GITHUB_ACTOR ?? env.USER;
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = "unknown";
    }
  }
  const where = env.GITHUB_RUN_ID ? `github run ${env.GITHUB_RUN_ID}` : hostname();
  return `${user}@${where}`.slice(0, 120);
}

export interface LockOptions {
  /** Time between writing our tag and reading the tags again. @default SLIPWAY_LOCK_SETTLE_MS or 2000 */
  settleMs?: number;
  holder?: string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Started once our tag is written, and run while the lock settles instead of after it: it must only READ
   * (the lock is not ours yet). Whoever wins, nobody has written to the stack in between — a contender writes
   * only once it holds the lock — so what it read is what a read after taking the lock would see. Called again
   * if an attempt has to be repeated.
   */
  whileSettling?: () => void;
}

export interface HeldLock {
  info: DeployLockInfo;
  release(): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function settleFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = Number(env.SLIPWAY_LOCK_SETTLE_MS);
  return Number.isFinite(raw) && raw >= 0 && env.SLIPWAY_LOCK_SETTLE_MS !== "" ? raw : 2000;
}

/** Takes the stack's deploy lock, or throws `StackLockedError` naming whoever holds it. */
export async function acquireLock(stackName: string, store: TagStore, command: string, options: LockOptions = {}): Promise<HeldLock> {
  const sleep = options.sleep ?? defaultSleep;
  const settleMs = options.settleMs ?? settleFromEnv();
  const info: DeployLockInfo = {
    tag: `${LOCK_TAG_PREFIX}${randomBytes(6).toString("hex")}`,
    holder: options.holder ?? lockHolder(),
    command: command.slice(0, 80),
    startedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  // Bounded: a racing writer can erase our tag (lost update) without holding the lock itself; try again then.
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await readLocks(store);
    const other = existing.find((l) => l.tag !== info.tag);
    if (other) {
      if (attempt > 0) await store.removeTag(info.tag).catch(() => undefined);
      throw new StackLockedError(stackName, other);
    }
    await store.setTag(info.tag, JSON.stringify({ holder: info.holder, command: info.command, startedAt: info.startedAt }));
    options.whileSettling?.();
    await sleep(settleMs);
    const seen = await readLocks(store);
    const mine = seen.some((l) => l.tag === info.tag);
    const first = seen[0];
    if (mine && first?.tag === info.tag) {
      return { info, release: () => releaseLock(store, info.tag) };
    }
    if (mine && first) {
      // An older lock raced ours: it wins, ours goes.
      await store.removeTag(info.tag);
      throw new StackLockedError(stackName, first);
    }
    if (first) throw new StackLockedError(stackName, first);
  }
  throw new Error(`stack ${stackName}: could not take the deploy lock: its tag kept disappearing (another writer is changing the stack's tags)`);
}

async function releaseLock(store: TagStore, tag: string): Promise<void> {
  if (!(tag in (await store.listTags()))) return;
  await store.removeTag(tag);
  // An older CLI on a DIY backend drops the removal of a stack's last tag silently: say so instead of leaving
  // a lock behind that nobody knows of.
  if (tag in (await store.listTags())) throw new Error(`the deploy lock ${tag} could not be removed from the stack's tags`);
}

/** Removes every slipway lock from the stack (for a lock left by a killed run); returns what it removed. */
export async function releaseAllLocks(store: TagStore): Promise<DeployLockInfo[]> {
  const locks = await readLocks(store);
  for (const l of locks) await store.removeTag(l.tag);
  return locks;
}

/** Runs `work` holding the stack's lock; the lock is released however `work` ends (not when the process is killed). */
export async function withLock<T>(stackName: string, store: TagStore, command: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const held = await acquireLock(stackName, store, command, options);
  try {
    return await work();
  } finally {
    await held.release();
  }
}

export function describeLock(lock: DeployLockInfo): string {
  return `${lock.tag}: ${lock.holder} running "slipway ${lock.command}" since ${lock.startedAt}`;
}
