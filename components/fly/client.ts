import createClient, { type Client } from "openapi-fetch";
import { z } from "zod";
import { retryingFetch, retryPolicyFromEnv, type RetryPolicy } from "../http";
import { ApiError, formatDuration, sleep, waitSettingsFromEnv, type WaitSettings } from "../provider";
import type { paths } from "./api.gen";
import type { FlyConnection } from "./connection";

/** The typed Fly Machines client every Fly provider uses. Paths carry `/v1`, so `baseUrl` is the origin. */
export type FlyClient = Client<paths>;

export function createFlyClient(connection: FlyConnection, policy: RetryPolicy = retryPolicyFromEnv()): FlyClient {
  const baseUrl = connection.apiUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
  // retryingFetch re-sends a POST only on 429/503 (the server did nothing); an ambiguous create comes back to
  // the providers, which resolve it (idempotency key, launch id, look-up) instead of sending it again.
  return createClient<paths>({ baseUrl, fetch: retryingFetch(connection.token, policy) });
}

/** Fly answers errors as `{ error, status }`; `status` is a machine-readable code such as `name_taken`. */
const flyErrorBody = z.object({ error: z.string().optional(), status: z.string().optional() }).loose();

/** A failed Fly API call, with the HTTP status and Fly's own message and code. */
export class FlyApiError extends ApiError {
  constructor(
    readonly operation: string,
    readonly httpStatus: number,
    readonly flyMessage: string | undefined,
    readonly flyCode: string | undefined,
  ) {
    super(
      `Fly API: ${operation} failed with HTTP ${httpStatus}` +
        (flyMessage ? `: ${flyMessage}` : "") +
        (flyCode && flyCode !== "unknown" ? ` (${flyCode})` : ""),
      httpStatus,
    );
    this.name = "FlyApiError";
  }
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the body of a successful call or throws a `FlyApiError` that says what failed and why. */
export async function unwrap<T>(operation: string, call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  throw toFlyError(operation, response.status, error);
}

/** Like `unwrap`, and validates the body with zod: the fields a provider relies on must be there. */
export async function unwrapParsed<S extends z.ZodType>(
  operation: string,
  schema: S,
  call: Promise<FetchResult<unknown>>,
): Promise<z.infer<S>> {
  const body = await unwrap(operation, call);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new Error(`Fly API: ${operation} answered an unexpected body: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function toFlyError(operation: string, status: number, body: unknown): FlyApiError {
  const parsed = flyErrorBody.safeParse(body);
  const message = parsed.success ? parsed.data.error : typeof body === "string" ? body : undefined;
  return new FlyApiError(operation, status, message, parsed.success ? parsed.data.status : undefined);
}

export function isFlyStatus(error: unknown, ...statuses: number[]): error is FlyApiError {
  return error instanceof FlyApiError && statuses.includes(error.httpStatus);
}

const terminalView = z
  .object({ state: z.string(), events: z.array(z.object({ type: z.string().optional(), status: z.string().optional() }).loose()).nullish() })
  .loose();

const waitResponse = z.object({ ok: z.boolean().optional(), state: z.string().optional() }).loose();

export type MachineState = "started" | "stopped" | "suspended" | "destroyed" | "failed" | "settled";

/**
 * Waits for a machine to reach `state` with Fly's blocking `/wait` endpoint, in slices of at most 5 s,
 * until the overall deadline. A 408 from `/wait` only means "not yet".
 */
export async function waitForMachineState(
  client: FlyClient,
  app: string,
  machineId: string,
  state: MachineState,
  version?: string,
  settings: WaitSettings = waitSettingsFromEnv(),
): Promise<void> {
  const deadline = Date.now() + settings.timeoutMs;
  for (;;) {
    const remainingSec = Math.ceil((deadline - Date.now()) / 1000);
    const { data, error, response } = await client.GET("/v1/apps/{app_name}/machines/{machine_id}/wait", {
      params: {
        path: { app_name: app, machine_id: machineId },
        // Short slices, so a machine that failed is noticed between them (see below).
        query: { state, timeout: Math.max(1, Math.min(5, remainingSec)), ...(version ? { version } : {}) },
      },
    });
    if (response.ok && waitResponse.safeParse(data).success) return;
    if (response.status !== 408 && !response.ok) {
      throw toFlyError(`waiting for machine ${machineId} to be ${state}`, response.status, error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`Fly: machine ${machineId} of ${app} did not reach "${state}" within ${formatDuration(settings.timeoutMs)}`);
    }
    // A machine that failed to boot never becomes "started": say so now instead of waiting out the deadline.
    if (state === "started") {
      const { data: machine } = await client.GET("/v1/apps/{app_name}/machines/{machine_id}", {
        params: { path: { app_name: app, machine_id: machineId } },
      });
      const seen = terminalView.safeParse(machine);
      if (seen.success && (seen.data.state === "failed" || seen.data.state === "destroyed")) {
        const why = seen.data.events?.find((e) => e.type === "exit")?.status;
        throw new Error(`Fly: machine ${machineId} of ${app} is ${seen.data.state} instead of started${why ? ` (${why})` : ""}`);
      }
    }
    await sleep(Math.min(settings.intervalMs, 50));
  }
}
