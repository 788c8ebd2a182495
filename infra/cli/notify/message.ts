/**
 * What a notification says, the same facts for every channel: the event, the stack, the release, the result
 * and the links. Built once, rendered as a mail and as JSON.
 */
import type { NotifyEvent } from "../../../stacks/schema-notify";

export type NotifyResult = "success" | "failure";

export interface DeployNotice {
  event: NotifyEvent;
  stack: string;
  result: NotifyResult;
  release: { tag?: string; commit?: string; image?: string; update?: number };
  /** Rollbacks: the update whose config now runs again. */
  rolledBackTo?: number;
  /** Why it failed, when it did (already free of secrets: CLI output is). */
  reason?: string;
  links: { environment?: string; log?: string; deployment?: string };
  time: string;
}

const VERB: Record<NotifyEvent, string> = { deploy: "deploy", rollback: "rollback", "automatic-rollback": "automatic rollback" };

/** One line: `production: deploy v1.4.0 (0a1b2c3) succeeded`. */
export function headline(n: DeployNotice): string {
  const what = [n.release.tag, n.release.commit ? `(${n.release.commit.slice(0, 7)})` : undefined].filter(Boolean).join(" ");
  const to = n.rolledBackTo !== undefined ? ` to update #${n.rolledBackTo}` : "";
  return `${n.stack}: ${VERB[n.event]}${to}${what ? ` ${what}` : ""} ${n.result === "success" ? "succeeded" : "FAILED"}`;
}

export function plainText(n: DeployNotice): string {
  const lines = [
    headline(n),
    "",
    `event:   ${n.event}`,
    `stack:   ${n.stack}`,
    `result:  ${n.result}`,
    n.release.tag && `tag:     ${n.release.tag}`,
    n.release.commit && `commit:  ${n.release.commit}`,
    n.release.image && `image:   ${n.release.image}`,
    n.release.update !== undefined && `update:  #${n.release.update}`,
    n.reason && `reason:  ${n.reason}`,
    n.links.environment && `url:     ${n.links.environment}`,
    n.links.log && `log:     ${n.links.log}`,
    n.links.deployment && `github:  ${n.links.deployment}`,
    `time:    ${n.time}`,
  ];
  return lines.filter((l): l is string => typeof l === "string").join("\n");
}

/**
 * The webhook body: every fact as JSON for a generic receiver, plus `text` (with Slack's <url|label> links),
 * which is what a Slack incoming webhook shows; Slack ignores the other top-level fields.
 */
export function webhookBody(n: DeployNotice): Record<string, unknown> {
  const links = [n.links.environment && `<${n.links.environment}|open>`, n.links.log && `<${n.links.log}|log>`].filter(Boolean).join(" · ");
  return {
    text: `${n.result === "success" ? "✅" : "❌"} ${headline(n)}${n.reason ? ` — ${n.reason}` : ""}${links ? ` (${links})` : ""}`,
    event: n.event,
    stack: n.stack,
    result: n.result,
    release: n.release,
    ...(n.rolledBackTo !== undefined ? { rolledBackTo: n.rolledBackTo } : {}),
    ...(n.reason ? { reason: n.reason } : {}),
    links: n.links,
    time: n.time,
  };
}
