/**
 * One rule, one place: the shapes that the stack config (stacks/schema*.ts), the components' argument checks and
 * the providers' `check` all validate with. A value one layer accepts is never refused by another, and a refusal
 * reads the same everywhere. No Pulumi import: provider modules load this too.
 */
import { parseFamiliarName } from "@swimlane/docker-reference";

/** The phrase every layer uses for a digest-pinned image reference. */
export const PINNED_IMAGE_PHRASE = "an image reference pinned by digest, like ghcr.io/acme/shop@sha256:<64 hex>";

/**
 * An image reference pinned by a sha256 digest (`repo@sha256:<64 hex>`, a tag beside it allowed), by
 * distribution/reference's grammar as @swimlane/docker-reference ports it — the grammar components/fly/limits.ts
 * checks every image reference with.
 */
export function isPinnedImage(ref: string): boolean {
  if (!/@sha256:[a-f0-9]{64}$/.test(ref)) return false;
  try {
    parseFamiliarName(ref);
    return true;
  } catch {
    return false;
  }
}

/** The phrase for a host name; why a wildcard is refused: neither Fly's ACME certificates nor slipway's health URL can use one. */
export const HOSTNAME_PHRASE = "a lower-case host name like app.example.com (no port, path or wildcard)";

/** RFC 1123 host names, lower-case, at least two labels: what Coolify, Fly certificates and browsers agree on. */
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export function isHostname(v: string): boolean {
  const labels = v.split(".");
  return v.length <= 253 && labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l)) && /^[a-z]{2,63}$/.test(labels[labels.length - 1] ?? "");
}

/** What a Coolify application's domain may be: a host name, optionally with the container port it routes to. */
export const DOMAIN_PHRASE = "a lower-case host name like app.example.com, or with a container port like api.example.com:4000 (no path or wildcard)";

/** `host` or `host:port` (port 1–65535), the host by `isHostname`. */
export function isDomain(v: string): boolean {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(v);
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  return m !== null && isHostname(m[1] ?? "") && (port === undefined || (port >= 1 && port <= 65535));
}

/**
 * Coolify's own names for schedules: VALID_CRON_STRINGS (Coolify v4.3.10 bootstrap/helpers/constants.php), which
 * `validate_cron_expression` (bootstrap/helpers/shared.php) accepts beside any cron expression — the check
 * DatabasesController::create_backup runs on `frequency`.
 */
export const SCHEDULE_KEYWORDS = [
  "every_minute", "hourly", "daily", "weekly", "monthly", "yearly", "@hourly", "@daily", "@weekly", "@monthly", "@yearly",
] as const;

export const SCHEDULE_PHRASE = 'a 5-field cron expression like "0 3 * * *", or @daily (also @hourly, @weekly, @monthly, @yearly, or hourly, daily, …)';

const CRON_RANGES: ReadonlyArray<readonly [number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

/** A backup schedule Coolify accepts: a standard 5-field cron expression (numeric fields) or one of its keywords. */
export function isSchedule(v: string): boolean {
  if ((SCHEDULE_KEYWORDS as readonly string[]).includes(v)) return true;
  const fields = v.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field, i) => {
    const [lo, hi] = CRON_RANGES[i] ?? [0, 0];
    const inRange = (n: string) => /^\d+$/.test(n) && Number(n) >= lo && Number(n) <= hi;
    return field.split(",").every((part) => {
      const [base = "", step, extra] = part.split("/");
      if (extra !== undefined || (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1))) return false;
      if (base === "*") return true;
      const [from = "", to] = base.split("-");
      return inRange(from) && (to === undefined || (inRange(to) && Number(to) >= Number(from)));
    });
  });
}

/**
 * What an HTTP health check does when the config leaves a field out — the same for the stack config
 * (`slipway:app.healthCheck`) and for `CoolifyApplication`'s `healthCheck` used directly.
 */
export const HEALTH_CHECK_DEFAULTS = {
  /** Seconds between probes. */
  intervalSeconds: 15,
  /** Seconds one probe may take. */
  timeoutSeconds: 5,
  /** Seconds after start during which failures do not count (slow boots, migrations). */
  gracePeriodSeconds: 30,
  /** Failed probes in a row before the container counts as unhealthy. */
  retries: 3,
  /** The status code that counts as healthy. */
  returnCode: 200,
} as const;
