/**
 * Which `slipway:secrets` entries a config needs, and which setting asks for each — one list for the program's
 * check (rules.ts: every needed name has a secure value, every secure value is needed) and for `slipway pr up`,
 * which fills a preview's secrets from its environment before anything runs (infra/cli/preview-secrets.ts).
 */
import type { StackConfig } from "./schema";

/** Needed secret name → the config path that lists it (the first one, when several do). */
export function neededSecrets(c: Pick<Partial<StackConfig>, "app" | "github" | "notifications">): Map<string, string> {
  const needed = new Map<string, string>();
  const need = (n: string, from: string) => needed.has(n) || needed.set(n, from);
  c.app?.secretEnv.forEach((n) => need(n, "slipway:app.secretEnv"));
  c.github?.secrets.forEach((n) => need(n, "slipway:github.secrets"));
  c.github?.additionalEnvironments.forEach((e, i) => e.secrets.forEach((n) => need(n, `slipway:github.additionalEnvironments[${i}].secrets`)));
  const notify = c.notifications;
  if (notify?.email?.passwordSecret) need(notify.email.passwordSecret, "slipway:notifications.email.passwordSecret");
  if (notify?.webhook) need(notify.webhook.urlSecret, "slipway:notifications.webhook.urlSecret");
  return needed;
}
