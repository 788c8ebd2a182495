import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";

const ROOT = resolve(__dirname, "../..");
const DIR = join(ROOT, ".github/workflows");
/** Built by scripts/bootstrap-engine.sh (npm pretest) from the Go module proxy; SLIPWAY_ACTIONLINT points elsewhere. */
const ACTIONLINT = process.env.SLIPWAY_ACTIONLINT ?? join(homedir(), ".cache/slipway/pulumi-3.270.0/bin/actionlint");

const str = z.string();
const step = z.object({
  id: str.optional(),
  name: str.optional(),
  if: str.optional(),
  uses: str.optional(),
  run: str.optional(),
  with: z.record(str, z.unknown()).optional(),
  env: z.record(str, z.unknown()).optional(),
});
const concurrency = z.object({ group: str, "cancel-in-progress": z.union([z.boolean(), str]) });
const job = z.object({
  if: str.optional(),
  needs: z.union([str, z.array(str)]).optional(),
  environment: z.union([str, z.object({ name: str })]).optional(),
  concurrency: concurrency.optional(),
  permissions: z.record(str, str).optional(),
  env: z.record(str, z.unknown()).optional(),
  steps: z.array(step).optional(),
  uses: str.optional(),
  with: z.record(str, z.unknown()).optional(),
  secrets: z.unknown().optional(),
});
const workflow = z.object({
  name: str,
  on: z.record(str, z.unknown()),
  permissions: z.record(str, str),
  jobs: z.record(str, job),
});
type Workflow = z.infer<typeof workflow>;
type Job = z.infer<typeof job>;

const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort() : [];
const wf: Record<string, Workflow> = Object.fromEntries(
  files.map((f) => [f, workflow.parse(parse(readFileSync(join(DIR, f), "utf8")))]),
);
function get(file: string): Workflow {
  const w = wf[file];
  if (!w) throw new Error(`missing .github/workflows/${file}; have ${files.join(", ")}`);
  return w;
}
function jobOf(file: string, id: string): Job {
  const j = get(file).jobs[id];
  if (!j) throw new Error(`${file} has no job ${id}`);
  return j;
}
const runs = (j: Job): string[] => (j.steps ?? []).flatMap((s) => (s.run ? [s.run] : []));
const envName = (j: Job): string | undefined => (typeof j.environment === "string" ? j.environment : j.environment?.name);

/** Every job that deploys, with the stack it deploys and the concurrency group it ends up in. */
function deploys(): Array<{ file: string; job: string; stack: string; group: string; environment: string }> {
  const reusable = jobOf("deploy.yml", "deploy");
  return files.flatMap((file) =>
    Object.entries(get(file).jobs).flatMap(([id, j]) => {
      if (j.uses !== "./.github/workflows/deploy.yml") return [];
      const stack = String(j.with?.stack);
      const subst = (s: string): string => s.replace("${{ inputs.stack }}", stack);
      return [{ file, job: id, stack, group: subst(reusable.concurrency?.group ?? ""), environment: subst(envName(reusable) ?? "") }];
    }),
  );
}

