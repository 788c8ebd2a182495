import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Evaluator, Lexer, Parser, data } from "@actions/expressions";
import { truthy } from "@actions/expressions/result";
import { parse } from "yaml";
import { z } from "zod";
import { runCommand, type CliRun } from "./process";

/**
 * Runs a GitHub Actions workflow file locally, the way the runner would for the parts that matter here: jobs in
 * `needs` order with their `if:`, reusable workflows (`uses: ./.github/workflows/x.yml`) with `with:` inputs and
 * their defaults, every `run:` step in order with the workflow's, job's and step's `env`, `${{ }}` expressions
 * evaluated by GitHub's own expression library (@actions/expressions), `continue-on-error`, step outcomes and
 * `$GITHUB_OUTPUT`. What only GitHub can do — `uses:` actions (checkout, setup-node, pulumi/actions, docker
 * build and push, github-script posting a comment) — is done by a STAND-IN the test names; run steps that are the
 * test suite's own job (npm ci, typecheck, lint, npm test, actionlint) are skipped with the reason.
 */

const stepSchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  uses: z.string().optional(),
  run: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), z.unknown()).optional(),
  "continue-on-error": z.union([z.boolean(), z.string()]).optional(),
});
const jobSchema = z.object({
  if: z.union([z.string(), z.boolean()]).optional(),
  needs: z.union([z.string(), z.array(z.string())]).optional(),
  environment: z.union([z.string(), z.object({ name: z.string() })]).optional(),
  env: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  steps: z.array(stepSchema).optional(),
  uses: z.string().optional(),
  with: z.record(z.string(), z.unknown()).optional(),
});
const workflowSchema = z.object({
  env: z.record(z.string(), z.unknown()).optional(),
  on: z.record(z.string(), z.unknown()),
  jobs: z.record(z.string(), jobSchema),
});
type Step = z.infer<typeof stepSchema>;
type Job = z.infer<typeof jobSchema>;
type Outcome = "success" | "failure" | "skipped";

export interface StepRecord {
  job: string;
  step: string;
  /** run: executed; stand-in: a `uses:` replaced locally; skipped: `if:` false or a suite-only step. */
  kind: "run" | "stand-in" | "skipped";
  outcome: Outcome;
  detail: string;
  /** Everything a run: step printed (stdout, then stderr): the job log, for plaintext-secret checks. */
  output?: string;
}

/** What a stand-in for a `uses:` action does: its outputs, and directories it adds to PATH (like $GITHUB_PATH). */
export interface StandInResult {
  outputs?: Record<string, string>;
  path?: string[];
}
export type StandIn = (step: { with: Record<string, string>; env: Record<string, string> }) => Promise<StandInResult> | StandInResult;

export interface RunnerOptions {
  /** The clean clone the steps run in. */
  cwd: string;
  /** The `github` context: event, event_name, sha, ref, ref_name, ref_type, repository, actor, … */
  github: Record<string, unknown>;
  /** Repository secrets and variables, overlaid by the job's `environment`. */
  secrets: Record<string, string>;
  vars: Record<string, string>;
  environments?: Record<string, { secrets?: Record<string, string>; vars?: Record<string, string> }>;
  /** The machine's environment for steps (PATH, HOME, …): what a runner image has before any step. */
  baseEnv: Record<string, string>;
  /** By action name without the version (`actions/checkout`). An action without a stand-in fails the step. */
  standIns: Record<string, StandIn>;
  /** `run:` texts (first line) not executed, with why. */
  skip: Record<string, string>;
  /** `workflow_dispatch` / `workflow_call` inputs. */
  inputs?: Record<string, string | boolean>;
  stepTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface JobResult {
  result: Outcome;
  outputs: Record<string, string>;
}

export interface WorkflowResult {
  result: Outcome;
  jobs: Record<string, JobResult>;
  steps: StepRecord[];
}

function toData(v: unknown): data.ExpressionData {
  if (v === null || v === undefined) return new data.Null();
  if (typeof v === "string") return new data.StringData(v);
  if (typeof v === "number") return new data.NumberData(v);
  if (typeof v === "boolean") return new data.BooleanData(v);
  if (Array.isArray(v)) return new data.Array(...v.map(toData));
  return new data.Dictionary(...Object.entries(v as Record<string, unknown>).map(([key, value]) => ({ key, value: toData(value) })));
}

const STATUS = ["success", "failure", "always", "cancelled"];

/** Evaluates one expression (without `${{ }}`) against `contexts`; `ok` says whether everything before succeeded. */
export function evaluate(expression: string, contexts: Record<string, unknown>, ok = true): data.ExpressionData {
  const tokens = new Lexer(expression).lex().tokens;
  const fn = (name: string, value: boolean) => ({ name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) });
  const funcs = [fn("success", ok), fn("failure", !ok), fn("always", true), fn("cancelled", false)];
  const expr = new Parser(tokens, Object.keys(contexts), funcs).parse();
  return new Evaluator(expr, toData(contexts) as data.Dictionary, new Map(funcs.map((f) => [f.name, f]))).evaluate();
}

