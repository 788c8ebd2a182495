import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpReceiver, type SmtpReceiver } from "../emulators/common/smtp-receiver";
import { runSlipway, stagingSecrets, type CliRun } from "./cli-run";
import type { EngineStack } from "./harness";
import { rawExport, scenarioStack, secretValue, startEmulators, type Emulators } from "./stacks";
import { installUserPulumi, type UserPulumi } from "./user-pulumi";

/**
 * `slipway deploy staging` with `slipway:notifications`, through the real CLI on the real engine with the user's
 * pulumi (as test/e2e/cli.test.ts runs it): a real SMTP server (smtp-server: STARTTLS with a certificate this test
 * makes, AUTH required) and a webhook receiver, both on loopback. A deploy that passes its health gate, then one
 * that fails it and is rolled back automatically: each outcome arrives as a mail and as a JSON payload with the
 * event, stack, release, result and links — and the SMTP password and the webhook URL (secrets) are nowhere in the
 * engine's output or the stack's state.
 *
 * The certificate: nodemailer verifies the server's certificate (infra/cli/notify/channels.ts never turns that off),
 * so the CLI trusts this test's own CA through NODE_EXTRA_CA_CERTS — what a team whose relay has a private CA sets.
 * It is made with the openssl CLI; without it the test stops in beforeAll saying so.
 */
const digest = (c: string) => `ghcr.io/acme/shop@sha256:${c.repeat(64)}`;
const GOOD = digest("a");
const BAD = digest("b");
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

