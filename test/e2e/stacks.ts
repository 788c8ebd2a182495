import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type { ConfigMap, EngineEvent } from "@pulumi/pulumi/automation";
import { prUpConfig } from "../../infra/cli/commands/pr";
import { secretEnvVar } from "../../infra/cli/preview-secrets";
import { pulumiBin } from "../../scripts/engine";
import { startCoolifyEmulator, type CoolifyEmulator } from "../emulators/coolify";
import { startFlyEmulator, type FlyEmulator } from "../emulators/fly";
import { startGithubEmulator, type GithubEmulator } from "../emulators/github";
import type { RequestLogEntry } from "../emulators/common/types";
import { EngineStack, ROOT_PROJECT } from "./harness";
import { runCommand, type CliRun } from "./process";

/**
 * Scenario plumbing for the e2e tests: the three emulators in-process on port 0 with tokens of their own,
 * the environment the program reads them from, and stacks made from the project's real stack files.
 */

/** Server uuid in Pulumi.staging.yaml: the Coolify emulator must know it, as a real instance knows its server. */
export const STAGING_SERVER_UUID = "hl0srv4k8g0wks8c0o8c4ws4";

/** A fresh random value per run, so a plaintext leak cannot hide behind a value that happens to appear elsewhere. */
export function secretValue(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString("hex")}`;
}

export interface Emulators {
  coolify: CoolifyEmulator;
  fly: FlyEmulator;
  github: GithubEmulator;
  /** The bearer tokens each emulator accepts (and nothing else). */
  tokens: { coolify: string; fly: string; github: string };
  /** What the program and its providers read: URLs, tokens, and short retry/poll settings. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface EmulatorSettings {
  /** Emulated time speed-up. @default 20 (the emulators' own default) */
  timeScale?: number;
}

export async function startEmulators(settings: EmulatorSettings = {}): Promise<Emulators> {
  const tokens = { coolify: `7|${secretValue("coolify")}`, fly: secretValue("fly"), github: secretValue("ghtoken") };
  const timeScale = settings.timeScale ?? 20;
  const coolify = await startCoolifyEmulator({ port: 0, token: tokens.coolify, serverUuid: STAGING_SERVER_UUID, timeScale, strictResponses: true });
  const fly = await startFlyEmulator({ port: 0, token: tokens.fly, timeScale, strictResponses: true });
  const github = await startGithubEmulator({ port: 0, token: tokens.github, timeScale, strictResponses: true });
  const env: Record<string, string> = {
    COOLIFY_URL: coolify.url,
    COOLIFY_TOKEN: tokens.coolify,
    FLY_API_URL: fly.url,
    FLY_API_TOKEN: tokens.fly,
    // The GitHub provider appends /api/v3 itself to a non-default base URL.
    GITHUB_API_URL: github.providerBaseUrl,
    GITHUB_TOKEN: tokens.github,
    // Real-world backoffs and poll intervals are seconds; against in-process emulators they only slow the run.
    SLIPWAY_HTTP_BASE_DELAY_MS: "20",
    SLIPWAY_HTTP_BACKOFF_LIMIT_MS: "500",
    SLIPWAY_HTTP_TIMEOUT_MS: "15000",
    SLIPWAY_POLL_INTERVAL_MS: "100",
    SLIPWAY_WAIT_TIMEOUT_MS: "90000",
  };
  return {
    coolify,
    fly,
    github,
    tokens,
    env,
    close: async () => {
      await Promise.all([coolify.close(), fly.close(), github.close()]);
    },
  };
}

/** Where each emulator's request log stands now; `callsSince` returns what came after. */
export interface LogMark {
  coolify: number;
  fly: number;
  github: number;
}

export function logMark(e: Emulators): LogMark {
  return { coolify: e.coolify.log.length, fly: e.fly.log.length, github: e.github.log.length };
}

export interface TaggedCall extends RequestLogEntry {
  emulator: keyof LogMark;
}

export function callsSince(e: Emulators, mark: LogMark): TaggedCall[] {
  const tag = (name: keyof LogMark, log: RequestLogEntry[]) => log.slice(mark[name]).map((c) => ({ ...c, emulator: name }));
  return [...tag("coolify", e.coolify.log), ...tag("fly", e.fly.log), ...tag("github", e.github.log)];
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function mutating(calls: TaggedCall[]): string[] {
  return calls.filter((c) => MUTATING.has(c.method)).map((c) => `${c.emulator} ${c.method} ${c.path} ${c.status}`);
}

export interface ScenarioStackOptions {
  emulators: Emulators;
  /** Which committed stack file the stack is made from (it becomes the stack's name too). */
  stackFile: "staging" | "production";
  /** Top-level config keys removed from the copy, e.g. `slipway:github` while its plugin cannot be built. */
  drop?: string[];
  /** `slipway:secrets.<NAME>` values, set with `--secret --path` as the stack file's header says. */
  secrets: Record<string, string>;
  /** Extra environment for the program (e.g. SLIPWAY_RELEASE_COMMIT). */
  env?: Record<string, string>;
}

/** A stack made from a real `Pulumi.<stack>.yaml`, its secrets set the way an operator sets them. */
export async function scenarioStack(o: ScenarioStackOptions): Promise<EngineStack> {
  const s = await EngineStack.create({ project: ROOT_PROJECT, stackName: o.stackFile, env: { ...o.emulators.env, ...o.env } });
  try {
    for (const key of o.drop ?? []) await s.stack.removeConfig(key);
    await setSecrets(s, o.secrets);
  } catch (error) {
    await s.cleanup();
    throw error;
  }
  return s;
}

export async function setSecrets(s: EngineStack, secrets: Record<string, string>): Promise<void> {
  const map: ConfigMap = {};
  for (const [name, value] of Object.entries(secrets)) map[`slipway:secrets.${name}`] = { value, secret: true };
  if (Object.keys(map).length > 0) await s.stack.setAllConfig(map, true);
}

/** The preview secrets Pulumi.pr.yaml lists, fresh per run, as the preview environment would hold them. */
export function previewSecretValues(): Record<string, string> {
  return { SESSION_SECRET: secretValue("pr-session"), STRIPE_API_KEY: secretValue("pr-stripe") };
}

/** `SLIPWAY_SECRET_<NAME>` for each secret: what the PR workflow maps the preview environment's secrets to. */
export function previewSecretEnv(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [secretEnvVar(k), v]));
}

/**
 * Stack `pr-<n>` with the config `npx slipway pr up <n>` gives it: Pulumi.pr.yaml with {{pr}} replaced, and the
 * preview's secrets taken from the environment as pr up takes them.
 */
export async function prStack(emulators: Emulators, prNumber: number, secrets: Record<string, string> = previewSecretValues()): Promise<EngineStack> {
  const s = await EngineStack.create({ project: ROOT_PROJECT, stackName: `pr-${prNumber}`, env: emulators.env });
  try {
    await s.stack.setAllConfig(prUpConfig(prNumber, previewSecretEnv(secrets), path.join(ROOT_PROJECT, "Pulumi.pr.yaml")));
  } catch (error) {
    await s.cleanup();
    throw error;
  }
  return s;
}

/** Reads a structured config value (stored as JSON text), changes it, writes it back. */
export async function editConfig<T>(s: EngineStack, key: string, edit: (value: T) => T): Promise<void> {
  const current = await s.stack.getConfig(key);
  const next = edit(JSON.parse(current.value) as T);
  await s.stack.setConfig(key, { value: JSON.stringify(next), secret: current.secret });
}

/** GET `path` on an emulator's app traffic with `Host: host`, as the platform's proxy would route it. */
export async function appRequest(origin: string, host: string, urlPath: string): Promise<{ status: number; image: string | null }> {
  const { request } = await import("node:http");
  const target = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, path: urlPath, method: "GET", headers: { host } }, (res) => {
      res.resume();
      const image = res.headers["x-emulator-image"];
      resolve({ status: res.statusCode ?? 0, image: typeof image === "string" ? image : null });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Text of everything the engine printed and every error it raised, for plaintext-secret checks. */
export class EngineTranscript {
  private parts: string[] = [];

  add(r: { stdout: string; stderr: string }): void {
    this.parts.push(r.stdout, r.stderr);
  }

  addError(error: unknown): void {
    this.parts.push(error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error));
  }

  text(): string {
    return this.parts.join("\n");
  }
}

/** One resource's planned change, by the input paths that differ between its old and new state. */
export interface InputChange {
  /** The resource's name (last URN segment). */
  name: string;
  type: string;
  op: string;
  /** Leaf paths whose values differ, e.g. `env.LOG_LEVEL`; arrays count as one leaf. */
  paths: string[];
}

function diffPaths(a: unknown, b: unknown, at: string, out: string[]): void {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffPaths(a[k], b[k], at ? `${at}.${k}` : k, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(at);
}

/**
 * The changes an operation planned, from the engine's own step events (old and new inputs). The nodejs
 * dynamic-provider host does not forward a provider's `detailedDiff` to the engine, so the step's `diffs` are
 * empty for dynamic resources; the inputs in the events are what `--diff` renders from.
 */
export function inputChanges(events: EngineEvent[]): InputChange[] {
  const out: InputChange[] = [];
  for (const e of events) {
    const md = e.resourcePreEvent?.metadata;
    if (!md || md.op === "same") continue;
    const paths: string[] = [];
    diffPaths(md.old?.inputs ?? {}, md.new?.inputs ?? {}, "", paths);
    out.push({ name: md.urn.split("::").pop() ?? md.urn, type: md.type, op: md.op, paths });
  }
  return out;
}

/** What a refresh found changed on the platforms: per resource, the output paths that differ from state. */
export function refreshDrift(events: EngineEvent[]): { name: string; paths: string[] }[] {
  const out: { name: string; paths: string[] }[] = [];
  for (const e of events) {
    // A refresh reports each resource it found changed as an `update` step whose old/new are state and platform.
    const md = e.resOutputsEvent?.metadata;
    if (!md || md.op !== "update") continue;
    const paths: string[] = [];
    diffPaths(md.old?.outputs ?? {}, md.new?.outputs ?? {}, "", paths);
    if (paths.length > 0) out.push({ name: md.urn.split("::").pop() ?? md.urn, paths });
  }
  return out;
}

/** Runs the engine's own CLI the way an operator types it, in the stack's project directory. */
export function pulumiCli(s: EngineStack, args: string[], timeoutMs = 300_000): Promise<CliRun> {
  return runCommand(pulumiBin(), args, { cwd: s.workDir, env: { ...process.env, ...s.env }, timeoutMs });
}

/** `pulumi stack export` as stored: secrets stay ciphertext (the Automation API's export shows them). */
export async function rawExport(s: EngineStack): Promise<string> {
  const r = await pulumiCli(s, ["stack", "export", "--stack", s.stack.name]);
  if (r.code !== 0) throw new Error(`pulumi stack export failed: ${r.stderr}`);
  return r.stdout;
}
