/**
 * The vendor's own client against the GitHub emulator: go-github v88 — the library inside
 * terraform-provider-github v6.13, which @pulumi/github wraps — makes the provider's calls for environments,
 * deployment policies, sealed environment secrets (legacy /repositories/{id}/ routes), variables and webhooks
 * (see ./goclient/main.go). Anything go-github cannot parse or any unexpected status fails its run.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GithubEmulator, startGithubEmulator } from "./index";

const run = promisify(execFile);
const SOURCE = resolve(__dirname, "goclient");
const TOKEN = "ghp_goclient";

/** The Go toolchain: $GO, else `go` on PATH, else the standard install location. */
function goBinary(): string {
  if (process.env.GO) return process.env.GO;
  return existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
}

let workDir: string;
let client: string;
let gh: GithubEmulator;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "slipway-goclient-"));
  client = join(workDir, "goclient");
  // Modules come from the module cache or the Go module proxy; go.sum pins them. GOTOOLCHAIN=local keeps Go
  // from fetching another toolchain.
  await run(goBinary(), ["build", "-o", client, "."], {
    cwd: SOURCE,
    timeout: 300_000,
    env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly" },
  });
  gh = await startGithubEmulator({
    token: TOKEN,
    users: [{ login: "reviewer", id: 501 }],
    teams: [{ org: "acme", slug: "ops", id: 601 }],
    repositories: [{ owner: "acme", name: "app", id: 4242 }],
  });
}, 320_000);

afterAll(async () => {
  await gh?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("go-github v88 against the emulator", () => {
  it("runs the provider's calls end to end, and the emulator opens the secret Go sealed", async () => {
    gh.injectFault({ method: "GET", path: "/repos/{owner}/{repo}/license", times: 1, fault: { kind: "rateLimit", retryAfterSeconds: 1 } });
    // Async on purpose: the emulator answers from this same event loop while the client runs.
    const { stdout } = await run(client, [`${gh.url}/`, TOKEN, "prod/eu"], { timeout: 90_000 }).catch((err: { stdout?: string }) => {
      throw new Error(`go client failed: ${err.stdout ?? String(err)}`);
    });
    const observed = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(observed).toEqual({
      user: "slipway-bot",
      org: "acme",
      userAsOrgStatus: 404,
      repoId: 4242,
      envName: "prod/eu",
      rules: [
        "wait_timer:30",
        "required_reviewers:prevent_self_review=true",
        "reviewer:User:501:reviewer",
        "reviewer:Team:601:ops",
        "branch_policy",
      ],
      canAdminsBypass: false,
      customBranchPolicies: true,
      duplicatePolicySameId: true,
      policy: "tag:v2.*",
      secretPutStatus: 201,
      secretName: "DB_PASSWORD",
      wrongKeyStatus: 422,
      variable: "REGION=us",
      hookSecret: "********",
      hookInsecureSSL: "0",
      hook: "https://ci.example.com/b active=false events=[push deployment]",
      deletedHookStatus: 404,
      secondaryRateLimitRetryAfter: 1,
      licenseStatus: 404,
    });
    expect(gh.secretValue({ owner: "acme", repo: "app", environment: "prod/eu", name: "db_password" })).toBe("sealed-by-go");
    expect(gh.responseViolations).toEqual([]);
    const paths = gh.log.map((e) => `${e.method} ${e.path}`);
    expect(paths).toContain("PUT /api/v3/repositories/4242/environments/prod%2Feu/secrets/db_password");
    expect(JSON.stringify(gh.log)).not.toContain("s3cret");
  });
});
