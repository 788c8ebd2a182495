import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorClock } from "./clock";

/** What a route handler answers. `body` is serialized as JSON unless it is a string. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One problem found while validating a request, before the vendor turns it into its own error shape. */
export interface RequestIssue {
  /** Where: "body", "query", "path" or "header". */
  in: "body" | "query" | "path" | "header";
  /** Dotted field name inside that location (e.g. "name", "limits.memory"); "" for the whole body. */
  field: string;
  /** The ajv keyword that failed ("required", "type", "enum", ...) or "unknown" for a field not allowed. */
  keyword: string;
  /** Expected type for "type" failures, allowed values for "enum". */
  expected?: string | readonly unknown[];
  /** A generic English message (used by vendors without their own wording). */
  message: string;
}

/**
 * Everything that differs between vendors' APIs: where the spec is, the base path, and the exact error
 * shapes each one answers with (clients parse those shapes, so they must match the real service).
 */
export interface VendorFlavor {
  /** Short name used in logs and violation messages, e.g. "coolify". */
  name: string;
  /** Absolute path of the OpenAPI document (JSON). */
  specFile: string;
  /** Prefix before the spec's path templates: "/api/v1" for Coolify, "" for Fly, "/api/v3" for GitHub. */
  basePath: string;
  /** Reject body fields the operation's schema does not list (Coolify's controllers do). */
  rejectUnknownBodyFields: boolean;
  /** Body keys whose values are masked in the request log, at any depth. */
  secretKeys: readonly string[];
  validationError(issues: readonly RequestIssue[]): Reply;
  unauthorized(): Reply;
  notFound(message?: string): Reply;
  methodNotAllowed(method: string, pathTemplate: string): Reply;
  /** Malformed JSON, body too large. */
  badRequest(message: string): Reply;
  /** Generic error with a status, used by fault injection and handlers. */
  error(status: number, message: string): Reply;
  /**
   * Checks the Authorization header. The default accepts `Bearer <token>` with any non-empty token, or only
   * the configured one.
   */
  authenticate?(headers: IncomingHttpHeaders, configuredToken: string | undefined): boolean;
  /** Headers added to every API answer (e.g. GitHub's rate-limit headers). */
  extraHeaders?(): Record<string, string>;
  /**
   * What the real service's decoder and encoder do beyond the spec's types (e.g. a Go service reads `null` as
   * "unset" for any field), rewritten into the spec's form on a copy, before a request or a reply is validated.
   * Handlers still see the body as sent.
   */
  toSpecForm?(body: unknown, direction: "request" | "response"): unknown;
}

/**
 * Documented places where the real service differs from its own OpenAPI description. Each use must carry a
 * comment at the route saying which real behaviour it follows.
 */
export interface Deviations {
  /** Body fields the real service accepts although the spec does not list them (stripped before validation). */
  extraBodyFields?: readonly string[];
  /** Body fields a real client sends as null although the spec says non-null (nulls stripped before validation). */
  nullableBodyFields?: readonly string[];
  /**
   * Query parameters the real service reads loosely (e.g. Laravel's `$request->boolean()`, where any string that
   * is not a true-ish word is false): not validated against the spec's schema; the handler parses them.
   */
  looseQueryParams?: readonly string[];
  /** Status codes the real service answers, mapped to the documented one whose schema the body must match. */
  statusAs?: Readonly<Record<number, number>>;
  /**
   * The real service's body schema for a status, used instead of the spec's where the spec is wrong (e.g. Coolify
   * documents GET /databases/{uuid} as a string but answers an object). May `$ref` the spec's "#/components/...".
   */
  responseSchemas?: Readonly<Record<number, object>>;
  /** The spec marks the body required, but the real service (and its official client) sends none. */
  bodyOptional?: boolean;
}

export interface RouteContext {
  method: string;
  /** Path after the base path, without query. */
  path: string;
  /** The spec's path template matched, e.g. "/applications/{uuid}". */
  template: string;
  operationId?: string;
  params: Record<string, string>;
  /** Query parameters; a repeated one holds its last value (see `queryAll`). */
  query: Record<string, string>;
  /** Every value of every query parameter, in order (Fly's `/wait?state=a&state=b`). */
  queryAll: Record<string, string[]>;
  /** Parsed JSON body (undefined when none was sent). */
  body: unknown;
  headers: IncomingHttpHeaders;
  clock: EmulatorClock;
  /** Vendor error builders, so handlers answer errors in the vendor's shape. */
  flavor: VendorFlavor;
}

export interface Route {
  method: string;
  /** The spec's path template, e.g. "/applications/{uuid}". */
  path: string;
  handler(ctx: RouteContext): Reply | Promise<Reply>;
  deviations?: Deviations;
  /**
   * The route is not in the spec (e.g. the 405 a v4.2+ Coolify answers for GET /deploy): no validation of the
   * request, and the response is not checked against an operation. Comment why at the route.
   */
  offSpec?: boolean;
  /** Body keys masked in the log for this route, in addition to the flavor's. */
  secretKeys?: readonly string[];
}

/** Hooks through which a vendor emulator plugs its state into the shared server. */
export interface EmulatorHooks {
  /** The clock to run on, when the vendor's state machine needs it before the server starts. */
  clock?: EmulatorClock;
  inventory(): unknown;
  reset(): void;
  markImageUnhealthy(image: string): void;
  /**
   * Traffic for a deployed app, chosen by Host header (without port). Return undefined when no app
   * answers to that host (the server then answers 404).
   */
  appTraffic?(host: string, method: string, path: string): Reply | undefined;
  /**
   * Runs before authentication on every API request that matched a route (e.g. a per-client rate limit); a reply
   * ends the request there.
   */
  throttle?(req: { method: string; headers: IncomingHttpHeaders }): Reply | undefined;
  /**
   * Runs after authentication, before the request is validated (e.g. a token's abilities); a reply ends the
   * request there.
   */
  authorize?(req: { method: string; template: string; headers: IncomingHttpHeaders }): Reply | undefined;
  /**
   * Requests on loopback outside the API's base path and `/_emulator/` (e.g. Coolify's webhook endpoints at the
   * instance root), with the raw body; undefined → 404.
   */
  instanceRoute?(method: string, path: string, headers: IncomingHttpHeaders, rawBody: string): Reply | undefined;
  /**
   * Vendor-specific control actions under `/_emulator/` (e.g. reading a decrypted GitHub secret out of process).
   * Called for actions the shared control API does not know; undefined → 404.
   */
  control?(action: string, method: string, body: Record<string, unknown>): Reply | undefined;
}

export function json(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}