/** Replaces every `${{ … }}` in `text`. */
export function interpolate(text: string, contexts: Record<string, unknown>): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, e: string) => evaluate(e.trim(), contexts).coerceString());
}

/** An `if:` as GitHub reads it: `${{ }}` optional, and `success() &&` implied unless a status function is named. */
function condition(value: string | boolean | undefined, contexts: Record<string, unknown>, ok: boolean): boolean {
  if (value === undefined) return ok;
  if (typeof value === "boolean") return value && ok;
  let e = value.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1").trim();
  if (!STATUS.some((s) => new RegExp(`\\b${s}\\(`).test(e))) e = `success() && (${e})`;
  return truthy(evaluate(e, contexts, ok));
}

function evalMap(m: Record<string, unknown> | undefined, contexts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = typeof v === "string" ? interpolate(v, contexts) : String(v);
  return out;
}

function runScript(script: string, env: Record<string, string>, cwd: string, timeoutMs: number): Promise<CliRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-step-"));
  const file = path.join(dir, "step.sh");
  writeFileSync(file, script);
  // GitHub's default `run` shell on Linux: bash --noprofile --norc -eo pipefail {0}
  return runCommand("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd, env, timeoutMs });
}

function parseOutputFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export function loadWorkflow(file: string): z.infer<typeof workflowSchema> {
  return workflowSchema.parse(parse(readFileSync(file, "utf8")));
}

/** Runs `file` (a path under the clone) for the event in `options.github`. */
export async function runWorkflow(file: string, options: RunnerOptions, steps: StepRecord[] = []): Promise<WorkflowResult> {
  const wf = loadWorkflow(path.join(options.cwd, file));
  const callInputs = (wf.on.workflow_call as { inputs?: Record<string, { default?: unknown }> } | undefined)?.inputs ?? {};
  const inputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(callInputs)) if (v.default !== undefined) inputs[k] = v.default;
  Object.assign(inputs, options.inputs ?? {});
  const jobs: Record<string, JobResult> = {};
  const pending = Object.keys(wf.jobs);
  while (pending.length > 0) {
    const id = pending.find((j) => [wf.jobs[j]?.needs ?? []].flat().every((n) => n in jobs));
    if (!id) throw new Error(`${file}: a needs cycle among ${pending.join(", ")}`);
    pending.splice(pending.indexOf(id), 1);
    jobs[id] = await runJob(file, id, wf.jobs[id] as Job, wf.env, inputs, jobs, options, steps);
  }
  const result = Object.values(jobs).some((j) => j.result === "failure") ? "failure" : "success";
  return { result, jobs, steps };
}

