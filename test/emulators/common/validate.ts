import type { Deviations, Reply, RequestIssue, VendorFlavor } from "./http";
import { type OpenApiIndex, type OperationSpec, toIssues } from "./spec";

export interface IncomingParts {
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  bodyPresent: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validates path parameters, query and body of one request against its spec operation. */
export function validateRequest(
  index: OpenApiIndex,
  op: OperationSpec,
  parts: IncomingParts,
  flavor: VendorFlavor,
  deviations: Deviations | undefined,
): RequestIssue[] {
  const issues: RequestIssue[] = [];
  for (const p of op.parameters) {
    if (p.in !== "path" && p.in !== "query") continue;
    if (p.in === "query" && deviations?.looseQueryParams?.includes(p.name)) continue;
    const source = p.in === "path" ? parts.params : parts.query;
    const raw = source[p.name];
    if (raw === undefined) {
      if (p.required) issues.push({ in: p.in, field: p.name, keyword: "required", message: "is required" });
      continue;
    }
    if (!p.schemaPointer) continue;
    // Wrapped in an object so ajv's coercion ("5" → 5, "true" → true) has a parent to write into.
    const holder = { v: raw as unknown };
    const validate = index.validator(p.schemaPointer, true);
    if (!validate(holder.v)) {
      for (const i of toIssues(validate.errors, p.in)) issues.push({ ...i, field: i.field ? `${p.name}.${i.field}` : p.name });
    }
  }
  if (!op.bodyPointer) return issues;
  if (!parts.bodyPresent) {
    if (op.bodyRequired && !deviations?.bodyOptional) issues.push({ in: "body", field: "", keyword: "required", message: "a JSON body is required" });
    return issues;
  }
  let body = parts.body;
  if (isPlainObject(body) && deviations) {
    // Deviations the real service accepts are removed from the copy we validate, never from what handlers see.
    const copy: Record<string, unknown> = { ...body };
    for (const k of deviations.extraBodyFields ?? []) delete copy[k];
    for (const k of deviations.nullableBodyFields ?? []) if (copy[k] === null) delete copy[k];
    body = copy;
  }
  if (flavor.toSpecForm) body = flavor.toSpecForm(body, "request");
  if (flavor.rejectUnknownBodyFields && isPlainObject(body)) {
    const declared = index.declaredProperties(op.bodyPointer);
    if (declared) {
      for (const k of Object.keys(body)) {
        if (!declared.has(k)) issues.push({ in: "body", field: k, keyword: "unknown", message: "is not allowed" });
      }
    }
  }
  const validate = index.validator(op.bodyPointer);
  if (!validate(body)) issues.push(...toIssues(validate.errors, "body"));
  // A field can be flagged twice (our unknown-field check and the schema's additionalProperties: false).
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.in}|${i.field}|${i.keyword}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * Checks a reply against the operation's documented responses. Returns a description of the violation, or
 * undefined when it conforms. `generated` replies (auth, validation, 404 built by the framework) may use a
 * status the operation does not list: the real service answers those on every route whether documented or not.
 */
export function checkResponse(
  index: OpenApiIndex,
  op: OperationSpec,
  reply: Reply,
  deviations: Deviations | undefined,
  generated: boolean,
  flavor?: VendorFlavor,
): string | undefined {
  if (flavor?.toSpecForm && reply.body !== undefined && typeof reply.body !== "string") {
    reply = { ...reply, body: flavor.toSpecForm(reply.body, "response") };
  }
  const replacement = deviations?.responseSchemas?.[reply.status];
  if (replacement !== undefined) {
    const v = index.inlineValidator(replacement);
    if (v(reply.body)) return undefined;
    return `${op.method} ${op.template} → ${reply.status} (real-service schema): ${(v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`).join("; ")}`;
  }
  const status = deviations?.statusAs?.[reply.status] ?? reply.status;
  const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in op.responses);
  const where = `${op.method} ${op.template} → ${reply.status}`;
  if (key === undefined) return generated ? undefined : `${where}: status not documented for ${op.operationId ?? "operation"}`;
  const pointer = op.responses[key];
  if (pointer === null || pointer === undefined) {
    // Vendor errors on a status documented without content (e.g. Coolify's 400 on DELETE environment) are fine.
    return reply.body === undefined || reply.body === "" || generated ? undefined : `${where}: documented without a body, got one`;
  }
  if (reply.body === undefined) return `${where}: documented with a JSON body, got none`;
  const validate = index.validator(pointer);
  if (validate(reply.body)) return undefined;
  const details = (validate.errors ?? [])
    .slice(0, 8)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.keyword === "additionalProperties" ? ` (${JSON.stringify(e.params)})` : ""}`)
    .join("; ");
  return `${where}: ${details}`;
}

/** Replaces secret values by "********" at any depth, for the request log. */
export function maskSecrets(value: unknown, keys: ReadonlySet<string>, depth = 0): unknown {
  if (depth > 20) return "…";
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, keys, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = keys.has(k) ? maskAll(v, depth + 1) : maskSecrets(v, keys, depth + 1);
  }
  return out;
}

/**
 * Everything under a secret key is secret, e.g. Fly's `{"values": {"DATABASE_URL": "postgres://…"}}`: the keys are
 * kept (the log still shows which secrets were set), every leaf value is masked.
 */
function maskAll(value: unknown, depth: number): unknown {
  if (value === null || value === undefined) return value;
  if (depth > 20) return "********";
  if (Array.isArray(value)) return value.map((v) => maskAll(v, depth + 1));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAll(v, depth + 1)]));
  return "********";
}
