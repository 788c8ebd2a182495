import { z } from "zod";

/**
 * Release gates: pure functions (time and HTTP are passed in) that the CLI's `slipway gate …` and the
 * workflows run before a production deploy. Each returns a verdict with a message fit for a CI log.
 */
export interface GateResult {
  ok: boolean;
  message: string;
}

// ---------------------------------------------------------------------------------------------- tag

/** A release version, parsed from its tag. */
export interface ReleaseVersion {
  major: number;
  minor: number;
  patch: number;
}

/**
 * `v` + three dot-separated numbers, no leading zeros (semver's rule, so `v01.2.3` and `v1.2.3` cannot
 * name the same release), no pre-release or build suffix (those are not production releases).
 */
const TAG = /^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;

export function parseReleaseTag(tag: string): ReleaseVersion | undefined {
  const m = TAG.exec(tag);
  if (!m) return undefined;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number);
  if (major === undefined || minor === undefined || patch === undefined) return undefined;
  // Beyond 2^53 the numbers stop comparing reliably; no real release gets there.
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  return { major, minor, patch };
}

export function checkTag(tag: string): GateResult {
  if (parseReleaseTag(tag)) return { ok: true, message: `tag ${tag} is a release tag` };
  return {
    ok: false,
    message: `tag ${JSON.stringify(tag)} is not a release tag: expected vMAJOR.MINOR.PATCH with no leading zeros, e.g. v1.4.0`,
  };
}

// ------------------------------------------------------------------------------------ business hours

export const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A weekly window in one IANA time zone; `start` is inclusive, `end` exclusive. */
export interface BusinessHours {
  days: Weekday[];
  /** Minutes after local midnight. */
  start: number;
  /** Minutes after local midnight, greater than `start`. */
  end: number;
  timeZone: string;
}

export const DEFAULT_HOURS = { days: "Mon-Fri", from: "09:00", to: "17:00", tz: "America/Los_Angeles" } as const;

const hhmm = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/, "expected HH:MM (00:00 to 24:00)")
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "expected an IANA time zone such as America/Los_Angeles");

const weekday = (s: string): Weekday | undefined => WEEKDAYS.find((d) => d.toLowerCase() === s.toLowerCase());

/** `Mon-Fri`, `Mon,Wed,Fri`, `Sat-Sun`, and wrapping ranges such as `Fri-Mon`. */
const days = z.string().transform((spec, ctx): Weekday[] => {
  const out = new Set<Weekday>();
  for (const part of spec.split(",")) {
    const [a, b, extra] = part.trim().split("-");
    const from = a === undefined ? undefined : weekday(a);
    const to = b === undefined ? from : weekday(b);
    if (from === undefined || to === undefined || extra !== undefined) {
      ctx.addIssue({ code: "custom", message: "expected days such as Mon-Fri or Mon,Wed,Fri" });
      return z.NEVER;
    }
    for (let i = WEEKDAYS.indexOf(from); ; i = (i + 1) % 7) {
      out.add(WEEKDAYS[i] as Weekday);
      if (WEEKDAYS[i] === to) break;
    }
  }
  return WEEKDAYS.filter((d) => out.has(d));
});

const hoursSchema = z
  .object({ days, from: hhmm, to: hhmm, tz: timeZone })
  .refine((w) => w.from < w.to, { message: "the window must end after it starts", path: ["to"] })
  .transform((w): BusinessHours => ({ days: w.days, start: w.from, end: w.to, timeZone: w.tz }));

/** Options as the CLI receives them (strings), each defaulting to Mon–Fri 09:00–17:00 America/Los_Angeles. */
export interface BusinessHoursOptions {
  days?: string;
  from?: string;
  to?: string;
  tz?: string;
}

/** Validates the window; throws one message listing every bad option. */
export function parseBusinessHours(options: BusinessHoursOptions = {}): BusinessHours {
  const input = {
    days: options.days ?? DEFAULT_HOURS.days,
    from: options.from ?? DEFAULT_HOURS.from,
    to: options.to ?? DEFAULT_HOURS.to,
    tz: options.tz ?? DEFAULT_HOURS.tz,
  };
  const parsed = hoursSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? "window");
    return `--${key}: ${i.message}, got ${JSON.stringify(input[key as keyof typeof input] ?? "")}`;
  });
  throw new Error(`invalid business hours: ${problems.join("; ")}`);
}

/** The wall-clock weekday and minute of `at` in `tz`, read through Intl so DST rules come from ICU. */
export function localTime(at: Date, tz: string): { day: Weekday; minute: number; label: string } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (t: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === t)?.value ?? "";
  const day = weekday(get("weekday"));
  if (day === undefined) throw new Error(`cannot read the weekday of ${at.toISOString()} in ${tz}`);
  const hour = Number(get("hour"));
  const minute = Number(get("minute"));
  const label = `${day} ${get("hour")}:${get("minute")} ${tz}`;
  return { day, minute: hour * 60 + minute, label };
}

const clock = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

export function describeHours(w: BusinessHours): string {
  return `${w.days.join(",")} ${clock(w.start)}-${clock(w.end)} ${w.timeZone}`;
}

export function checkBusinessHours(at: Date, window: BusinessHours): GateResult {
  if (Number.isNaN(at.getTime())) return { ok: false, message: "invalid time" };
  const now = localTime(at, window.timeZone);
  const inside = window.days.includes(now.day) && now.minute >= window.start && now.minute < window.end;
  return inside
    ? { ok: true, message: `${now.label} is within business hours (${describeHours(window)})` }
    : { ok: false, message: `${now.label} is outside business hours (${describeHours(window)})` };
}

// ------------------------------------------------------------------------------------------ healthy

/** The subset of `fetch` the health gate needs, so tests (and the CLI) can pass their own. */
export type FetchLike = (url: string, init: { signal: AbortSignal; redirect: "follow" }) => Promise<{ status: number }>;

export interface HealthGateOptions {
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Total tries, at least 1. @default 10 */
  attempts?: number;
  /** Pause between tries. @default 6000 (a minute in all with the default attempts) */
  intervalMs?: number;
  /** Bound on one request. @default 10000 */
  timeoutMs?: number;
  /** @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
}

/** Without query or fragment: a health URL may carry a token, and this text goes to CI logs. */
function safeUrl(u: URL): string {
  return `${u.origin}${u.pathname}`;
}

/** Passes when `url` answers 2xx within a bounded number of attempts. */
export async function checkHealthy(url: string, options: HealthGateOptions = {}): Promise<GateResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, message: "health URL is not a valid URL" };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { ok: false, message: `health URL must be http(s), got ${parsed.protocol.replace(":", "")}` };
  }
  const doFetch: FetchLike = options.fetch ?? ((u, init) => fetch(u, init));
  const attempts = Math.max(1, Math.floor(options.attempts ?? 10));
  const interval = options.intervalMs ?? 6000;
  const timeout = options.timeoutMs ?? 10_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const where = safeUrl(parsed);
  let last = "";
  for (let i = 1; i <= attempts; i++) {
    try {
      const res = await doFetch(parsed.toString(), { signal: AbortSignal.timeout(timeout), redirect: "follow" });
      if (res.status >= 200 && res.status < 300) {
        return { ok: true, message: `${where} is healthy (HTTP ${res.status}, attempt ${i}/${attempts})` };
      }
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (i < attempts) await sleep(interval);
  }
  return { ok: false, message: `${where} is not healthy after ${attempts} attempts (last: ${last})` };
}