describe("workflows: structure", () => {
  it("has the expected files", () => {
    expect(files).toEqual(["deploy.yml", "pr.yml", "production-dispatch.yml", "release.yml", "staging.yml"]);
  });

  it("defaults every workflow to read-only contents", () => {
    for (const f of files) expect(get(f).permissions, f).toEqual({ contents: "read" });
  });

  it("pull_request: verify runs typecheck, lint, tests and actionlint", () => {
    expect(get("pr.yml").on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened", "closed"] } });
    const verify = runs(jobOf("pr.yml", "verify"));
    expect(verify).toEqual(expect.arrayContaining(["npm run typecheck", "npm run lint", "npm test"]));
    expect(verify.some((r) => r.includes("bin/actionlint"))).toBe(true);
    expect(jobOf("pr.yml", "verify").if).toBe("github.event.action != 'closed'");
  });

  it("pull_request: previews staging and production into ONE marked comment, edited in place", () => {
    const preview = jobOf("pr.yml", "preview");
    const r = runs(preview);
    expect(r).toContain('npx slipway preview staging > "$RUNNER_TEMP/staging.md"');
    expect(r).toContain('npx slipway preview production > "$RUNNER_TEMP/production.md"');
    const posts = (preview.steps ?? []).filter((s) => s.uses?.startsWith("actions/github-script@"));
    expect(posts).toHaveLength(1);
    const script = String(posts[0]?.with?.script);
    expect(script).toContain("updateComment");
    expect(script).toContain("<!-- slipway-preview -->");
    expect(r.some((x) => x.includes('echo "<!-- slipway-preview -->"'))).toBe(true);
    expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    // Never the production environment: that would wait for reviewers on every PR.
    expect(envName(preview)).toBe("preview");
    expect(preview.needs).toBe("verify");
  });

  it("pull_request: pr up while open, pr down when closed, serialized per PR", () => {
    const up = jobOf("pr.yml", "pr-up");
    const down = jobOf("pr.yml", "pr-down");
    expect(runs(up)).toContain('npx slipway pr up "$PR_NUMBER" --image "$IMAGE"');
    // The image the image job built for the head commit, released as that commit (not GITHUB_SHA, the merge commit).
    expect(up.needs).toEqual(["verify", "image"]);
    expect(up.env?.IMAGE).toBe("${{ needs.image.outputs.ref }}");
    expect(up.env?.SLIPWAY_RELEASE_COMMIT).toBe("${{ github.event.pull_request.head.sha }}");
    // The preview app's secrets from the preview environment's secrets, one SLIPWAY_SECRET_<NAME> each.
    expect(envName(up)).toBe("preview");
    expect(up.env?.SLIPWAY_SECRET_SESSION_SECRET).toBe("${{ secrets.SESSION_SECRET }}");
    expect(up.env?.SLIPWAY_SECRET_STRIPE_API_KEY).toBe("${{ secrets.STRIPE_API_KEY }}");
    const image = jobOf("pr.yml", "image");
    expect(image.if).toBe(up.if);
    expect(image.concurrency).toEqual({ group: "slipway-pr-image-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    expect(image.steps?.[0]).toEqual({ uses: "actions/checkout@v4", with: { ref: "${{ github.event.pull_request.head.sha }}" } });
    // A fork's PR gets a notice instead of a preview that could only fail without secrets.
    expect(jobOf("pr.yml", "fork").if).toBe("github.event.action != 'closed' && github.event.pull_request.head.repo.full_name != github.repository");
    expect(runs(down)).toContain('npx slipway pr down "$PR_NUMBER"');
    expect(up.env?.PR_NUMBER).toBe("${{ github.event.pull_request.number }}");
    expect(up.if).toMatch(/^github\.event\.action != 'closed'/);
    expect(down.if).toMatch(/^github\.event\.action == 'closed'/);
    expect(up.concurrency).toEqual({ group: "slipway-pr-${{ github.event.pull_request.number }}", "cancel-in-progress": false });
    expect(down.concurrency).toEqual(up.concurrency);
  });

  it("the reusable deploy job: environment and concurrency per stack, never cancelled", () => {
    const w = get("deploy.yml");
    expect(Object.keys(w.on)).toEqual(["workflow_call"]);
    const d = jobOf("deploy.yml", "deploy");
    expect(d.environment).toBe("${{ inputs.stack }}");
    expect(d.concurrency).toEqual({ group: "slipway-deploy-${{ inputs.stack }}", "cancel-in-progress": false });
    expect(d.env?.STACK).toBe("${{ inputs.stack }}");
    // What the steps do when run is test/e2e/workflows.test.ts; here only which step deploys.
    const deployStep = (d.steps ?? []).findIndex((s) => s.name === "Deploy");
    expect(d.steps?.[deployStep]?.run?.trim().split("\n").pop()).toBe('npx slipway deploy "$STACK" "${args[@]}"');
    const gates = (d.steps ?? []).filter((s) => s.run?.includes("npx slipway gate"));
    expect(gates.map((s) => [s.if, s.run?.trim().split("\n").pop()])).toEqual([
      ["inputs.tag != ''", 'npx slipway gate tag "$RELEASE_TAG"'],
      ["inputs.business-hours", 'npx slipway gate hours "${args[@]}"'],
      ["inputs.require-staging-healthy", 'npx slipway gate healthy "$STAGING_HEALTH_URL"'],
    ]);
    // The window comes from environment variables, each optional.
    expect(gates[1]?.env).toEqual({
      HOURS_DAYS: "${{ vars.SLIPWAY_HOURS_DAYS }}",
      HOURS_FROM: "${{ vars.SLIPWAY_HOURS_FROM }}",
      HOURS_TO: "${{ vars.SLIPWAY_HOURS_TO }}",
      HOURS_TZ: "${{ vars.SLIPWAY_HOURS_TZ }}",
    });
    // Gates run before anything is deployed.
    const lastGate = Math.max(...gates.map((g) => (d.steps ?? []).indexOf(g)));
    expect(lastGate).toBeLessThan(deployStep);
  });

  it("push to main deploys staging only; tags and dispatch deploy production only", () => {
    expect(get("staging.yml").on).toEqual({ push: { branches: ["main"] } });
    expect(get("release.yml").on).toEqual({ push: { tags: ["v*.*.*"] } });
    expect(Object.keys(get("production-dispatch.yml").on)).toEqual(["workflow_dispatch"]);
    expect(deploys().map((d) => [d.file, d.stack, d.environment])).toEqual([
      ["production-dispatch.yml", "production", "production"],
      ["release.yml", "production", "production"],
      ["staging.yml", "staging", "staging"],
    ]);
  });

  it("two deploys of one stack share a concurrency group; the two stacks never share one", () => {
    const groups = deploys().map((d) => [d.stack, d.group]);
    expect(groups).toEqual([
      ["production", "slipway-deploy-production"],
      ["production", "slipway-deploy-production"],
      ["staging", "slipway-deploy-staging"],
    ]);
  });

  it("tag: validated before reviewers are asked, then deploy, then a GitHub release with notes", () => {
    const v = jobOf("release.yml", "validate");
    expect(runs(v)).toContain('npx slipway gate tag "$RELEASE_TAG"');
    expect(v.env?.RELEASE_TAG).toBe("${{ github.ref_name }}");
    expect(v.environment).toBeUndefined();
    const p = jobOf("release.yml", "production");
    expect(p.needs).toBe("validate");
    expect(p.with).toMatchObject({ stack: "production", tag: "${{ github.ref_name }}", "require-staging-healthy": true });
    const rel = jobOf("release.yml", "github-release");
    expect(rel.needs).toBe("production");
    expect(rel.permissions).toEqual({ contents: "write" });
    expect(runs(rel)).toContain('gh release create "$RELEASE_TAG" --verify-tag --title "$RELEASE_TAG" --generate-notes');
  });

  it("workflow_dispatch: a required reason, recorded, with every gate", () => {
    const on = z
      .object({ workflow_dispatch: z.object({ inputs: z.object({ reason: z.object({ required: z.literal(true), type: z.literal("string") }) }) }) })
      .safeParse(get("production-dispatch.yml").on);
    expect(on.success).toBe(true);
    const p = jobOf("production-dispatch.yml", "production");
    expect(p.with).toMatchObject({ stack: "production", "business-hours": true, "require-staging-healthy": true, tag: "${{ github.ref_name }}" });
    expect(String(p.with?.message)).toContain("inputs.reason");
  });

  it("secrets reach steps only through env, are never echoed, and no event text is spliced into a script", () => {
    for (const f of files) {
      for (const [id, j] of Object.entries(get(f).jobs)) {
        const secretVars = Object.entries({ ...(j.env ?? {}) })
          .filter(([, v]) => String(v).includes("secrets."))
          .map(([k]) => k);
        for (const r of runs(j)) {
          expect(r, `${f} ${id}`).not.toMatch(/\$\{\{\s*(secrets|inputs|github\.event)\./);
          for (const k of secretVars) {
            expect(r, `${f} ${id} echoes ${k}`).not.toMatch(new RegExp(`(echo|printf|cat)[^\\n|]*\\$\\{?${k}\\b`));
          }
        }
        for (const s of j.steps ?? []) {
          for (const v of Object.values(s.env ?? {})) {
            if (String(v).includes("secrets.")) expect(s.run, `${f} ${id}: secret in a step env`).toBeUndefined();
          }
        }
      }
    }
  });

  it("every needs points at a job of the same workflow", () => {
    for (const f of files) {
      const ids = Object.keys(get(f).jobs);
      for (const j of Object.values(get(f).jobs)) {
        for (const n of [j.needs ?? []].flat()) expect(ids, f).toContain(n);
      }
    }
  });
});

describe("workflows: actionlint", () => {
  function actionlint(cwd: string, paths: string[]): { status: number | null; out: string } {
    const r = spawnSync(ACTIONLINT, ["-no-color", ...paths], { cwd, encoding: "utf8", timeout: 60_000 });
    return { status: r.status, out: r.error ? `${r.error.message}` : `${r.stdout}${r.stderr}` };
  }

  it("the actionlint binary has been built (npm pretest / scripts/bootstrap-engine.sh)", () => {
    expect(existsSync(ACTIONLINT), `${ACTIONLINT} is missing: run \`bash scripts/bootstrap-engine.sh\``).toBe(true);
  });

  it("accepts every workflow", () => {
    const r = actionlint(ROOT, files.map((f) => join(".github/workflows", f)));
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });

  it("would catch a broken workflow (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "slipway-actionlint-"));
    mkdirSync(join(dir, ".github/workflows"), { recursive: true });
    const bad = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    needs: nowhere\n    steps:\n      - run: echo ${{ github.event.head_commit.message }}\n";
    writeFileSync(join(dir, ".github/workflows/bad.yml"), bad);
    const r = actionlint(dir, [".github/workflows/bad.yml"]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain("nowhere");
  });
});
