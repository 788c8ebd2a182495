import ky, { HTTPError, TimeoutError } from "ky";

/** How a platform client retries. Tests shrink the delays; production keeps the defaults. */
export interface RetryPolicy {
  /**
   * Retries after the first attempt, for 408/429/5xx answers, dropped connections and timeouts.
   * @default 5
   */
  limit?: number;
  /**
   * Longest wait between two attempts, in milliseconds; a `Retry-After` longer than this is still honoured
   * up to `maxRetryAfterMs`.
   * @default 8000
   */
  backoffLimitMs?: number;
  /**
   * First backoff step in milliseconds; each retry doubles it.
   * @default 300
   */
  baseDelayMs?: number;
  /**
   * Longest `Retry-After` honoured; a server asking for more fails the call instead of stalling a deploy.
   * @default 60000
   */
  maxRetryAfterMs?: number;
  /**
   * Time one attempt may take before it is abandoned and (for idempotent calls) retried.
   * @default 30000
   */
  timeoutMs?: number;
}

const RETRIED_STATUS = [408, 429, 500, 502, 503, 504];
const IDEMPOTENT = ["get", "put", "head", "delete", "options", "patch"];

/** Reads the retry policy's overrides from the environment, so the engine's provider processes can be tuned. */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const num = (name: string): number | undefined => {
    const raw = env[name];
    return raw !== undefined && raw !== "" && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
  };
  return {
    limit: num("SLIPWAY_HTTP_RETRIES"),
    baseDelayMs: num("SLIPWAY_HTTP_BASE_DELAY_MS"),
    backoffLimitMs: num("SLIPWAY_HTTP_BACKOFF_LIMIT_MS"),
    timeoutMs: num("SLIPWAY_HTTP_TIMEOUT_MS"),
  };
}

/**
 * A `fetch` for openapi-fetch clients: bearer auth, bounded retries with exponential backoff that honour
 * `Retry-After`, and a per-attempt timeout. POST is retried only on 429 and 503, where the server said
 * it did nothing; other POST failures are ambiguous (the resource may exist) and are left to the
 * provider, which looks the resource up by its idempotency key before trying again.
 */
export function retryingFetch(token: string, policy: RetryPolicy = {}): typeof fetch {
  const limit = policy.limit ?? 5;
  const base = policy.baseDelayMs ?? 300;
  const timeout = policy.timeoutMs ?? 30_000;
  const options = (methods: string[], statusCodes: number[], onlyAnswers = false) =>
    ky.create({
      timeout,
      headers: { authorization: `Bearer ${token}` },
      // ky retries a dropped connection of any retried method (ky 1.9 Ky._calculateRetryDelay: only HTTPError is
      // filtered by status). A POST whose connection dropped may have been carried out, so it is not re-sent:
      // the provider resolves it (createOnce). Throwing from beforeRetry ends ky's retries with that error.
      hooks: onlyAnswers
        ? {
            beforeRetry: [
              ({ error }) => {
                if (!(error instanceof HTTPError)) throw error;
              },
            ],
          }
        : {},
      retry: {
        limit,
        methods,
        statusCodes,
        afterStatusCodes: [413, 429, 503],
        backoffLimit: policy.backoffLimitMs ?? 8_000,
        maxRetryAfter: policy.maxRetryAfterMs ?? 60_000,
        delay: (attempt) => base * 2 ** (attempt - 1),
      },
    });
  // Two clients made separately: ky's `extend` concatenates arrays, so an extended POST client would inherit
  // the idempotent status list and re-send an ambiguous create.
  const client = options(IDEMPOTENT, RETRIED_STATUS);
  const postClient = options(["post"], [429, 503], true);

  return async (input, init) => {
    const request = new Request(input, init);
    const method = request.method.toLowerCase();
    const send = method === "post" ? postClient : client;
    // ky does not retry a timed-out attempt; an idempotent call that hung is safe to send again.
    for (let attempt = 0; ; attempt++) {
      try {
        return await send(request.clone());
      } catch (error) {
        // ky only retries status codes it throws for; once retries are spent, hand the answer back to the
        // typed client, which turns it into the vendor's error.
        if (error instanceof HTTPError) return error.response;
        const retriable = error instanceof TimeoutError && IDEMPOTENT.includes(method) && attempt < limit;
        if (!retriable) throw error;
        await new Promise((resolve) => setTimeout(resolve, base * 2 ** attempt));
      }
    }
  };
}
