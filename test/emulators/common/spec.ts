import { readFileSync } from "node:fs";
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { RequestIssue } from "./http";

/**
 * The vendor's OpenAPI description, indexed for request/response validation with ajv's JSON Schema 2020-12
 * dialect. OpenAPI 3.1 schemas (Coolify's) ARE JSON Schema 2020-12, but openapi-backend compiles them with ajv's
 * default draft-07 class, which ignores keywords next to a `$ref` and does not know 2020-12 keywords
 * (prefixItems, dependentRequired, unevaluated*); it also dereferences the whole 1 MB document eagerly. So we
 * drive ajv's 2020 class directly: the document is registered once under an id and each operation's schemas
 * are compiled lazily as `$ref`s into it, so `#/components/...` references resolve without dereferencing.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export interface ParameterSpec {
  name: string;
  in: string;
  required: boolean;
  /** Pointer to the parameter's schema in the document. */
  schemaPointer?: string;
}

export interface OperationSpec {
  method: string;
  template: string;
  operationId?: string;
  parameters: ParameterSpec[];
  bodyRequired: boolean;
  /** Pointer to the JSON request body schema, when the operation takes one. */
  bodyPointer?: string;
  /** status ("200", "default") → pointer to JSON schema, or null when the status has no JSON body. */
  responses: Record<string, string | null>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const escapePointer = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * Rewrites OpenAPI 3.0 idioms into JSON Schema 2020-12. `nullable: true` is honoured in the 3.1 Coolify
 * document too: swagger-php emits it there, and the real service does answer nulls for those fields.
 */
function normalize(node: Json): Json {
  if (Array.isArray(node)) return node.map(normalize);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) {
    // Examples and discriminators are documentation here; ajv would otherwise try to interpret them.
    if (k === "example" || k === "examples" || k === "discriminator" || k === "xml") continue;
    out[k] = normalize(v);
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (Array.isArray(out.type) && !out.type.includes("null")) out.type = [...out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.type === undefined && (out.$ref !== undefined || out.allOf || out.oneOf || out.anyOf)) {
      const inner: JsonObject = { ...out };
      for (const key of Object.keys(out)) delete out[key];
      out.anyOf = [inner, { type: "null" }];
    }
  }
  // OpenAPI 3.0 (draft-04) boolean exclusiveMinimum/Maximum → 2020 numeric form.
  for (const [ex, bound] of [["exclusiveMinimum", "minimum"], ["exclusiveMaximum", "maximum"]] as const) {
    if (typeof out[ex] === "boolean") {
      if (out[ex] === true && typeof out[bound] === "number") {
        out[ex] = out[bound];
        delete out[bound];
      } else delete out[ex];
    }
  }
  return out;
}

export class OpenApiIndex {
  readonly doc: JsonObject;
  readonly operations: OperationSpec[] = [];
  private readonly ajv: Ajv2020;
  /** Coercing instance for path/query strings. */
  private readonly ajvCoerce: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly docId: string;

