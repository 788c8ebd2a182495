/**
 * What every API emulator (Coolify, Fly Machines, GitHub) offers to tests, to `npm run emulators` and to
 * the e2e suite. Each emulator is one in-memory HTTP server on loopback.
 *
 * Besides its vendor API, each emulator serves:
 *  - the deployed apps' own traffic, dispatched by `Host` header (a Coolify app's fqdn, `<app>.fly.dev`, a Fly
 *    certificate's hostname): e.g. `GET /health` with `Host: staging.example.com` answers 200 while the running
 *    image is healthy and 503 when it was marked unhealthy. So a health gate can use the real public URL with
 *    its host resolved to the emulator (`SLIPWAY_RESOLVE=host:127.0.0.1:port`, like curl's --resolve).
 *  - a control API under `/_emulator/` (no auth): `GET inventory`, `GET log`, `POST faults`, `POST images/unhealthy`,
 *    `POST clock/advance`, `POST reset`, mirroring the in-process methods below.
 */
export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** The only bearer token accepted; when unset any non-empty token is accepted. */
  token?: string;
  /**
   * How fast emulated time runs: state transitions (queued → in_progress → finished, starting → started,
   * volume release after its machine is destroyed) are scheduled in emulated milliseconds.
   * @default 20 (twenty times faster than real time)
   */
  timeScale?: number;
  /**
   * When a response does not match the spec, record it in `responseViolations` and answer 500 instead, so the
   * test that caused it fails loudly. When false, the violation is recorded and the response sent as is.
   * @default true
   */
  strictResponses?: boolean;
}

export interface RequestLogEntry {
  time: string;
  method: string;
  /** Path with query string, as received. */
  path: string;
  /** 0 when no answer was sent (a hang fault drops the connection). */
  status: number;
  /** Request body with secret values replaced by "********". */
  body?: unknown;
  /** The spec operation matched, when one was. */
  operationId?: string;
  /** The path template matched (after the base path), e.g. "/applications/{uuid}": what a fault rule names. */
  template?: string;
}

export type FaultKind =
  | { kind: "status"; status: 500 | 502 | 503 | 408 }
  | { kind: "rateLimit"; retryAfterSeconds: number }
  /** Holds the request for `ms` real milliseconds (the client's timeout is real time), then drops the connection. */
  | { kind: "hang"; ms: number }
  /** The request is carried out, then answered with this status: the ambiguous create. */
  | { kind: "ambiguous"; status: 500 | 502 | 504 | 408 };

export interface FaultRule {
  /** HTTP method, e.g. "POST". */
  method: string;
  /** Path pattern of the spec (e.g. "/applications/{uuid}") or a literal path (after the base path). */
  path: string;
  /** How many of the next matching calls fail. */
  times: number;
  fault: FaultKind;
  /**
   * Dormant until a call matching this method and path (template or literal) has been received: e.g. the
   * look-ups that follow an ambiguous create fail, not the ones before it.
   */
  after?: { method: string; path: string };
}

export interface Emulator {
  /** Base URL of the vendor API, e.g. http://127.0.0.1:8000/api/v1 */
  readonly url: string;
  /** Origin, e.g. http://127.0.0.1:8000 (app traffic and /_emulator/ live here). */
  readonly origin: string;
  readonly port: number;
  /** Every API request, in order. */
  readonly log: RequestLogEntry[];
  /** Responses that did not validate against the spec (each one is an emulator bug). */
  readonly responseViolations: string[];
  /** A JSON-serializable dump of everything the emulator holds. */
  inventory(): unknown;
  /** The next `times` calls matching method+path fail as described. */
  injectFault(rule: FaultRule): void;
  /** Injected faults not used up yet (a fault whose route was never called stays here). */
  pendingFaults(): FaultRule[];
  /** Drops the injected faults not used up yet (state and log stay). */
  clearFaults(): void;
  /** Health checks of apps running this image (reference or digest) fail from now on. */
  markImageUnhealthy(image: string): void;
  /** Moves emulated time forward, running any transitions that fall due. */
  advance(ms: number): void;
  /** Forget everything (state, log, faults). */
  reset(): void;
  close(): Promise<void>;
}
