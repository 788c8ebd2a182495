import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Deviations, Reply, Route, RouteContext } from "../common/http";
import { FlyError, flyErrorReply } from "./state";

export const FLY_SPEC_FILE = join(__dirname, "../../../../shared/specs/fly/openapi.json");

type Op = { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> };
let errorStatusesByOp: Map<string, number[]> | undefined;

/** Per operation, the statuses the spec documents with Fly's ErrorResponse body. */
function documentedErrorStatuses(method: string, path: string): number[] {
  if (!errorStatusesByOp) {
    errorStatusesByOp = new Map();
    const spec = JSON.parse(readFileSync(FLY_SPEC_FILE, "utf8")) as { paths: Record<string, Record<string, Op>> };
    for (const [p, item] of Object.entries(spec.paths)) {
      for (const [m, op] of Object.entries(item)) {
        const statuses = Object.entries(op.responses ?? {})
          .filter(([, r]) => r.content?.["application/json"]?.schema?.$ref === "#/components/schemas/ErrorResponse")
          .map(([s]) => Number(s));
        errorStatusesByOp.set(`${m.toUpperCase()} ${p}`, statuses);
      }
    }
  }
  return errorStatusesByOp.get(`${method} ${path}`) ?? [];
}

/** Statuses the real service answers on any route (not found, lease conflicts, preconditions, wait timeouts). */
const REAL_ERROR_STATUSES = [400, 404, 408, 409, 412, 422];

/**
 * The Fly spec documents few error responses, yet the real API answers `{"error": …}` with 404/408/409/412 on
 * every route. Where an operation documents some ErrorResponse status, the others are validated against that
 * one's schema (`statusAs`), so the error body is still checked against the spec's ErrorResponse.
 * Operations that document none rely on the framework's vendor-error handling (see .slipway-notes/emu-fly.md).
 */
function errorDeviations(method: string, path: string, extra?: Deviations): Deviations | undefined {
  const documented = documentedErrorStatuses(method, path);
  const target = documented[0];
  const statusAs: Record<number, number> = { ...extra?.statusAs };
  if (target !== undefined) {
    for (const s of REAL_ERROR_STATUSES) if (!documented.includes(s) && statusAs[s] === undefined) statusAs[s] = target;
  }
  if (Object.keys(statusAs).length === 0 && !extra) return undefined;
  return { ...extra, statusAs };
}

export type FlyHandler = (ctx: RouteContext) => Reply | Promise<Reply>;

/** A Fly route: FlyError thrown by the state model becomes Fly's `{"error": …}` body with its status. */
export function flyRoute(method: string, path: string, handler: FlyHandler, opts: Omit<Route, "method" | "path" | "handler"> = {}): Route {
  return {
    ...opts,
    method,
    path,
    deviations: errorDeviations(method, path, opts.deviations),
    async handler(ctx) {
      try {
        return await handler(ctx);
      } catch (err) {
        if (err instanceof FlyError) {
          const reply: Reply & { vendorError?: boolean } = flyErrorReply(err.httpStatus, err.message, err.code);
          reply.vendorError = true;
          return reply;
        }
        throw err;
      }
    },
  };
}

export function ok(body?: unknown, headers?: Record<string, string>): Reply {
  return { status: 200, body, headers };
}

/** Query booleans arrive as strings ("true"/"1"). */
export function qbool(v: string | undefined): boolean {
  return v === "true" || v === "1";
}
