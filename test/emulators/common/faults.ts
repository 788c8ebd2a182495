import type { FaultKind, FaultRule } from "./types";

const FAULT_STATUSES = new Set([408, 500, 502, 503, 504]);

/** Parses a fault rule received on the control API; throws with a readable message when it is malformed. */
export function parseFaultRule(input: unknown): FaultRule {
  if (typeof input !== "object" || input === null) throw new Error("fault rule must be an object");
  const r = input as Record<string, unknown>;
  if (typeof r.method !== "string" || typeof r.path !== "string") throw new Error("fault rule needs method and path strings");
  const times = r.times ?? 1;
  if (typeof times !== "number" || !Number.isInteger(times) || times < 1 || times > 1000) {
    throw new Error("fault rule times must be an integer 1..1000");
  }
  const f = r.fault as Record<string, unknown> | undefined;
  let fault: FaultKind;
  if (f?.kind === "status" && typeof f.status === "number" && FAULT_STATUSES.has(f.status) && f.status !== 504) {
    fault = { kind: "status", status: f.status as 500 | 502 | 503 | 408 };
  } else if (f?.kind === "rateLimit" && typeof f.retryAfterSeconds === "number" && f.retryAfterSeconds >= 0) {
    fault = { kind: "rateLimit", retryAfterSeconds: f.retryAfterSeconds };
  } else if (f?.kind === "hang" && typeof f.ms === "number" && f.ms > 0 && f.ms <= 600_000) {
    fault = { kind: "hang", ms: f.ms };
  } else if (f?.kind === "ambiguous" && typeof f.status === "number" && FAULT_STATUSES.has(f.status) && f.status !== 503) {
    fault = { kind: "ambiguous", status: f.status as 500 | 502 | 504 | 408 };
  } else {
    throw new Error(`unsupported fault ${JSON.stringify(f)}`);
  }
  const after = r.after as { method?: unknown; path?: unknown } | undefined;
  if (after !== undefined && (typeof after.method !== "string" || typeof after.path !== "string")) throw new Error("fault rule after needs method and path strings");
  return {
    method: r.method.toUpperCase(),
    path: r.path,
    times,
    fault,
    ...(after ? { after: { method: (after.method as string).toUpperCase(), path: after.path as string } } : {}),
  };
}

/** Pending faults; each matching call consumes one use of the first rule that matches. */
export class FaultBook {
  private rules: { rule: FaultRule; left: number }[] = [];

  add(rule: FaultRule): void {
    if (!Number.isInteger(rule.times) || rule.times < 1) throw new Error("fault rule times must be a positive integer");
    this.rules.push({ rule: { ...rule, method: rule.method.toUpperCase() }, left: rule.times });
  }

  /** Calls received so far, as "METHOD template" and "METHOD path", for rules that wait for one (`after`). */
  private seen = new Set<string>();

  /** The fault for this call, if any: matched on the spec template or the literal path. */
  take(method: string, template: string | undefined, path: string): FaultKind | undefined {
    const armed = (r: FaultRule) => !r.after || this.seen.has(`${r.after.method.toUpperCase()} ${r.after.path}`);
    const hit = this.rules.find(
      (r) => r.left > 0 && r.rule.method === method && (r.rule.path === template || r.rule.path === path) && armed(r.rule),
    );
    if (template) this.seen.add(`${method} ${template}`);
    this.seen.add(`${method} ${path}`);
    if (!hit) return undefined;
    hit.left -= 1;
    this.rules = this.rules.filter((r) => r.left > 0);
    return hit.rule.fault;
  }

  pending(): FaultRule[] {
    return this.rules.map((r) => ({ ...r.rule, times: r.left }));
  }

  clear(): void {
    this.rules = [];
    this.seen.clear();
  }
}
