import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/engine";
import { killMarked } from "./harness";
import { probeApp } from "../../scripts/sandbox/report";
import { previewSecretValues, secretValue, startEmulators, type Emulators } from "./stacks";
import { installUserPulumi, type UserPulumi } from "./user-pulumi";
import { runWorkflow, type RunnerOptions, type StandIn, type StepRecord } from "./workflow-runner";

/**
 * The workflows, executed (test/e2e/workflow-runner.ts parses the YAML and runs the jobs and steps; nothing here
 * matches workflow text): every `run:` step in order with the workflow's `env`, in a clean clone of the project,
 * with pulumi installed as a user has it (its own directory on PATH, a fresh PULUMI_HOME, no slipway cache), a
 * file backend, and the emulators as Coolify and Fly.
 *
 * LOCAL STAND-INS for what only GitHub can run, each named where it is defined below:
 *   actions/checkout            the clean clone this test made (git, with origin/main); `with: ref` checks that out
 *   actions/setup-node          the node running this test
 *   pulumi/actions              puts the user-installed pulumi directory on PATH
 *   docker/setup-buildx-action, docker/login-action   nothing (no Docker engine, no registry here)
 *   docker/build-push-action    a digest from the hash of the context's files (test/e2e/standin/builder.js)
 *   actions/github-script       "posts" the PR comment: creates or edits the one comment found by its marker
 *   gh (release create)         a `gh` on PATH that records its arguments
 * Skipped run steps (the test suite runs them itself): npm ci (the clone shares node_modules), typecheck, lint,
 * npm test, actionlint. The stacks run without `slipway:github`: the GitHub provider plugin cannot be built
 * offline (engine.json says why), so the setup step drops it from the committed stack files.
 */
const REPOSITORY = "acme/shop";
const { contextDigest } = require(path.join(repoRoot, "test/e2e/standin/builder.js")) as { contextDigest: (dir: string) => string };