  constructor(specFile: string, name: string) {
    this.doc = normalize(JSON.parse(readFileSync(specFile, "utf8")) as Json) as JsonObject;
    this.docId = `https://emulator.invalid/${name}/openapi.json`;
    const mk = (coerceTypes: boolean): Ajv2020 => {
      const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, coerceTypes, logger: false });
      addFormats(ajv);
      // Numeric width and vendor formats are annotations, not constraints we can check meaningfully.
      for (const f of ["int32", "int64", "float", "double", "private-key", "binary", "byte", "password"]) {
        ajv.addFormat(f, true);
      }
      ajv.addSchema(this.doc as object, this.docId);
      return ajv;
    };
    this.ajv = mk(false);
    this.ajvCoerce = mk(true);
    this.indexOperations();
  }

  /** Resolves a local `$ref` chain on a non-schema object (parameter, response, request body). */
  private deref(node: Json | undefined, pointer: string): { node: Json | undefined; pointer: string } {
    for (let i = 0; i < 20 && isObject(node) && typeof node.$ref === "string"; i++) {
      pointer = node.$ref.slice(1);
      node = this.at(pointer);
    }
    return { node, pointer };
  }

  at(pointer: string): Json | undefined {
    let cur: Json | undefined = this.doc;
    for (const raw of pointer.split("/").slice(1)) {
      const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
      cur = isObject(cur) ? cur[key] : Array.isArray(cur) ? cur[Number(key)] : undefined;
    }
    return cur;
  }

  private indexOperations(): void {
    const paths = this.doc.paths;
    if (!isObject(paths)) throw new Error("spec has no paths");
    for (const [template, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      const itemPtr = `/paths/${escapePointer(template)}`;
      for (const method of METHODS) {
        const op = item[method];
        if (!isObject(op)) continue;
        const opPtr = `${itemPtr}/${method}`;
        const parameters = new Map<string, ParameterSpec>();
        const collect = (list: Json | undefined, listPtr: string): void => {
          if (!Array.isArray(list)) return;
          list.forEach((p, i) => {
            const { node, pointer } = this.deref(p, `${listPtr}/${i}`);
            if (!isObject(node) || typeof node.name !== "string" || typeof node.in !== "string") return;
            parameters.set(`${node.in}:${node.name}`, {
              name: node.name,
              in: node.in,
              required: node.required === true || node.in === "path",
              schemaPointer: isObject(node.schema) ? `${pointer}/schema` : undefined,
            });
          });
        };
        collect(item.parameters, `${itemPtr}/parameters`);
        collect(op.parameters, `${opPtr}/parameters`);
        const body = this.deref(op.requestBody, `${opPtr}/requestBody`);
        let bodyPointer: string | undefined;
        if (isObject(body.node) && isObject(body.node.content)) {
          const ct = Object.keys(body.node.content).find((c) => c.includes("json"));
          if (ct) bodyPointer = `${body.pointer}/content/${escapePointer(ct)}/schema`;
        }
        const responses: Record<string, string | null> = {};
        if (isObject(op.responses)) {
          for (const status of Object.keys(op.responses)) {
            const r = this.deref(op.responses[status], `${opPtr}/responses/${status}`);
            const content = isObject(r.node) ? r.node.content : undefined;
            const ct = isObject(content) ? Object.keys(content).find((c) => c.includes("json")) : undefined;
            responses[status] = ct ? `${r.pointer}/content/${escapePointer(ct)}/schema` : null;
          }
        }
        this.operations.push({
          method: method.toUpperCase(),
          template,
          operationId: typeof op.operationId === "string" ? op.operationId : undefined,
          parameters: [...parameters.values()],
          bodyRequired: isObject(body.node) && body.node.required === true,
          bodyPointer: bodyPointer && this.at(bodyPointer) !== undefined ? bodyPointer : undefined,
          responses,
        });
      }
    }
  }

  validator(pointer: string, coerce = false): ValidateFunction {
    const key = `${coerce ? "c" : "s"}:${pointer}`;
    let v = this.cache.get(key);
    if (!v) {
      v = (coerce ? this.ajvCoerce : this.ajv).compile({ $ref: `${this.docId}#${pointer}` });
      this.cache.set(key, v);
    }
    return v;
  }

  /** Compiles a schema given inline; its `#/...` references point into the spec document. */
  inlineValidator(schema: object): ValidateFunction {
    const key = `i:${JSON.stringify(schema)}`;
    let v = this.cache.get(key);
    if (!v) {
      const rewrite = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(rewrite);
        if (typeof node !== "object" || node === null) return node;
        return Object.fromEntries(
          Object.entries(node).map(([k, val]) => [k, k === "$ref" && typeof val === "string" && val.startsWith("#") ? `${this.docId}${val}` : rewrite(val)]),
        );
      };
      v = this.ajv.compile(rewrite(schema) as object);
      this.cache.set(key, v);
    }
    return v;
  }

  /** Top-level property names the schema at `pointer` declares (following $ref/allOf), or undefined if open. */
  declaredProperties(pointer: string): Set<string> | undefined {
    const names = new Set<string>();
    let open = false;
    const visit = (node: Json | undefined, depth: number): void => {
      if (!isObject(node) || depth > 10) return;
      if (typeof node.$ref === "string") return visit(this.at(node.$ref.slice(1)), depth + 1);
      if (isObject(node.properties)) for (const k of Object.keys(node.properties)) names.add(k);
      else if (!Array.isArray(node.allOf) && !Array.isArray(node.oneOf) && !Array.isArray(node.anyOf)) open = true;
      for (const k of ["allOf", "oneOf", "anyOf"]) {
        const list = node[k];
        if (Array.isArray(list)) list.forEach((s) => visit(s, depth + 1));
      }
    };
    visit(this.at(pointer), 0);
    return open ? undefined : names;
  }
}

/** Turns ajv errors into vendor-neutral issues; the flavor decides the wording. */
export function toIssues(errors: readonly ErrorObject[] | null | undefined, where: RequestIssue["in"]): RequestIssue[] {
  const issues: RequestIssue[] = [];
  for (const e of errors ?? []) {
    // anyOf/oneOf wrappers repeat the branch errors; keep the concrete ones.
    if (e.keyword === "anyOf" || e.keyword === "oneOf" || e.keyword === "if") continue;
    const base = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    if (e.keyword === "required") base.push(String((e.params as { missingProperty: string }).missingProperty));
    if (e.keyword === "additionalProperties") {
      base.push(String((e.params as { additionalProperty: string }).additionalProperty));
      issues.push({ in: where, field: base.join("."), keyword: "unknown", message: "is not allowed" });
      continue;
    }
    const params = e.params as { type?: string | string[]; allowedValues?: unknown[] };
    const expected =
      e.keyword === "type"
        ? (Array.isArray(params.type) ? params.type.filter((t) => t !== "null")[0] : params.type)
        : e.keyword === "enum"
          ? params.allowedValues
          : undefined;
    issues.push({ in: where, field: base.join("."), keyword: e.keyword, expected, message: e.message ?? "is invalid" });
  }
  // One entry per field and keyword is enough for clients.
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.in}|${i.field}|${i.keyword}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
