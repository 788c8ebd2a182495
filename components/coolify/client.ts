/**
 * The typed Coolify client the providers share: openapi-fetch over the generated `paths`, sending every
 * request through `retryingFetch` (bearer auth, retries on 429/5xx honouring Retry-After), plus Coolify's
 * error format and its queued deletes. Checks, diffs, waits and creates are the provider kit's (../provider).
 */
import createClient, { type Client } from "openapi-fetch";
import { retryingFetch, retryPolicyFromEnv } from "../http";
import { ApiError, pollUntil, type WaitSettings } from "../provider";
import type { paths } from "./api.gen";
import type { CoolifyConnection } from "./connection";
import { ensureTokenAbilities, TOKEN_HELP } from "./token";

export type CoolifyClient = Client<paths>;

export function coolifyClient(connection: CoolifyConnection): CoolifyClient {
  const rotated = process.env.COOLIFY_TOKEN;
  const primary = sendWith(connection.token);
  // A rotated token does not update the resource (diff ignores it), so refresh and delete still hold the
  // old one in state; when Coolify refuses it, the token the environment provides now is tried once.
  const fallback = rotated && rotated !== connection.token ? sendWith(rotated) : undefined;
  return createClient<paths>({
    baseUrl: connection.apiUrl,
    fetch: async (request) => {
      const response = await primary(request.clone());
      return response.status === 401 && fallback ? fallback(request) : response;
    },
  });
}

/**
 * Before a create, update or delete: one check of every ability slipway needs (token.ts), so a token without
 * them fails with one message naming them all, not with a 403 after half an update. Once per API and token in
 * a process. Reads do not call it: refresh works with a read-only token.
 */
export function assertTokenAbilities(connection: CoolifyConnection): Promise<void> {
  return ensureTokenAbilities(connection.apiUrl, connection.token, sendWith(connection.token));
}

function sendWith(token: string): (request: Request) => Promise<Response> {
  // retryingFetch re-sends a POST only on 429/503 (the server did nothing); an ambiguous 5xx comes back
  // here and the kit's createOnce() looks the resource up before trying again, so a create is never duplicated.
  const fetcher = retryingFetch(token, retryPolicyFromEnv());
  return (request) => fetcher(request);
}

/** An error reply from Coolify, with the field errors of a 422 kept for the message. */
export class CoolifyApiError extends ApiError {
  constructor(
    readonly operation: string,
    status: number,
    readonly detail: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(formatApiError(operation, status, detail, fieldErrors), status);
    this.name = "CoolifyApiError";
  }
}

/**
 * `Coolify POST /applications/dockerimage: 422 Validation failed. (domains: The domains format is invalid.)`
 * One line, so it survives Pulumi's diagnostics intact; the field list is what a user needs to fix args.
 */
export function formatApiError(
  operation: string,
  status: number,
  detail: string,
  fieldErrors: Record<string, string[]> = {},
): string {
  const fields = Object.entries(fieldErrors)
    .map(([field, problems]) => `${field}: ${problems.join(" ")}`)
    .join("; ");
  return `Coolify ${operation}: ${status} ${detail}${fields ? ` (${fields})` : ""}`.trim();
}

/** Reads Coolify's error body (`{message, errors?}`, or text from a proxy in front of it) into an error. */
export function errorFromReply(operation: string, status: number, body: unknown): CoolifyApiError {
  if (typeof body === "object" && body !== null) {
    const record = body as Record<string, unknown>;
    const message = typeof record.message === "string" ? record.message : JSON.stringify(body).slice(0, 300);
    const errors: Record<string, string[]> = {};
    if (typeof record.errors === "object" && record.errors !== null) {
      for (const [field, value] of Object.entries(record.errors as Record<string, unknown>)) {
        errors[field] = Array.isArray(value) ? value.map(String) : [String(value)];
      }
    }
    // Coolify v4.3.10 app/Http/Middleware/ApiAbility.php: "Missing required permissions: <ability>".
    const help = status === 403 && message.startsWith("Missing required permissions") ? ` ${TOKEN_HELP}` : "";
    return new CoolifyApiError(operation, status, `${message}${help}`, errors);
  }
  const text = typeof body === "string" && body.trim() !== "" ? body.trim().slice(0, 300) : statusText(status);
  return new CoolifyApiError(operation, status, text);
}

function statusText(status: number): string {
  return status === 404 ? "Not found." : status >= 500 ? "Server error." : "Request failed.";
}

/** What openapi-fetch hands back for every call. */
export interface Reply<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the data of a 2xx reply (Coolify answers 200 or 201 for creates) or throws the formatted error. */
export function ok<T>(operation: string, reply: Reply<T>): T {
  if (reply.response.ok) return reply.data as T;
  throw errorFromReply(operation, reply.response.status, reply.error);
}

/** A GET that may find nothing: undefined for 404, data for 2xx, an error otherwise. */
export function okOrMissing<T>(operation: string, reply: Reply<T>): T | undefined {
  if (reply.response.status === 404) return undefined;
  return ok(operation, reply);
}

/** Waits for a queued delete to finish: Coolify answers the DELETE at once and removes the resource later. */
export function waitUntilGone(what: string, status: () => Promise<number>, settings?: Partial<WaitSettings>): Promise<void> {
  return pollUntil<void>(
    `${what} to be deleted`,
    async () => {
      const code = await status();
      if (code === 404) return { done: true, value: undefined };
      if (code >= 200 && code < 300) return { done: false, state: "still present" };
      throw new CoolifyApiError(`GET ${what}`, code, "unexpected reply while waiting for the delete");
    },
    settings,
  );
}
