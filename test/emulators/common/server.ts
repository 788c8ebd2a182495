import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EmulatorClock } from "./clock";
import { handleControl } from "./control";
import { FaultBook } from "./faults";
import type { EmulatorHooks, Reply, Route, VendorFlavor } from "./http";
import { TemplateRouter } from "./router";
import { OpenApiIndex, type OperationSpec } from "./spec";
import type { Emulator, EmulatorOptions, FaultRule, RequestLogEntry } from "./types";
import { checkResponse, maskSecrets, validateRequest } from "./validate";

/** An emulator as the shared server builds it: the contract plus the clock, for vendor state machines. */
export interface EmulatorServer extends Emulator {
  readonly clock: EmulatorClock;
  readonly flavor: VendorFlavor;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_LOG = 20_000;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const indexCache = new Map<string, OpenApiIndex>();

/** Parsing a 1 MB spec takes a while; tests start many emulators, so each spec is indexed once per process. */
function loadIndex(flavor: VendorFlavor): OpenApiIndex {
  let idx = indexCache.get(flavor.specFile);
  if (!idx) indexCache.set(flavor.specFile, (idx = new OpenApiIndex(flavor.specFile, flavor.name)));
  return idx;
}

function defaultAuth(header: string | undefined, token: string | undefined): boolean {
  const m = /^Bearer\s+(\S.*)$/i.exec(header ?? "");
  return m !== null && (token === undefined || m[1]?.trim() === token);
}

async function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { text: "", tooLarge: true };
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString("utf8"), tooLarge: false };
}

