/**
 * Deploy notifications end to end on loopback: the stack's `slipway:notifications` and secrets (as the
 * Automation API hands them to the CLI), a real SMTP server (smtp-server, STARTTLS + AUTH), a local webhook
 * receiver and the GitHub emulator. A failing channel is reported and never fails the deploy.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { announcerFor, settingsFrom } from "../../infra/cli/notify";
import { startSmtpReceiver, type SmtpReceiver } from "./common/smtp-receiver";
import { TOKEN, useGithubEmulator } from "./github/testkit";

const fx = useGithubEmulator();
const SMTP_PASSWORD = "smtp-pass-9f8e7d";
const COMMIT = "c".repeat(40);
const IMAGE = `ghcr.io/acme/shop@sha256:${"d".repeat(64)}`;

let smtp: SmtpReceiver;
let hook: Server;
let hookUrl = "";
let hookBodies: unknown[] = [];
let hookStatus = 200;

beforeAll(async () => {
  // A real SMTP server: STARTTLS with its built-in self-signed certificate, AUTH PLAIN/LOGIN required.
  smtp = await startSmtpReceiver({ user: "deploys", password: SMTP_PASSWORD });

  hook = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hookBodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      res.writeHead(hookStatus).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/services/T000/B000/XXXX`;
});
afterAll(async () => {
  await smtp.close();
  await new Promise<void>((r) => hook.close(() => r()));
});
beforeEach(() => {
  smtp.reset();
  hookBodies = [];
  hookStatus = 200;
});

/** The stack config as `stack.getAllConfig()` returns it: JSON strings, secure values decrypted. */
function stackConfig(notifications: Record<string, unknown>) {
  return {
    "slipway:notifications": { value: JSON.stringify(notifications) },
    "slipway:github": { value: JSON.stringify({ owner: "acme", repository: "app", environment: "production" }) },
    "slipway:secrets": { value: JSON.stringify({ SMTP_PASSWORD, DEPLOY_WEBHOOK_URL: hookUrl }), secret: true },
  };
}
const NOTIFICATIONS = {
  email: { host: "127.0.0.1", port: 0, user: "deploys", passwordSecret: "SMTP_PASSWORD", from: "slipway@acme.example", to: ["team@acme.example"] },
  webhook: { urlSecret: "DEPLOY_WEBHOOK_URL" },
};
const ENV = { GITHUB_TOKEN: TOKEN, GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/app", GITHUB_RUN_ID: "777" };

function settings(notifications: Record<string, unknown> = NOTIFICATIONS) {
  const n = structuredClone(notifications) as { email?: { port: number } };
  if (n.email) n.email.port = smtp.port;
  const s = settingsFrom("production", stackConfig(n), { ...ENV, GITHUB_API_URL: fx.gh.url });
  // The local server's certificate is self-signed; production keeps verification on.
  if (s.smtp) s.smtp.rejectUnauthorized = false;
  return s;
}

describe("deploy notifications", () => {
  it("a failed deploy and its automatic rollback: GitHub deployments with statuses, an e-mail and a webhook each", async () => {
    const printed: string[] = [];
    const announce = announcerFor("production", settings(), (l) => printed.push(l), () => new Date("2026-12-01T09:00:00Z"));

    const deploy = await announce.begin("deploy", { commit: COMMIT, tag: "v1.5.0", image: IMAGE, actor: "alice" });
    await deploy.end("failure", { url: "https://shop.example.com", reason: "health gate failed: 503 after 3 attempts" });
    const rollback = await announce.begin("automatic-rollback", { commit: "e".repeat(40), tag: "v1.4.0", image: IMAGE }, 12);
    await rollback.end("success", { url: "https://shop.example.com", update: 14 });

    // GitHub: two deployments of "production"; the failed one failure, the rollback success.
    const list = (await fx.api("GET", "/repos/acme/app/deployments?environment=production")).body as Array<{ id: number; sha: string; task: string; payload: Record<string, unknown> }>;
    expect(list.map((d) => [d.sha, d.task])).toEqual([["e".repeat(40), "deploy:rollback"], [COMMIT, "deploy"]]);
    expect(list[1]?.payload).toMatchObject({ event: "deploy", stack: "production", tag: "v1.5.0", image: IMAGE, actor: "alice" });
    const states = async (id: number) => ((await fx.api("GET", `/repos/acme/app/deployments/${id}/statuses`)).body as Array<{ state: string; environment_url?: string; log_url?: string }>);
    expect((await states(list[1]?.id ?? 0)).map((s) => s.state)).toEqual(["failure", "in_progress"]);
    const rb = await states(list[0]?.id ?? 0);
    expect(rb.map((s) => s.state)).toEqual(["success", "in_progress"]);
    expect(rb[0]).toMatchObject({ environment_url: "https://shop.example.com" });
    expect(rb[1]).toMatchObject({ log_url: "https://github.com/acme/app/actions/runs/777" });

    // E-mail: authenticated only after STARTTLS, one mail per outcome with event, stack, release, result, links.
    expect(smtp.logins).toEqual([{ user: "deploys", secure: true }, { user: "deploys", secure: true }]);
    expect(smtp.mails.map((m) => m.subject)).toEqual([
      "[slipway] production: deploy v1.5.0 (ccccccc) FAILED",
      "[slipway] production: automatic rollback to update #12 v1.4.0 (eeeeeee) succeeded",
    ]);
    const body = smtp.mails[0]?.text ?? "";
    for (const fact of ["event:   deploy", "stack:   production", "result:  failure", `commit:  ${COMMIT}`, `image:   ${IMAGE}`, "reason:  health gate failed: 503 after 3 attempts", "url:     https://shop.example.com", "log:     https://github.com/acme/app/actions/runs/777", "github:  https://github.com/acme/app/deployments/production"]) {
      expect(body).toContain(fact);
    }
    expect(smtp.mails[0]?.to && "text" in smtp.mails[0].to ? smtp.mails[0].to.text : "").toBe("team@acme.example");

    // Webhook: Slack's `text` plus the facts as JSON.
    expect(hookBodies).toHaveLength(2);
    expect(hookBodies[0]).toMatchObject({
      text: expect.stringContaining("❌ production: deploy v1.5.0 (ccccccc) FAILED — health gate failed"),
      event: "deploy",
      stack: "production",
      result: "failure",
      release: { tag: "v1.5.0", commit: COMMIT, image: IMAGE },
      links: { environment: "https://shop.example.com", log: "https://github.com/acme/app/actions/runs/777" },
    });
    expect(hookBodies[1]).toMatchObject({ event: "automatic-rollback", result: "success", rolledBackTo: 12, release: { update: 14 } });

    expect(printed.filter((l) => l.includes("failed"))).toEqual([]);
    // The webhook URL and the SMTP password are credentials: never printed.
    expect(printed.join("\n")).not.toContain(SMTP_PASSWORD);
    expect(printed.join("\n")).not.toContain("/services/T000");
  });

  it("a channel that fails is reported and does not throw; the webhook is retried at most twice", async () => {
    hookStatus = 500;
    const printed: string[] = [];
    const s = settings({ ...NOTIFICATIONS, email: { ...NOTIFICATIONS.email, passwordSecret: "SMTP_PASSWORD" } });
    if (s.smtp?.auth) s.smtp.auth.pass = "wrong";
    const announce = announcerFor("production", { ...s, github: undefined }, (l) => printed.push(l));
    const started = Date.now();
    await (await announce.begin("rollback", { commit: COMMIT }, 3)).end("success", {});
    expect(Date.now() - started).toBeLessThan(8000);
    expect(hookBodies).toHaveLength(3);
    expect(smtp.mails).toEqual([]);
    expect(printed.find((l) => l.startsWith("notify webhook:"))).toBe("notify webhook: failed (webhook answered 500)");
    expect(printed.find((l) => l.startsWith("notify email:"))).toMatch(/^notify email: failed \(.*Invalid username or password/);
  });

  it("only the configured events are announced, and nothing without slipway:notifications", async () => {
    const printed: string[] = [];
    const only = announcerFor("production", settings({ ...NOTIFICATIONS, events: ["rollback"] }), (l) => printed.push(l));
    await (await only.begin("deploy", { commit: COMMIT })).end("success", {});
    const none = announcerFor("production", settingsFrom("production", {}, ENV), (l) => printed.push(l));
    await (await none.begin("deploy", { commit: COMMIT })).end("success", {});
    expect(smtp.mails).toEqual([]);
    expect(hookBodies).toEqual([]);
    expect(printed).toEqual([]);
    expect((await fx.api("GET", "/repos/acme/app/deployments")).body).toEqual([]);
  });
});
