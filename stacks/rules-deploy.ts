/**
 * Rules about what a deploy does with the config, not about its shape: configs that every platform accepts
 * but that make `slipway deploy` do the wrong thing without a word. Each message says what to do instead.
 * Like `rules.ts`, a rule only runs when the sections it reads parsed.
 */
import type { ParsedSections } from "./rules";
import type { Finding } from "./secrets";
import { showValue } from "./secrets";

const GATE_OFF = "healthGate: { off: true, reason: <why> }";

/**
 * Whether the stack will export a `healthUrl` (see `stacks/environment.ts`): the first URL plus the health
 * check path. Custom domains come first; without one only Fly has a URL of its own (`<app>.fly.dev`). Coolify
 * without a domain serves the app on no URL slipway knows, so there is nothing to poll.
 */
function missingHealthUrl(c: Required<Pick<ParsedSections, "app" | "targets" | "domains">>): string | undefined {
  if (!c.app.healthCheck) return "no slipway:app.healthCheck";
  if (c.domains.length === 0 && !c.targets.fly) return "a coolify target without any slipway:domains (no URL to poll)";
  return undefined;
}

export function deployRules(c: ParsedSections): Finding[] {
  const out: Finding[] = [];
  const { app, targets, database, domains } = c;

  // Fly runs the release command in a one-off machine built from the app config with no mounts (flyctl
  // internal/appconfig/machines.go ToReleaseMachineConfig; slipway's components/fly/release-command.provider.ts
  // likewise), and a Fly volume attaches to one machine at a time — the app machine's. A migration of a SQLite
  // file would therefore change a copy on a disk that is destroyed right after, and the app starts unmigrated.
  if (app?.releaseCommand !== undefined && targets?.fly && database?.kind === "sqlite") {
    out.push({
      key: "slipway:app",
      path: ["releaseCommand"],
      message:
        `expected no releaseCommand with SQLite on Fly (the release machine mounts no volume, so it would migrate a throwaway copy of ${database.path}): ` +
        `run the migration in the image's start command (e.g. CMD ["sh", "-c", "npm run db:migrate && npm start"]) or use slipway:database kind "postgres", ` +
        `got ${showValue(app.releaseCommand)}`,
    });
  }

  if (app && targets && domains && !app.healthGate) {
    const missing = missingHealthUrl({ app, targets, domains });
    if (missing) {
      const fix = app.healthCheck
        ? "a domain in slipway:domains so the health gate can poll it"
        : "a health check in slipway:app.healthCheck so the health gate can poll it";
      out.push({
        key: "slipway:app",
        path: ["healthGate"],
        message: `expected ${fix}, or ${GATE_OFF} to deploy without the gate (slipway deploy would skip it and never roll back), got ${missing}`,
      });
    }
  }
  const email = c.notifications?.email;
  if (email && (email.user === undefined) !== (email.passwordSecret === undefined)) {
    out.push({
      key: "slipway:notifications",
      path: ["email", email.user === undefined ? "user" : "passwordSecret"],
      message: `expected user and passwordSecret together (SMTP authentication needs both; leave both out for an open relay), got only ${email.user === undefined ? "passwordSecret" : "user"}`,
    });
  }
  return out;
}