function send(res: ServerResponse, reply: Reply, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { ...extra, ...reply.headers };
  let payload = "";
  if (reply.body !== undefined && reply.status !== 204) {
    payload = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    headers["content-type"] ??= typeof reply.body === "string" ? "text/plain; charset=utf-8" : "application/json";
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export async function startEmulatorServer(
  flavor: VendorFlavor,
  routes: readonly Route[],
  options: EmulatorOptions,
  hooks: EmulatorHooks,
): Promise<EmulatorServer> {
  const index = loadIndex(flavor);
  const clock = hooks.clock ?? new EmulatorClock(options.timeScale ?? 20);
  const strict = options.strictResponses ?? true;
  const faults = new FaultBook();
  const log: RequestLogEntry[] = [];
  const responseViolations: string[] = [];
  /** Pending hang faults: each is released (its socket dropped) when it expires or the server closes. */
  const hangs = new Map<NodeJS.Timeout, () => void>();
  const ops = new Map<string, OperationSpec>(index.operations.map((o) => [`${o.method} ${o.template}`, o]));
  const routeMap = new Map<string, Route>(routes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]));
  const router = new TemplateRouter([...index.operations.map((o) => o.template), ...routes.map((r) => r.path)]);
  const flavorSecrets = new Set(flavor.secretKeys);
  // Errors a handler builds with ctx.flavor (404, 409, 412...) count as framework errors: real services answer
  // them on every route even where the spec lists only the success status. Documented statuses are still checked.
  const builtByFlavor = new WeakSet<Reply>();
  const track = <A extends unknown[]>(build: (...args: A) => Reply) => (...args: A): Reply => {
    const r = build(...args);
    builtByFlavor.add(r);
    return r;
  };
  const ctxFlavor: VendorFlavor = {
    ...flavor,
    validationError: track((issues) => flavor.validationError(issues)),
    unauthorized: track(() => flavor.unauthorized()),
    notFound: track((message?: string) => flavor.notFound(message)),
    methodNotAllowed: track((m: string, t: string) => flavor.methodNotAllowed(m, t)),
    badRequest: track((message: string) => flavor.badRequest(message)),
    error: track((status: number, message: string) => flavor.error(status, message)),
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const entry: RequestLogEntry = { time: clock.isoNow(), method, path: req.url ?? rawPath, status: 0 };
    let reply: Reply;
    let generated = true;
    let body: unknown;
    const finish = (r: Reply): void => {
      entry.status = r.status;
      if (log.push(entry) > MAX_LOG) log.shift();
      send(res, r, flavor.extraHeaders?.() ?? {});
    };
    const path = rawPath.slice(flavor.basePath.length) || "/";
    const match = rawPath.startsWith(flavor.basePath) ? router.match(path) : undefined;
    if (!match) return finish(flavor.notFound());
    const route: Route | undefined = routeMap.get(`${method} ${match.template}`);
    const op: OperationSpec | undefined = route?.offSpec ? undefined : ops.get(`${method} ${match.template}`);
    entry.operationId = op?.operationId;
    const throttled = hooks.throttle?.({ method, headers: req.headers });
    if (throttled) return finish(throttled);
    entry.template = match.template;
    const authorized = flavor.authenticate
      ? flavor.authenticate(req.headers, options.token)
      : defaultAuth(req.headers.authorization, options.token);
    if (!authorized) return finish(flavor.unauthorized());
    if (!route) {
      return finish(op ? flavor.error(501, `The emulator does not implement ${method} ${match.template}.`) : flavor.methodNotAllowed(method, match.template));
    }
    const denied = hooks.authorize?.({ method, template: match.template, headers: req.headers });
    if (denied) return finish(denied);
    const raw = await readBody(req);
    if (raw.tooLarge) return finish(flavor.badRequest("Request body too large."));
    const bodyPresent = raw.text.trim() !== "";
    if (bodyPresent) {
      try {
        body = JSON.parse(raw.text);
      } catch {
        return finish(flavor.badRequest("Invalid JSON body."));
      }
      entry.body = maskSecrets(body, new Set([...flavorSecrets, ...(route.secretKeys ?? [])]));
    }
    const queryObj = Object.fromEntries(query.entries());
    const queryAll: Record<string, string[]> = {};
    for (const [k, v] of query.entries()) (queryAll[k] ??= []).push(v);
    if (op) {
      const issues = validateRequest(index, op, { params: match.params, query: queryObj, body, bodyPresent }, flavor, route.deviations);
      if (issues.length > 0) {
        reply = flavor.validationError(issues);
        return finish(checked(reply, true));
      }
    }
    const fault = faults.take(method, match.template, path);
    if (fault?.kind === "status") return finish(flavor.error(fault.status, "Injected fault."));
    if (fault?.kind === "rateLimit") {
      const r = flavor.error(429, "Too Many Attempts.");
      return finish({ ...r, headers: { ...r.headers, "retry-after": String(fault.retryAfterSeconds) } });
    }
    if (fault?.kind === "hang") {
      // The client is meant to time out first; afterwards the socket is dropped without an answer.
      entry.status = 0;
      log.push(entry);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => (hangs.delete(t), resolve()), fault.ms);
        hangs.set(t, resolve);
      });
      res.destroy();
      return;
    }
    const ctx = { method, path, template: match.template, operationId: op?.operationId, params: match.params, query: queryObj, queryAll, body, headers: req.headers, clock, flavor: ctxFlavor };
    try {
      reply = await route.handler(ctx);
      generated = builtByFlavor.has(reply);
    } catch (err) {
      const message = `${flavor.name} ${method} ${match.template}: handler threw ${err instanceof Error ? err.stack : String(err)}`;
      responseViolations.push(message);
      return finish(flavor.error(500, message));
    }
    if (fault?.kind === "ambiguous") {
      // The work was done; only the answer is lost, exactly the case idempotent creates must survive.
      checked(reply, false);
      return finish(flavor.error(fault.status, "Injected ambiguous failure."));
    }
    return finish(checked(reply, generated));

    function checked(r: Reply, gen: boolean): Reply {
      if (!op) return r;
      const violation = checkResponse(index, op, r, route?.deviations, gen, flavor);
      if (violation === undefined) return r;
      responseViolations.push(`${flavor.name}: ${violation}`);
      return strict ? flavor.error(500, `Emulator response violates the spec: ${violation}`) : r;
    }
  }

  const server = createServer((req, res) => {
    clock.runDue();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const host = (req.headers.host ?? "127.0.0.1").replace(/:\d+$/, "").toLowerCase();
    const work = async (): Promise<void> => {
      if (url.pathname.startsWith("/_emulator/")) {
        const raw = await readBody(req);
        return send(res, handleControl(emulator, url.pathname.slice("/_emulator/".length), req.method ?? "GET", raw.text, hooks.control));
      }
      if (!LOOPBACK.has(host)) {
        const r = hooks.appTraffic?.(host, req.method ?? "GET", url.pathname);
        return send(res, r ?? { status: 404, body: `no app answers to ${host}` });
      }
      if (hooks.instanceRoute && !url.pathname.startsWith(`${flavor.basePath}/`) && url.pathname !== flavor.basePath) {
        const raw = await readBody(req);
        const r = raw.tooLarge ? flavor.badRequest("Request body too large.") : hooks.instanceRoute(req.method ?? "GET", url.pathname, req.headers, raw.text);
        return send(res, r ?? flavor.notFound());
      }
      return handleApi(req, res, url.pathname, url.searchParams);
    };
    work().catch((err: unknown) => {
      responseViolations.push(`${flavor.name}: internal error ${err instanceof Error ? err.stack : String(err)}`);
      if (!res.headersSent) send(res, flavor.error(500, "Emulator internal error."));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  const emulator: EmulatorServer = {
    url: `${origin}${flavor.basePath}`,
    origin,
    port,
    log,
    responseViolations,
    clock,
    flavor,
    inventory: () => hooks.inventory(),
    injectFault: (rule: FaultRule) => faults.add(rule),
    pendingFaults: () => faults.pending(),
    clearFaults: () => faults.clear(),
    markImageUnhealthy: (image: string) => hooks.markImageUnhealthy(image),
    advance: (ms: number) => clock.advance(ms),
    reset: () => {
      // Violations survive a reset on purpose: they are emulator bugs, not emulated state.
      clock.clear();
      faults.clear();
      log.length = 0;
      hooks.reset();
    },
    close: async () => {
      clock.close();
      for (const [t, release] of hangs) {
        clearTimeout(t);
        release();
      }
      hangs.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return emulator;
}
