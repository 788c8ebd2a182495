/**
 * The sandbox's flow (scripts/sandbox.ts is the entry): slipway's real flow on a `sandbox` stack, against LOCAL EMULATORS of Coolify, Fly.io and
 * GitHub — the real Pulumi engine, language host, dynamic providers, state, secrets and update history, and the
 * real operations CLI (`slipway deploy`, `preview`, `releases`, `rollback`), in-process.
 *
 *   1. first deploy        `slipway deploy sandbox --image <v1>`: preview, up, health gate on the public URL
 *   2. a change            new image digest + a new env var: the `preview --diff` summary, then `deploy`
 *   3. rollback            `slipway rollback sandbox --yes`: the first release's config from the update history
 *   4. summary             URLs answered by the emulators, the image running after the rollback, timings
 *
 * Backend: a file:// backend in a temp dir with a fixed local-only passphrase; both are deleted at the end.
 * SANDBOX_NO_FLY=1 leaves the Fly part out; SANDBOX_TIMEOUT_MS bounds the whole run (default 25 min).
 */
import { createHash, randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { EngineStack, killMarked, ROOT_PROJECT } from "../../test/e2e/harness";
import { callsSince, logMark, setSecrets, startEmulators, type Emulators, type TaggedCall } from "../../test/e2e/stacks";
import { summaryLine } from "../../infra/cli/markdown";
import { engineManifest, LOCAL_PASSPHRASE } from "../engine";
import { cliFor, cliPreview, releaseProjectDir, runCli, type CliMain } from "./cli";
import { sandboxConfig, writeStackFile } from "./config";
import { describeCalls, probeApp, seconds, shortImage, textTable, timed, type AppAnswer } from "./report";

const STACK = "sandbox";
const LABEL = "LOCAL EMULATORS (in-process Coolify, Fly Machines and GitHub API emulators on 127.0.0.1) — NOT real Coolify, Fly.io or GitHub";
const withFly = process.env.SANDBOX_NO_FLY !== "1";
const timeoutMs = Number(process.env.SANDBOX_TIMEOUT_MS ?? 25 * 60_000);

class SandboxFailure extends Error {}

const out = (line = ""): void => void process.stdout.write(`${line}\n`);
/** The engine's full output goes to this file (gitignored), so the screen shows only what a person reads. */
const ENGINE_LOG = path.join(ROOT_PROJECT, ".slipway", "sandbox-engine.log");
const engineLog = (line: string): void => appendFileSync(ENGINE_LOG, `${line}\n`);
const heading = (text: string): void => out(`\n━━ ${text} ${"━".repeat(Math.max(3, 76 - text.length))}`);

/** The release images: v1 is the one Pulumi.staging.yaml pins; v2 a fresh digest, as CI would push. */
function releaseImages(stagingImage: string): { v1: string; v2: string } {
  const repo = stagingImage.split("@")[0] as string;
  const digest = createHash("sha256").update(`slipway sandbox ${new Date().toISOString()} ${randomBytes(8).toString("hex")}`).digest("hex");
  return { v1: stagingImage, v2: `${repo}@sha256:${digest}` };
}

interface StepRecord {
  name: string;
  ms: number;
  calls: TaggedCall[];
  result: string;
}

async function step(steps: StepRecord[], emu: Emulators, name: string, run: () => Promise<string>): Promise<void> {
  heading(name);
  const mark = logMark(emu);
  const { value, ms } = await timed(run);
  const calls = callsSince(emu, mark);
  steps.push({ name, ms, calls, result: value });
  out(`  ✔ ${name}: ${value} (${seconds(ms)}; API calls ${describeCalls(calls)})`);
}

async function cli(main: CliMain, argv: string[]): Promise<string[]> {
  out(`  $ slipway ${argv.join(" ")}`);
  const r = await runCli(main, argv, engineLog);
  for (const l of r.printed) out(`  ${l.split("\n").join("\n  ")}`);
  if (r.code !== 0) {
    // The CLI's error went to the engine log with the rest of its progress: show its end here.
    const tail = readFileSync(ENGINE_LOG, "utf8").trimEnd().split("\n").slice(-6).map((l) => `    ${l}`).join("\n");
    throw new SandboxFailure(`slipway ${argv[0]} exited ${r.code}: ${r.printed.at(-1) ?? "(no output)"}\n  end of ${ENGINE_LOG}:\n${tail}`);
  }
  return r.printed;
}

interface Endpoint {
  label: string;
  origin: string;
  host: string;
}

async function probeAll(endpoints: readonly Endpoint[], path: string): Promise<{ endpoint: Endpoint; answer: AppAnswer }[]> {
  const answers = [];
  for (const endpoint of endpoints) answers.push({ endpoint, answer: await probeApp(endpoint.origin, endpoint.host, path) });
  return answers;
}

function expectServing(answers: { endpoint: Endpoint; answer: AppAnswer }[], image: string, when: string): void {
  for (const { endpoint, answer } of answers) {
    out(`  https://${endpoint.host} (${endpoint.label}) → ${answer.status}, image ${shortImage(answer.image)}`);
    if (answer.status !== 200 || answer.image !== image) {
      throw new SandboxFailure(`${when}: ${endpoint.host} on the ${endpoint.label} answered ${answer.status} with image ${answer.image ?? "none"}, expected 200 with ${image}`);
    }
  }
}

async function run(state: { emu?: Emulators; stack?: EngineStack }): Promise<void> {
  const started = performance.now();
  const manifest = engineManifest();
  mkdirSync(path.dirname(ENGINE_LOG), { recursive: true });
  writeFileSync(ENGINE_LOG, "");
  out(`slipway sandbox — running against ${LABEL}`);
  out(`engine: pulumi ${manifest.cliVersion} (${manifest.cliSource}), @pulumi/pulumi ${manifest.sdkVersion}, offline; full engine log: ${path.relative(process.cwd(), ENGINE_LOG)}`);

  const cfg = sandboxConfig(ROOT_PROJECT, { fly: withFly });
  for (const d of cfg.dropped) out(`config: Pulumi.staging.yaml without ${d.key}: ${d.reason}`);
  if (cfg.flyApp) out(`config: plus a Fly part from Pulumi.production.yaml: app ${cfg.flyApp}, one machine`);
  const images = releaseImages((cfg.config["slipway:image"] as { ref: string }).ref);
  const domains = (cfg.config["slipway:domains"] as string[] | undefined) ?? [];

  const emu = (state.emu = await startEmulators());
  out(`emulators: coolify ${emu.coolify.url}  fly ${emu.fly.url}  github ${emu.github.url}`);
  // The release commit the CLI records: this checkout's HEAD (the mirrored project dir has no .git).
  const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT_PROJECT, encoding: "utf8" }).trim();
  process.env.SLIPWAY_RELEASE_COMMIT = commit;
  process.env.PULUMI_CONFIG_PASSPHRASE = LOCAL_PASSPHRASE;

  const s = (state.stack = await EngineStack.create({ project: ROOT_PROJECT, stackName: STACK, env: { ...emu.env, SLIPWAY_RELEASE_COMMIT: commit }, opTimeoutMs: timeoutMs }));
  out(`backend: file://${s.backendDir} (temporary; passphrase: slipway's fixed local-only one)`);
  writeStackFile(s.workDir, STACK, cfg.config);
  // Fresh random values each run, set through the engine so they are only ever stored encrypted.
  await setSecrets(s, Object.fromEntries(cfg.secretNames.map((n) => [n, `${n.toLowerCase()}-${randomBytes(16).toString("hex")}`])));
  const main = await cliFor(s, emu, domains);

  const steps: StepRecord[] = [];
  const endpoints: Endpoint[] = domains.map((d) => ({ label: "Coolify emulator", origin: emu.coolify.origin, host: d }));
  let healthPath = "/";

  await step(steps, emu, "1. first deploy", async () => {
    await cli(main, ["deploy", STACK, "--image", images.v1, "--message", "sandbox: first release"]);
    const o = await s.stack.outputs();
    const value = (k: string): unknown => o[k]?.value;
    healthPath = new URL(String(value("healthUrl") ?? "https://x/")).pathname;
    const flyHost = value("flyHostname");
    if (typeof flyHost === "string") endpoints.push({ label: "Fly emulator", origin: emu.fly.origin, host: flyHost });
    out(`  url: ${String(value("url"))}   health: ${String(value("healthUrl"))}`);
    if (typeof flyHost === "string") out(`  fly: https://${flyHost} (app ${String(value("flyAppName"))}, machines ${JSON.stringify(value("flyMachineIds"))}, database ${String(value("flyDatabaseApp"))})`);
    out(`  coolify: project ${String(value("coolifyProjectUuid"))}, application ${String(value("coolifyApplicationUuid"))}, database ${String(value("coolifyDatabaseUuid"))} (host ${String(value("databaseHost"))})`);
    const st = emu.coolify.state;
    out(`  Coolify emulator holds: ${st.applications.length} application(s), ${st.databases.length} database(s); Fly emulator: ${emu.fly.state.apps.size} app(s), ${emu.fly.state.machines.size} machine(s)`);
    expectServing(await probeAll(endpoints, healthPath), images.v1, "after the first deploy");
    return `${shortImage(String(value("imageRef")))} serving`;
  });

  await step(steps, emu, "2. a change: new image digest + env var FEATURE_FLAGS", async () => {
    // A config change goes through git (here: the stack file); the image only through a release.
    await s.stack.setConfig("slipway:app.env.FEATURE_FLAGS", { value: "search-v2" }, true);
    out("  $ pulumi config set --path slipway:app.env.FEATURE_FLAGS search-v2");
    out(`  $ slipway preview ${STACK}`);
    const report = await cliPreview(STACK, engineLog);
    out(`  preview: ${summaryLine(report.summary)}`);
    const changes = report.changes.filter((c) => c.op !== "same" && !c.type.startsWith("pulumi:pulumi:Stack") && !c.type.startsWith("pulumi:providers:"));
    for (const c of changes) out(`    ${c.op} ${c.urn.split("::").at(-1) ?? c.urn} (${c.type.split(":").at(-1)})`);
    // The diff line that mattered: the new variable on each platform.
    for (const l of report.diff.split("\n").filter((line) => /FEATURE_FLAGS/.test(line)).slice(0, 4)) out(`    ${l.trim()}`);
    if (changes.length === 0) throw new SandboxFailure("the preview of the change planned no resource change");
    await cli(main, ["deploy", STACK, "--image", images.v2, "--message", "sandbox: new image and FEATURE_FLAGS"]);
    expectServing(await probeAll(endpoints, healthPath), images.v2, "after the change");
    return `${changes.length} resources updated, ${shortImage(images.v2)} serving`;
  });

  await step(steps, emu, "3. rollback to the first release", async () => {
    await cli(main, ["releases", STACK]);
    await cli(main, ["rollback", STACK, "--yes"]);
    const answers = await probeAll(endpoints, healthPath);
    expectServing(answers, images.v1, "after the rollback");
    const app = emu.coolify.state.applications[0];
    const envKeys = (app?.envs ?? []).map((e) => e.key);
    if (envKeys.includes("FEATURE_FLAGS")) throw new SandboxFailure("after the rollback the Coolify application still has FEATURE_FLAGS");
    out(`  Coolify application runs ${shortImage(app?.running?.image)}; FEATURE_FLAGS removed again`);
    for (const m of emu.fly.state.machines.values()) if (m.appName === cfg.flyApp && !m.destroyedAt) out(`  Fly machine ${m.id} (${m.state}) runs ${shortImage(m.config.image)}`);
    return `${shortImage(images.v1)} serving again`;
  });

  const total = performance.now() - started;
  heading("summary");
  out(textTable(["step", "time", "API calls (writes/reads)", "result"], steps.map((r) => [r.name, seconds(r.ms), describeCalls(r.calls), r.result])));
  out("");
  const final = await probeAll(endpoints, healthPath);
  for (const { endpoint, answer } of final) out(`app URL  https://${endpoint.host}${healthPath} → ${answer.status} (answered by the ${endpoint.label})`);
  for (const { endpoint, answer } of final) out(`running after rollback on the ${endpoint.label}: ${answer.image ?? "unknown"}${answer.image === images.v1 ? " (the first release)" : ""}`);
  out(`stack ${STACK}: ${(await s.stack.history()).length} updates in its history; total ${seconds(total)}`);
  if (emu.github.log.length > 0) out(`note: the GitHub emulator received ${emu.github.log.length} request(s)`);
}