describe("slipway deploy with notifications: e-mail and webhook, for a deploy and an automatic rollback", () => {
  let emu: Emulators;
  let s: EngineStack;
  let user: UserPulumi;
  let tmp: string;
  let smtp: SmtpReceiver;
  let hook: Server;
  const payloads: Array<Record<string, unknown>> = [];
  const smtpPassword = secretValue("smtp");
  // The path is the credential of a Slack-style webhook: random per run, so a leak cannot hide.
  const hookPath = `/services/T0/B0/${secretValue("hook")}`;
  let hookUrl = "";
  const transcript: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), "slipway-notify-"));
    const key = path.join(tmp, "key.pem");
    const cert = path.join(tmp, "cert.pem");
    // A self-signed CA certificate for 127.0.0.1, which the CLI is told to trust (NODE_EXTRA_CA_CERTS).
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
    if (made.status !== 0) throw new Error(`this test makes its SMTP server's certificate with openssl, which failed: ${made.error?.message ?? made.stderr}`);

    smtp = await startSmtpReceiver({ user: "deploys", password: smtpPassword, tls: { key: readFileSync(key), cert: readFileSync(cert) } });
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.url === hookPath) payloads.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
        res.writeHead(req.url === hookPath ? 200 : 404).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}${hookPath}`;

    emu = await startEmulators();
    s = await scenarioStack({
      emulators: emu,
      stackFile: "staging",
      drop: ["slipway:github"],
      secrets: { ...stagingSecrets(), SMTP_PASSWORD: smtpPassword, DEPLOY_WEBHOOK_URL: hookUrl },
    });
    // As the team writes it in Pulumi.staging.yaml; GitHub Deployments are another test's (no slipway:github here).
    await s.stack.setConfig("slipway:notifications", {
      value: JSON.stringify({
        githubDeployments: false,
        email: { host: "127.0.0.1", port: smtp.port, user: "deploys", passwordSecret: "SMTP_PASSWORD", from: "slipway@acme.example", to: ["team@acme.example"] },
        webhook: { urlSecret: "DEPLOY_WEBHOOK_URL" },
      }),
    });
    user = installUserPulumi();
  }, 300_000);
  afterAll(async () => {
    await s?.cleanup();
    await emu?.close();
    user?.remove();
    if (smtp) await smtp.close();
    if (hook) await new Promise<void>((r) => hook.close(() => r()));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The CLI as a CI job runs it; its output joins the transcript. */
  async function deploy(image: string): Promise<CliRun> {
    const env = user.env({
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SLIPWAY_SECRET_"))),
      ...emu.env,
      PULUMI_BACKEND_URL: s.env.PULUMI_BACKEND_URL,
      PULUMI_CONFIG_PASSPHRASE: s.env.PULUMI_CONFIG_PASSPHRASE,
      SLIPWAY_E2E_MARKER: s.marker,
      SLIPWAY_PROJECT_DIR: s.workDir,
      SLIPWAY_RESOLVE: `staging.example.com:127.0.0.1:${emu.coolify.port}`,
      SLIPWAY_HEALTH_ATTEMPTS: "4",
      SLIPWAY_HEALTH_INTERVAL_MS: "300",
      SLIPWAY_RELEASE_COMMIT: COMMIT,
      GITHUB_ACTOR: "e2e-bot",
      // The run's log link, as on a runner.
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "acme/shop",
      GITHUB_RUN_ID: "4242",
      NODE_EXTRA_CA_CERTS: path.join(tmp, "cert.pem"),
    });
    const r = await runSlipway(["deploy", "staging", "--image", image], { cwd: s.workDir, env });
    transcript.push(r.stdout, r.stderr);
    return r;
  }

  const LOG = "https://github.com/acme/shop/actions/runs/4242";

  it("a deploy that passes its gate: one mail (after STARTTLS and AUTH) and one payload, both saying success", async () => {
    const r = await deploy(GOOD);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/^notify email: sent to team@acme\.example \(/m);
    expect(r.stdout).toContain("notify webhook: answered 200");
    expect(smtp.logins).toEqual([{ user: "deploys", secure: true }]);
    expect(smtp.mails.map((m) => m.subject)).toEqual([`[slipway] staging: deploy (${COMMIT.slice(0, 7)}) succeeded`]);
    for (const fact of ["event:   deploy", "stack:   staging", "result:  success", `commit:  ${COMMIT}`, `image:   ${GOOD}`, "update:  #1", "url:     https://staging.example.com", `log:     ${LOG}`]) {
      expect(smtp.mails[0]?.text).toContain(fact);
    }
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toMatchObject({
      event: "deploy",
      stack: "staging",
      result: "success",
      release: { commit: COMMIT, image: GOOD, update: 1 },
      links: { environment: "https://staging.example.com", log: LOG },
    });
  });

  it("a deploy of an unhealthy image (Coolify's health-gated update refuses it): a failure notice, then the automatic rollback's, by mail and by webhook", async () => {
    emu.coolify.markImageUnhealthy(BAD);
    const r = await deploy(BAD);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`automatic rollback to update #1, image ${GOOD}`);
    expect(smtp.mails.slice(1).map((m) => m.subject)).toEqual([
      `[slipway] staging: deploy (${COMMIT.slice(0, 7)}) FAILED`,
      `[slipway] staging: automatic rollback to update #1 (${COMMIT.slice(0, 7)}) succeeded`,
    ]);
    // staging's health-gated rolling update: Coolify itself refuses the unhealthy container, so `up` fails. The
    // reason is the resource's own error line, not the update summary (`Resources: …`) the engine's output ends with.
    const reason = /reason: {2}(.*)/.exec(smtp.mails[1]?.text ?? "")?.[1] ?? "";
    expect(reason).toMatch(/^pulumi up failed: \S/);
    expect(reason).not.toMatch(/Resources:|update failed$/);
    expect(payloads.slice(1)).toMatchObject([
      { event: "deploy", stack: "staging", result: "failure", release: { image: BAD }, links: { log: LOG } },
      { event: "automatic-rollback", stack: "staging", result: "success", rolledBackTo: 1, release: { image: GOOD }, links: { environment: "https://staging.example.com", log: LOG } },
    ]);
    expect(payloads[1]?.reason).toBe(reason);
  });

  it("the SMTP password and the webhook URL are in no engine output and nowhere in the state or backend", async () => {
    const everything = transcript.join("\n");
    expect(everything.length).toBeGreaterThan(1000);
    for (const secret of [smtpPassword, hookPath]) {
      expect(everything).not.toContain(secret);
      expect(await rawExport(s)).not.toContain(secret);
      const root = (s.env.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
      const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => statSync(path.join(root, f)).isFile());
      expect(files.length).toBeGreaterThan(3);
      expect(files.filter((f) => readFileSync(path.join(root, f), "utf8").includes(secret))).toEqual([]);
    }
    // Encrypted there, not absent: the stack's config holds both as secure values.
    expect(readFileSync(path.join(s.workDir, "Pulumi.staging.yaml"), "utf8")).toMatch(/SMTP_PASSWORD:\s*\n?\s*secure: /);
  });
});
