/**
 * Creating a resource at most once. A platform client re-sends a POST only where the server said it did
 * nothing (429/503, components/http.ts); any other failure of a create is either a refusal (4xx) or AMBIGUOUS:
 * the server may have carried it out before the reply was lost. After an ambiguous failure the provider's
 * `findExisting` says what the lost attempt may have made: one match is adopted, none means try again, more than
 * one is reported instead of guessed.
 */
import { sleep } from "./wait";

/** A failed platform API call with its HTTP status; each platform's client error extends it. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Answers after which a request may or may not have been carried out (timeouts and gateway errors). */
export const AMBIGUOUS_STATUSES: readonly number[] = [408, 500, 502, 504];

/**
 * An ambiguous outcome: an API error with an ambiguous status, or anything else thrown on the way (a dropped
 * connection, a timeout, a 2xx body that could not be read). Refusals (4xx other than 408) are not ambiguous, and
 * neither are 429/503: the client already retried those, and they mean nothing was done.
 */
export function isAmbiguousFailure(error: unknown): boolean {
  if (error instanceof ApiError) return AMBIGUOUS_STATUSES.includes(error.status);
  return error instanceof Error;
}

export interface CreateOnceOptions<T> {
  /** What is created, for messages: `CoolifyApplication web`. */
  what: string;
  /** One attempt of the create (one POST). */
  attempt: () => Promise<T>;
  /**
   * What the failed attempt may have made: the resources that match this one's identity now (name in its
   * environment, a launch id it carries, …). THE extension point for recognising our own resources: a provider
   * that marks what it creates (an ownership label) narrows this to the marked ones and can drop the baseline.
   */
  findExisting: () => Promise<readonly T[]>;
  /** Identity of a found resource (uuid, id), for the baseline comparison and the message. */
  key: (found: T) => string;
  /**
   * Call `findExisting` once BEFORE the first attempt and ignore what it already listed then, for identities that
   * other resources may share (names). Not needed when `findExisting` can only match what this create made.
   * @default true
   */
  baseline?: boolean;
  /** @default 3 */
  attempts?: number;
  /** Pause before attempt n is n × this. @default 100 */
  backoffMs?: number;
}

export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<T> {
  const attempts = options.attempts ?? 3;
  const backoff = options.backoffMs ?? 100;
  const before = new Set(options.baseline === false ? [] : (await options.findExisting()).map(options.key));
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(backoff * (attempt - 1));
    try {
      return await options.attempt();
    } catch (error) {
      if (!isAmbiguousFailure(error)) throw error;
      lastError = error;
      const made = (await options.findExisting()).filter((found) => !before.has(options.key(found)));
      if (made.length === 1) return made[0] as T;
      if (made.length > 1) {
        throw new Error(`${options.what} exists ${made.length} times after a retried create: ${made.map(options.key).join(", ")}`);
      }
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`${options.what}: could not be created`);
}

/** An idempotent call (setting the same values again is harmless) retried across ambiguous failures. */
export function retryAmbiguous<T>(what: string, call: () => Promise<T>, attempts = 4): Promise<T> {
  return createOnce({ what, attempt: call, findExisting: async () => [], key: () => "", baseline: false, attempts });
}