async function cleanup(state: { emu?: Emulators; stack?: EngineStack }): Promise<void> {
  await state.stack?.cleanup().catch(() => undefined);
  await state.emu?.close().catch(() => undefined);
  releaseProjectDir();
}

/** Runs the sandbox and exits the process: 0 on success, non-zero with the reason on failure. */
export async function entry(): Promise<void> {
  const state: { emu?: Emulators; stack?: EngineStack } = {};
  const stop = async (code: number, message: string): Promise<never> => {
    out(`\n✘ sandbox FAILED: ${message}`);
    if (state.stack) killMarked(state.stack.marker, "SIGKILL");
    await cleanup(state);
    out(`(that was against ${LABEL})`);
    process.exit(code);
  };
  const watchdog = setTimeout(() => void stop(2, `did not finish within ${seconds(timeoutMs)} (SANDBOX_TIMEOUT_MS)`), timeoutMs);
  process.once("SIGINT", () => void stop(130, "interrupted"));
  process.once("SIGTERM", () => void stop(143, "terminated"));
  try {
    await run(state);
  } catch (error) {
    clearTimeout(watchdog);
    const message = error instanceof SandboxFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    await stop(1, message);
  }
  clearTimeout(watchdog);
  await cleanup(state);
  out(`\n✔ sandbox OK — everything above ran against ${LABEL}; temp backend and emulators are gone.`);
  process.exit(0);
}