function sh(cwd: string, cmd: string, args: string[], env?: Record<string, string>): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: env ?? process.env, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe("the workflows run: push to main, release tag, manual dispatch, PR opened/updated/from a fork/closed, failing health gate", () => {
  let emu: Emulators;
  let user: UserPulumi;
  let tmp: string;
  let clone: string;
  let backend: string;
  let ghLog: string;
  const marker = `slipway-e2e-workflows-${process.pid}`;
  const comments: { id: number; body: string }[] = [];
  const passphrase = secretValue("passphrase");
  const previewSecrets = previewSecretValues() as { SESSION_SECRET: string; STRIPE_API_KEY: string };

  const git = (...args: string[]) => sh(clone, "git", ["-c", "user.name=dev", "-c", "user.email=dev@example.invalid", ...args]).trim();

  /** The user's environment on the runner before any step: no slipway cache, the emulator endpoints. */
  function machineEnv(): Record<string, string> {
    return user.env({
      HOME: process.env.HOME,
      PATH: [path.join(tmp, "standins"), path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
      SLIPWAY_E2E_MARKER: marker,
      SLIPWAY_RESOLVE: [`staging.example.com:127.0.0.1:${emu.coolify.port}`, `shop.example.com:127.0.0.1:${emu.fly.port}`, `shop-pr-12.fly.dev:127.0.0.1:${emu.fly.port}`].join(","),
      SLIPWAY_HEALTH_ATTEMPTS: "6",
      SLIPWAY_HEALTH_INTERVAL_MS: "500",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      ...Object.fromEntries(Object.entries(emu.env).filter(([k]) => k.startsWith("SLIPWAY_"))),
    });
  }

  const withoutPulumi = (env: Record<string, string>) => ({ ...env, PATH: (env.PATH ?? "").split(path.delimiter).filter((d) => d !== user.binDir).join(path.delimiter) });

  const standIns: Record<string, StandIn> = {
    // STAND-IN: the clean clone below is the checkout; a `ref` (the PR's head commit) is checked out in it.
    "actions/checkout": (step) => {
      if (step.with.ref) git("checkout", "-q", step.with.ref);
      return {};
    },
    // STAND-IN: the node that runs this test is on PATH.
    "actions/setup-node": () => ({}),
    // STAND-IN for pulumi/actions: the pulumi a user installs, on PATH for the following steps.
    "pulumi/actions": () => ({ path: [user.binDir] }),
    "docker/setup-buildx-action": () => ({}),
    "docker/login-action": () => ({}),
    // STAND-IN for docker/build-push-action: no Docker engine here; the digest is the hash of the context.
    "docker/build-push-action": (step) => ({ outputs: { digest: contextDigest(path.resolve(clone, step.with.context ?? ".")) } }),
    // STAND-IN for actions/github-script posting the PR comment: one comment, found by its marker, edited in place.
    "actions/github-script": (step) => {
      const body = readFileSync(step.env.COMMENT_FILE ?? "", "utf8");
      const mine = comments.find((c) => c.body.startsWith("<!-- slipway-preview -->"));
      if (mine) mine.body = body;
      else comments.push({ id: comments.length + 1, body });
      return {};
    },
  };
  const skip = {
    "npm ci": "skipped: the clone shares this checkout's installed node_modules",
    "npm run typecheck": "skipped: the suite runs it",
    "npm run lint": "skipped: the suite runs it",
    "npm test": "skipped: the suite runs it",
    "npm run test:unit": "skipped: the suite runs it",
    "~/.cache/slipway/pulumi-3.270.0/bin/actionlint -color": "skipped: test/unit/workflows.test.ts runs actionlint",
  };

  function options(github: Record<string, unknown>, inputs?: Record<string, string>): RunnerOptions {
    const tokens = { COOLIFY_TOKEN: emu.tokens.coolify, FLY_API_TOKEN: emu.tokens.fly, SLIPWAY_GITHUB_TOKEN: emu.tokens.github, PULUMI_CONFIG_PASSPHRASE: passphrase };
    return {
      cwd: clone,
      github: { repository: REPOSITORY, actor: "alice-acme", token: "gh-token", ...github },
      secrets: { ...tokens, PULUMI_ACCESS_TOKEN: "" },
      vars: {
        PULUMI_BACKEND_URL: `file://${backend}`,
        COOLIFY_URL: emu.coolify.url,
        STAGING_HEALTH_URL: "https://staging.example.com/healthz",
        // The business-hours window, as a team sets it in repository variables: always open, so the run is deterministic.
        SLIPWAY_HOURS_DAYS: "Mon-Sun",
        SLIPWAY_HOURS_FROM: "00:00",
        SLIPWAY_HOURS_TO: "23:59",
      },
      // The preview environment's own secrets: only a job with `environment: preview` sees them (the runner overlays them).
      environments: { preview: { secrets: previewSecrets } },
      // pulumi is on PATH only once the pulumi/actions step (its stand-in) put it there, as on a runner.
      baseEnv: { ...withoutPulumi(machineEnv()), FLY_API_URL: emu.fly.url },
      standIns,
      skip,
      inputs,
      stepTimeoutMs: 540_000,
    };
  }

  const summary = (steps: StepRecord[]) => steps.map((s) => `${s.job} ${s.kind} ${s.outcome}: ${s.step}${s.outcome === "failure" ? ` — ${s.detail.slice(-1500)}` : ""}`).join("\n");
  const commitApp = (version: string): string => {
    writeFileSync(path.join(clone, "app", "server.js"), `console.log("shop ${version}");\n`);
    git("add", "-A");
    git("commit", "-qm", `app ${version}`);
    git("push", "-q", "origin", "HEAD:main");
    git("fetch", "-q", "origin");
    return git("rev-parse", "HEAD");
  };
  const imageOf = () => `ghcr.io/${REPOSITORY}@${contextDigest(clone)}`;
  const serving = async (host: "staging.example.com" | "shop.example.com" | "shop-pr-12.fly.dev") => {
    const origin = host === "staging.example.com" ? emu.coolify.origin : emu.fly.origin;
    // Coolify's emulator names the image in a header, Fly's in the JSON body; probeApp reads both.
    return (await probeApp(origin, host, "/healthz")).image;
  };
  const slipway = (...args: string[]) => sh(clone, process.execPath, [path.join(clone, "infra/cli/bin.js"), ...args], { ...machineEnv(), PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: passphrase, ...emu.env });

  beforeAll(async () => {
    emu = await startEmulators();
    user = installUserPulumi();
    tmp = mkdtempSync(path.join(tmpdir(), "slipway-workflows-"));
    backend = path.join(tmp, "backend");
    mkdirSync(backend);
    // STAND-IN for the gh CLI: records `gh release create …` instead of calling GitHub.
    ghLog = path.join(tmp, "gh.log");
    mkdirSync(path.join(tmp, "standins"));
    writeFileSync(path.join(tmp, "standins", "gh"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${ghLog}"\n`);
    chmodSync(path.join(tmp, "standins", "gh"), 0o755);

    // The team's repository: this project's files (node_modules linked, as `npm ci` would have installed them),
    // an app to build, and the first-deploy setup committed: stacks initialised, secrets set, slipway:github out.
    const origin = path.join(tmp, "origin.git");
    clone = path.join(tmp, "clone");
    mkdirSync(clone);
    for (const name of readdirSync(repoRoot)) {
      if ([".git", "node_modules", ".slipway", ".pulumi-state", ".slipway-notes"].includes(name)) continue;
      if (/^Pulumi\..+\.ya?ml$/.test(name) && !["Pulumi.staging.yaml", "Pulumi.production.yaml", "Pulumi.pr.yaml"].includes(name)) continue;
      sh(repoRoot, "cp", ["-R", name, path.join(clone, name)]);
    }
    symlinkSync(path.join(repoRoot, "node_modules"), path.join(clone, "node_modules"));
    mkdirSync(path.join(clone, "app"));
    writeFileSync(path.join(clone, "app", "Dockerfile"), "FROM node:20-alpine\nCOPY server.js .\nCMD node server.js\n");
    const setup = { ...machineEnv(), PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: passphrase };
    const pulumi = (...args: string[]) => sh(clone, path.join(user.binDir, "pulumi"), args, setup);
    for (const stack of ["staging", "production"]) {
      pulumi("stack", "init", stack);
      pulumi("config", "rm", "slipway:github", "--stack", stack);
      pulumi("config", "set", "--secret", "--path", "slipway:secrets.SESSION_SECRET", secretValue("session"), "--stack", stack);
      pulumi("config", "set", "--secret", "--path", "slipway:secrets.STRIPE_API_KEY", secretValue("stripe"), "--stack", stack);
    }
    sh(tmp, "git", ["init", "-q", "--bare", origin]);
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-qm", "the team's repository after the first-deploy setup");
    git("remote", "add", "origin", origin);
  }, 600_000);
  afterAll(async () => {
    killMarked(marker, "SIGKILL");
    await emu?.close();
    user?.remove();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("push to main: the commit's image is built once and staging deploys it, recording the digest", async () => {
    const sha = commitApp("v1");
    const r = await runWorkflow(".github/workflows/staging.yml", options({ event_name: "push", event: {}, sha, ref: "refs/heads/main", ref_name: "main", ref_type: "branch" }));
    expect(r.result, summary(r.steps)).toBe("success");
    expect(r.steps.filter((s) => s.kind === "run" && s.outcome === "success").map((s) => s.step)).toEqual(["Image reference", "Deploy"]);
    expect(await serving("staging.example.com")).toBe(imageOf());
    expect(slipway("releases", "staging")).toMatch(new RegExp(`#1\\s+release\\s+-\\s+${sha.slice(0, 7)}\\s+ghcr\\.io/acme/shop@${contextDigest(clone).slice(0, 19)}`));
    expect(git("status", "--porcelain")).toBe("");
  });

  it("tag vX.Y.Z: gates, then production deploys exactly the digest staging ran healthy for that commit, then the release notes", async () => {
    const sha = git("rev-parse", "HEAD");
    git("tag", "v1.0.0");
    const r = await runWorkflow(".github/workflows/release.yml", options({ event_name: "push", event: {}, sha, ref: "refs/tags/v1.0.0", ref_name: "v1.0.0", ref_type: "tag" }));
    expect(r.result, summary(r.steps)).toBe("success");
    const ran = r.steps.filter((s) => s.kind === "run").map((s) => s.step);
    expect(ran).toEqual(["Gate - release tag", "Tag is on main", "Gate - release tag", "Gate - staging healthy", "Deploy", "Create the release with notes"]);
    expect(await serving("shop.example.com")).toBe(await serving("staging.example.com"));
    expect(readFileSync(ghLog, "utf8").trim()).toBe("release create v1.0.0 --verify-tag --title v1.0.0 --generate-notes");
  });

  it("a tag on a commit staging never ran: production refuses, and nothing is released", async () => {
    const before = await serving("shop.example.com");
    const sha = commitApp("v1-hotfix-never-on-staging");
    git("tag", "v1.0.1");
    const r = await runWorkflow(".github/workflows/release.yml", options({ event_name: "push", event: {}, sha, ref: "refs/tags/v1.0.1", ref_name: "v1.0.1", ref_type: "tag" }));
    expect(r.result).toBe("failure");
    const deploy = r.steps.find((s) => s.step === "Deploy");
    expect(deploy?.outcome).toBe("failure");
    expect(deploy?.detail).toContain(`refused: staging never ran commit ${sha.slice(0, 7)} healthy`);
    expect(r.jobs["github-release"]?.result).toBe("skipped");
    expect(await serving("shop.example.com")).toBe(before);
    git("reset", "-q", "--hard", "HEAD~1");
    git("push", "-q", "-f", "origin", "HEAD:main");
  });

  it("manual dispatch with a reason: the gates, then production redeploys the tag's staged digest, the reason recorded", async () => {
    const sha = git("rev-parse", "v1.0.0");
    const r = await runWorkflow(
      ".github/workflows/production-dispatch.yml",
      options({ event_name: "workflow_dispatch", event: { inputs: { reason: "customer escalation #88" } }, sha, ref: "refs/tags/v1.0.0", ref_name: "v1.0.0", ref_type: "tag" }, { reason: "customer escalation #88" }),
    );
    expect(r.result, summary(r.steps)).toBe("success");
    expect(r.steps.filter((s) => s.kind === "run").map((s) => s.step)).toEqual(["Gate - release tag", "Gate - business hours", "Gate - staging healthy", "Deploy"]);
    const history = JSON.parse(sh(clone, path.join(user.binDir, "pulumi"), ["stack", "history", "--stack", "production", "--json"], { ...machineEnv(), PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: passphrase })) as { message: string }[];
    expect(history[0]?.message).toBe("slipway release: manual v1.0.0 by alice-acme: customer escalation #88");
  });

  /** A commit on the PR's branch (not on main); the clone goes back to main, as a runner's checkout is per job. */
  const commitOnBranch = (version: string): { sha: string; image: string } => {
    git("checkout", "-q", "feature");
    writeFileSync(path.join(clone, "app", "server.js"), `console.log("shop ${version}");\n`);
    git("add", "-A");
    git("commit", "-qm", `app ${version}`);
    const image = imageOf();
    const sha = git("rev-parse", "HEAD");
    git("checkout", "-q", "main");
    return { sha, image };
  };
  const prEvent = (action: string, head: string, repo = REPOSITORY, number = 12) => ({
    event_name: "pull_request",
    event: { action, number, pull_request: { number, head: { sha: head, repo: { full_name: repo } } } },
    // GITHUB_SHA of a pull_request run is GitHub's test merge commit, never the head: main's HEAD stands in for it.
    sha: git("rev-parse", "main"),
    ref: `refs/pull/${number}/merge`,
    ref_name: `${number}/merge`,
    ref_type: "branch",
  });
  const backendFilesWith = (value: string): string[] =>
    (readdirSync(backend, { recursive: true }) as string[]).filter((f) => {
      const file = path.join(backend, f);
      return statSync(file).isFile() && readFileSync(file, "utf8").includes(value);
    });
  const prApp = () => emu.fly.state.apps.get("shop-pr-12");
  let firstHead = "";

  it("pull request opened: one comment with both diffs; the head commit's image built once; pr-12 runs it with the preview environment's secrets", async () => {
    git("branch", "-f", "feature", "main");
    const head = commitOnBranch("pr-12 first");
    firstHead = head.sha;
    const r = await runWorkflow(".github/workflows/pr.yml", options(prEvent("opened", head.sha)));
    expect(r.result, summary(r.steps)).toBe("success");
    expect(comments).toHaveLength(1);
    const body = comments[0]?.body ?? "";
    expect(body).toMatch(/^<!-- slipway-preview -->\n## slipway preview\n\n### staging \(success\)\n/);
    expect(body).toContain("### production (success)");
    expect(r.steps.filter((s) => s.kind === "run").map((s) => `${s.job.split(":")[1]}: ${s.step}`)).toEqual([
      "preview: Preview staging", "preview: Preview production", "preview: Compose the comment", "image: Image reference", "pr-up: Deploy pr-12",
    ]);
    expect(r.steps.find((s) => s.job.endsWith(":fork"))?.kind).toBe("skipped");
    // The digest of the HEAD commit's sources (not main's, which the merge-commit stand-in points at), served by Fly.
    expect(await serving("shop-pr-12.fly.dev")).toBe(head.image);
    expect(head.image).not.toBe(await serving("staging.example.com"));
    const releases = slipway("releases", "pr-12").trim().split("\n");
    expect(releases[1]).toMatch(new RegExp(`^#1\\s+release\\s+-\\s+${head.sha.slice(0, 7)}\\s+${head.image.slice(0, 37).replace(/[.]/g, "\\.")}`));
    // Its secrets are the preview environment's, on the Fly app; never plaintext in the backend or the job's log.
    expect(prApp()?.secrets.get("SESSION_SECRET")?.value).toBe(previewSecrets.SESSION_SECRET);
    expect(prApp()?.secrets.get("STRIPE_API_KEY")?.value).toBe(previewSecrets.STRIPE_API_KEY);
    for (const value of Object.values(previewSecrets)) {
      expect(backendFilesWith(value)).toEqual([]);
      expect(r.steps.filter((s) => s.output?.includes(value)).map((s) => s.step)).toEqual([]);
    }
    git("checkout", "-q", "main");
    expect(git("status", "--porcelain")).toBe("");
  });

  it("pull request updated with a new commit: its image is built and served, the same preview stack updated", async () => {
    const before = prApp()?.secrets.get("SESSION_SECRET")?.value;
    const head = commitOnBranch("pr-12 second");
    const r = await runWorkflow(".github/workflows/pr.yml", options(prEvent("synchronize", head.sha)));
    expect(r.result, summary(r.steps)).toBe("success");
    expect(comments).toHaveLength(1);
    expect(await serving("shop-pr-12.fly.dev")).toBe(head.image);
    const releases = slipway("releases", "pr-12").trim().split("\n");
    expect(releases[1]).toMatch(new RegExp(`^#2\\s+release\\s+-\\s+${head.sha.slice(0, 7)}\\s`));
    expect(releases[2]).toMatch(new RegExp(`^#1\\s+release\\s+-\\s+${firstHead.slice(0, 7)}\\s`));
    expect((emu.fly.inventory() as { apps: Array<{ name: string }> }).apps.filter((a) => a.name === "shop-pr-12")).toHaveLength(1);
    expect(prApp()?.secrets.get("SESSION_SECRET")?.value).toBe(before);
    git("checkout", "-q", "main");
    expect(git("status", "--porcelain")).toBe("");
  });

  it("a pull request from a fork: a notice instead of a preview, nothing built or created", async () => {
    const flyCalls = emu.fly.log.length;
    const r = await runWorkflow(".github/workflows/pr.yml", options(prEvent("opened", firstHead, "mallory/shop", 13)));
    expect(r.result, summary(r.steps)).toBe("success");
    const ran = r.steps.filter((s) => s.kind === "run");
    expect(ran.map((s) => s.step)).toEqual(["No preview for a fork"]);
    expect(ran[0]?.output).toContain("::notice title=No preview::this PR comes from the fork mallory/shop, and GitHub gives a fork's pull_request runs no secrets");
    expect(["preview", "image", "pr-up"].map((j) => r.jobs[j]?.result)).toEqual(["skipped", "skipped", "skipped"]);
    expect(emu.fly.log.length).toBe(flyCalls);
    git("checkout", "-q", "main");
  });

  it("pull request closed: pr-<n> destroyed and its stack removed", async () => {
    const r = await runWorkflow(".github/workflows/pr.yml", options(prEvent("closed", firstHead)));
    expect(r.result, summary(r.steps)).toBe("success");
    expect(r.steps.filter((s) => s.kind === "run").map((s) => s.step)).toEqual(["Destroy pr-12"]);
    expect((emu.fly.inventory() as { apps: Array<{ name: string }> }).apps.map((a) => a.name)).not.toContain("shop-pr-12");
    expect(existsSync(path.join(backend, ".pulumi", "stacks", "slipway", "pr-12.json"))).toBe(false);
    expect(git("status", "--porcelain")).toBe("");
  });

  it("a push whose image fails the health gate: automatic rollback to the recorded digest, and a red job", async () => {
    const good = await serving("staging.example.com");
    const sha = commitApp("v2-broken");
    emu.coolify.markImageUnhealthy(imageOf());
    const r = await runWorkflow(".github/workflows/staging.yml", options({ event_name: "push", event: {}, sha, ref: "refs/heads/main", ref_name: "main", ref_type: "branch" }));
    expect(r.result).toBe("failure");
    const deploy = r.steps.find((s) => s.step === "Deploy");
    expect(deploy?.outcome).toBe("failure");
    expect(deploy?.detail).toContain(`automatic rollback to update #1, image ${good}`);
    expect(await serving("staging.example.com")).toBe(good);
  });
});

