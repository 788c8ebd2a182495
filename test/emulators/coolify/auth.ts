import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorClock } from "../common/clock";
import type { Reply } from "../common/http";

/** The abilities a Coolify API token can carry (Coolify v4.3.10 app/Livewire/Security/ApiTokens.php). */
export type CoolifyAbility = "root" | "read" | "read:sensitive" | "write" | "write:sensitive" | "deploy";

// Coolify v4.3.10 routes/api.php: every route names one ability. Reads are `read`; starting, stopping and
// deploying (and the GET forms of those, which answer "use POST") are `deploy`; every other write is `write`.
const DEPLOY_ROUTE = /^\/(deploy|deployments\/\{uuid\}\/cancel|(applications|databases|services)\/\{uuid\}\/(start|stop|restart)|applications\/\{uuid\}\/rollback)$/;

export function requiredAbility(method: string, template: string): CoolifyAbility {
  if (DEPLOY_ROUTE.test(template)) return "deploy";
  return method === "GET" ? "read" : "write";
}

/** The bearer token of a request, or undefined. */
function bearer(headers: IncomingHttpHeaders): string | undefined {
  const m = /^Bearer\s+(\S.*)$/i.exec(headers.authorization ?? "");
  return m?.[1]?.trim();
}

/**
 * Which abilities each token has. A token not listed gets `defaults`. The checks follow Coolify v4.3.10
 * app/Http/Middleware/ApiAbility.php (a `root` token passes every check; otherwise Sanctum's
 * CheckForAnyAbility: the token needs the route's ability, `*` counting as all) and ApiSensitiveData.php
 * (values are shown only to `root` or `read:sensitive`). The token's owner is taken to be a team admin, so the
 * "members are read-only" refusal of ApiAbility.php is not modelled.
 */
export class CoolifyTokens {
  constructor(
    private readonly tokens: Readonly<Record<string, readonly CoolifyAbility[]>>,
    private readonly defaults: readonly CoolifyAbility[],
  ) {}

  abilities(headers: IncomingHttpHeaders): readonly CoolifyAbility[] {
    const token = bearer(headers);
    return (token !== undefined ? this.tokens[token] : undefined) ?? this.defaults;
  }

  private can(headers: IncomingHttpHeaders, ability: CoolifyAbility): boolean {
    const held = this.abilities(headers) as readonly string[];
    return held.includes("root") || held.includes("*") || held.includes(ability);
  }

  /** Coolify v4.3.10 app/Http/Middleware/ApiSensitiveData.php: `can_read_sensitive`. */
  canReadSensitive(headers: IncomingHttpHeaders): boolean {
    return this.can(headers, "read:sensitive");
  }

  /** 403 with ApiAbility.php's message when the token lacks the route's ability. */
  authorize(method: string, template: string, headers: IncomingHttpHeaders): Reply | undefined {
    const needed = requiredAbility(method, template);
    if (this.can(headers, needed)) return undefined;
    return { status: 403, body: { message: `Missing required permissions: ${needed}` } };
  }
}

/**
 * Coolify v4.3.10 app/Providers/RouteServiceProvider.php + config/api.php: the `api` limiter allows
 * API_RATE_LIMIT (default 200) requests a minute per user (per IP before authentication), applied to every API
 * route by app/Http/Kernel.php's `api` group (ThrottleRequests:api). Past it Laravel answers 429
 * "Too Many Attempts." with Retry-After, X-RateLimit-Limit and X-RateLimit-Remaining.
 *
 * The minute is one emulated minute (the emulator's clock runs `timeScale` times faster), and Retry-After is
 * given in real seconds, like every other emulated duration a client waits for.
 */
export class CoolifyRateLimit {
  private windowStart = 0;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: EmulatorClock,
  ) {}

  reset(): void {
    this.counts.clear();
    this.windowStart = 0;
  }

  take(headers: IncomingHttpHeaders): Reply | undefined {
    const now = this.clock.now();
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.counts.clear();
    }
    const who = bearer(headers) ?? "anonymous";
    const used = (this.counts.get(who) ?? 0) + 1;
    this.counts.set(who, used);
    if (used <= this.perMinute) return undefined;
    const leftMs = this.windowStart + 60_000 - now;
    const retryAfter = Math.max(1, Math.ceil(leftMs / this.clock.timeScale / 1000));
    return {
      status: 429,
      body: { message: "Too Many Attempts." },
      headers: { "retry-after": String(retryAfter), "x-ratelimit-limit": String(this.perMinute), "x-ratelimit-remaining": "0" },
    };
  }
}

/** Laravel's `$request->boolean(key, default)`: "1", "true", "on", "yes" are true; any other given value is false. */
export function laravelBoolean(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  return ["1", "true", "on", "yes"].includes(raw.trim().toLowerCase());
}