async function runJob(file: string, id: string, job: Job, wfEnv: Record<string, unknown> | undefined, inputs: Record<string, unknown>, done: Record<string, JobResult>, o: RunnerOptions, records: StepRecord[]): Promise<JobResult> {
  const needs = [job.needs ?? []].flat();
  const ok = needs.every((n) => done[n]?.result === "success");
  const needsCtx = Object.fromEntries(needs.map((n) => [n, { result: done[n]?.result, outputs: done[n]?.outputs ?? {} }]));
  const base = { github: o.github, inputs, vars: o.vars, secrets: o.secrets, needs: needsCtx, runner: { temp: "", os: "Linux" }, env: {} };
  if (!condition(job.if, base, ok)) {
    records.push({ job: `${file}:${id}`, step: "(job)", kind: "skipped", outcome: "skipped", detail: "if: false" });
    return { result: "skipped", outputs: {} };
  }
  if (job.uses) {
    const called = job.uses.replace(/^\.\//, "");
    // `with:` keeps YAML booleans as booleans (a workflow_call boolean input), strings are interpolated.
    const withInputs = Object.fromEntries(Object.entries(job.with ?? {}).map(([k, v]) => [k, typeof v === "string" ? interpolate(v, base) : (v as boolean)]));
    const r = await runWorkflow(called, { ...o, inputs: withInputs }, records);
    return { result: r.result, outputs: {} };
  }
  const envName = typeof job.environment === "string" ? interpolate(job.environment, base) : job.environment?.name;
  const scoped = envName ? o.environments?.[envName] : undefined;
  const temp = mkdtempSync(path.join(tmpdir(), "slipway-runner-"));
  const ctx: Record<string, unknown> = { ...base, secrets: { ...o.secrets, ...scoped?.secrets }, vars: { ...o.vars, ...scoped?.vars }, runner: { temp, os: "Linux" } };
  const env: Record<string, string> = {};
  Object.assign(env, evalMap(wfEnv, { ...ctx, env }));
  Object.assign(env, evalMap(job.env, { ...ctx, env }));
  const stepsCtx: Record<string, { outcome: Outcome; conclusion: Outcome; outputs: Record<string, string> }> = {};
  const extraPath: string[] = [];
  let jobOk = true;
  for (const [i, step] of (job.steps ?? []).entries()) {
    const c = { ...ctx, env, steps: stepsCtx };
    const name = step.name ? interpolate(step.name, c) : (step.uses ?? step.run?.split("\n")[0] ?? `step ${i + 1}`);
    const record = (kind: StepRecord["kind"], outcome: Outcome, detail: string, output?: string) => {
      records.push({ job: `${file}:${id}`, step: name, kind, outcome, detail, ...(output !== undefined ? { output } : {}) });
      o.log?.(`[${file}:${id}] ${kind} ${outcome}: ${name}${detail ? ` — ${detail.split("\n").slice(-3).join(" | ")}` : ""}`);
      if (step.id) stepsCtx[step.id] = { outcome, conclusion: outcome === "failure" && continueOnError(step, c) ? "success" : outcome, outputs: stepsCtx[step.id]?.outputs ?? {} };
      if (outcome === "failure" && !continueOnError(step, c)) jobOk = false;
    };
    if (!condition(step.if, c, jobOk)) {
      record("skipped", "skipped", "if: false");
      continue;
    }
    const stepEnv = { ...env, ...evalMap(step.env, c) };
    if (step.uses) {
      const action = step.uses.replace(/@.*$/, "");
      const standIn = o.standIns[action];
      if (!standIn) {
        record("stand-in", "failure", `no stand-in for ${step.uses}`);
        continue;
      }
      const r = await standIn({ with: evalMap(step.with, c), env: stepEnv });
      if (step.id) stepsCtx[step.id] = { outcome: "success", conclusion: "success", outputs: r.outputs ?? {} };
      extraPath.unshift(...(r.path ?? []));
      record("stand-in", "success", `stand-in for ${step.uses}`);
      continue;
    }
    const script = step.run ?? "";
    const skipped = o.skip[script.split("\n")[0]?.trim() ?? ""];
    if (skipped) {
      record("skipped", "success", skipped);
      continue;
    }
    const outputFile = path.join(temp, `output-${i}`);
    writeFileSync(outputFile, "");
    const processEnv: Record<string, string> = {
      ...o.baseEnv,
      ...githubEnv(o.github),
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: outputFile,
      ...stepEnv,
    };
    processEnv.PATH = [...extraPath, o.baseEnv.PATH ?? ""].join(path.delimiter);
    const r = await runScript(interpolate(script, c), processEnv, o.cwd, o.stepTimeoutMs ?? 600_000);
    if (step.id) stepsCtx[step.id] = { outcome: r.code === 0 ? "success" : "failure", conclusion: "success", outputs: parseOutputFile(outputFile) };
    record("run", r.code === 0 ? "success" : "failure", r.code === 0 ? r.stdout.trim().split("\n").slice(-1)[0] ?? "" : `exit ${r.code}: ${(r.stdout + r.stderr).trim()}`, r.stdout + r.stderr);
  }
  const outputs = evalMap(job.outputs, { ...ctx, env, steps: stepsCtx });
  return { result: jobOk ? "success" : "failure", outputs };
}

function continueOnError(step: Step, c: Record<string, unknown>): boolean {
  const v = step["continue-on-error"];
  return typeof v === "boolean" ? v : typeof v === "string" ? interpolate(v, c) === "true" : false;
}

/** The default environment variables of a GitHub runner that slipway reads. */
function githubEnv(github: Record<string, unknown>): Record<string, string> {
  const s = (k: string) => (typeof github[k] === "string" ? (github[k] as string) : "");
  return {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_SHA: s("sha"),
    GITHUB_REF: s("ref"),
    GITHUB_REF_NAME: s("ref_name"),
    GITHUB_REF_TYPE: s("ref_type"),
    GITHUB_REPOSITORY: s("repository"),
    GITHUB_ACTOR: s("actor"),
    GITHUB_EVENT_NAME: s("event_name"),
  };
}
