import { join } from "node:path";
import type { Reply, Route, RouteContext } from "../common/http";
import { FlyError, flyErrorReply } from "./state";

export const FLY_SPEC_FILE = join(__dirname, "../../../../shared/specs/fly/openapi.json");

export type FlyHandler = (ctx: RouteContext) => Reply | Promise<Reply>;

/**
 * A Fly route: a FlyError thrown by the state model becomes Fly's `{error, status}` body. The Fly spec
 * documents few error statuses, yet the real API answers 404/408/409/412 on every route; building the error
 * with `ctx.flavor` marks it as a vendor error, which the framework accepts on any route (documented statuses
 * are still validated). A coded error (e.g. 422 name_taken) keeps its code.
 */
export function flyRoute(method: string, path: string, handler: FlyHandler, opts: Omit<Route, "method" | "path" | "handler"> = {}): Route {
  return {
    ...opts,
    method,
    path,
    async handler(ctx) {
      try {
        return await handler(ctx);
      } catch (err) {
        if (!(err instanceof FlyError)) throw err;
        return err.code && err.code !== "unknown" ? flyErrorReply(err.httpStatus, err.message, err.code) : ctx.flavor.error(err.httpStatus, err.message);
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
