/**
 * `defineProvider`: what turns a platform's typed create/read/update/delete into a dynamic provider the
 * Node.js dynamic-provider host (@pulumi/pulumi 3.270 cmd/dynamic-provider) can run. Every provider goes through
 * it, so these hold for all of them:
 *
 * - `check` validates with the provider's zod schema (check.ts); create and update get the PARSED inputs. A
 *   provider whose inputs depend on its old state rewrites them in `rewrite`, once the schema passed.
 * - `diff` answers the engine one way (diff.ts `forEngine`).
 * - Results are stripped of `undefined` members: the host encodes them with `Struct.fromJavaScript`, which throws
 *   "Unexpected struct type." on `undefined` (an optional field left out).
 * - A deleted resource is reported one way: the definition's `read` returns `undefined`, the engine gets `{}`
 *   (an empty id, which it takes as "gone").
 * - `read` reports the refreshed values as the resource's inputs too (the schema's keys of the refreshed state),
 *   so after a refresh that found drift the engine's input diff sees it and the next `up` puts the declared
 *   values back.
 * - Errors name the resource: `CoolifyApplication web: Coolify POST /applications/dockerimage: 422 …`.
 * - `findOwn` (what `slipway recover` asks about a create the engine lost) gets the parsed inputs too.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { checkInputs, containsUnknown, parseInputs, type CheckFailure } from "./check";
import { forEngine, type FieldDiffResult } from "./diff";

export interface ProviderDefinition<I extends object, O extends I> {
  /** The resource type as messages name it: `CoolifyApplication`, `FlyVolume`. */
  resource: string;
  /** The inputs' one schema: `check` uses it, and create and update act on what it parsed. */
  schema: z.ZodObject;
  /** What messages call one resource besides its type, from its inputs (e.g. its name). @default its id */
  nameOf?: (inputs: I) => string;
  /**
   * Rules that compare new inputs with the old ones (a volume never shrinks); run once the schema passed. `olds` are
   * the old INPUTS the engine passes to check (empty on a first create), never outputs.
   */
  checkChange?: (olds: Partial<I>, news: I) => CheckFailure[];
  /**
   * The inputs `check` hands the engine instead of the declared ones, or failures: for a resource whose inputs
   * depend on its old state (a plain `pulumi up` keeps the released image, release.provider.ts). Runs once the
   * schema passed, in previews too, and sees values the engine does not know yet as `UNKNOWN`. Keys the schema
   * does not list (the dynamic-provider host's `__provider`) are kept; undefined members are dropped.
   * @default the declared inputs, unchanged
   */
  rewrite?: (olds: Partial<O>, news: I) => I | { failures: CheckFailure[] };
  /**
   * This stack's own resource, found by its ownership mark (components/mark.ts), or undefined: what
   * `slipway recover` asks after a killed engine left a create pending. Gets the parsed inputs.
   * @default not offered (recover then reports the operation for a person to resolve)
   */
  findOwn?: (inputs: I) => Promise<{ id: string; description: string } | undefined>;
  diff: (olds: O, news: I) => FieldDiffResult;
  create: (inputs: I) => Promise<{ id: string; outs: O }>;
  /** The resource as it is now, or `undefined` when it no longer exists. */
  read: (id: string, props: O) => Promise<O | undefined>;
  /** @default outputs kept, inputs replaced (for resources whose only in-place change is the token) */
  update?: (id: string, olds: O, news: I) => Promise<O>;
  delete: (id: string, props: O) => Promise<void>;
}

/**
 * What `defineProvider` returns: a dynamic provider whose every method exists and whose results are typed, so
 * callers (the loader, tests) need no casts.
 */
export interface TypedProvider<I extends object, O extends I> extends pulumi.dynamic.ResourceProvider<I, O> {
  /** `olds` is empty on a first create; `news` is what the program declared, not yet validated. */
  check(olds: Partial<O> | undefined, news: unknown): Promise<pulumi.dynamic.CheckResult<I>>;
  /** A diff compares input fields only, so any old state with the inputs will do. */
  diff(id: string, olds: I, news: I): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: I): Promise<{ id: string; outs: O }>;
  /** `{}` when the resource no longer exists; `inputs` holds only the input keys (typed `O` by Pulumi's SDK). */
  read(id: string, props?: O): Promise<pulumi.dynamic.ReadResult<O>>;
  update(id: string, olds: O, news: I): Promise<{ outs: O }>;
  delete(id: string, props: O): Promise<void>;
  /** Present when the definition has `findOwn`; takes inputs as a state holds them (validated here). */
  findOwn?(inputs: unknown): Promise<{ id: string; description: string } | undefined>;
}

/** Deep copy without undefined members (arrays keep their length: undefined items become null). */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : withoutUndefined(v))) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withoutUndefined(v)]),
    ) as T;
  }
  return value;
}

/** Prefixes an error's message with the resource it concerns, keeping its class (callers test `instanceof`). */
export function nameError(label: string, resource: string, error: unknown): unknown {
  if (error instanceof Error && !error.message.startsWith(resource)) error.message = `${label}: ${error.message}`;
  return error;
}

export function defineProvider<I extends object, O extends I>(def: ProviderDefinition<I, O>): TypedProvider<I, O> {
  const inputKeys = Object.keys(def.schema.shape);
  const parse = (value: unknown): I => parseInputs(def.resource, def.schema, value) as I;
  const label = (id: string | undefined, inputs?: I): string => {
    const name = inputs && def.nameOf ? def.nameOf(inputs) : id;
    return name ? `${def.resource} ${name}` : def.resource;
  };
  const named = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw nameError(what, def.resource, error);
    }
  };
  const stateOf = (id: string, props: O | undefined): O => {
    if (!props) throw new Error(`${def.resource} ${id}: the engine passed no state (its connection is in there)`);
    return props;
  };

  const rewrite = (olds: Partial<O>, news: I): pulumi.dynamic.CheckResult<I> => {
    if (!def.rewrite) return { inputs: news };
    // Not parsed: a value the engine does not know yet passed `checkInputs` as UNKNOWN and would not parse.
    const result = def.rewrite(olds, news);
    if ("failures" in result) return { failures: result.failures };
    const extra = Object.fromEntries(Object.entries(news).filter(([k]) => !inputKeys.includes(k)));
    return { inputs: { ...extra, ...withoutUndefined(result) } as I };
  };

  return {
    check: async (olds, news) => {
      const checked = checkInputs(def.schema, news as I);
      if (checked.failures) return checked;
      if (def.checkChange && !containsUnknown(news)) {
        const failures = def.checkChange(olds ?? {}, news as I);
        if (failures.length > 0) return { failures };
      }
      return rewrite(olds ?? {}, news as I);
    },
    diff: async (_id, olds, news) => forEngine(def.diff(olds as O, news)),
    create: async (raw) => {
      const inputs = parse(raw);
      return named(label(undefined, inputs), async () => {
        const { id, outs } = await def.create(inputs);
        return { id, outs: withoutUndefined(outs) };
      });
    },
    read: async (id, props) =>
      named(label(id), async () => {
        const current = await def.read(id, stateOf(id, props));
        if (current === undefined) return {};
        const state = withoutUndefined(current);
        const inputs = Object.fromEntries(Object.entries(state).filter(([k]) => inputKeys.includes(k))) as O;
        return { id, props: state, inputs };
      }),
    update: async (id, olds, raw) => {
      const news = parse(raw);
      return named(label(id, news), async () => {
        const outs = def.update ? await def.update(id, olds, news) : ({ ...olds, ...news } as O);
        return { outs: withoutUndefined(outs) };
      });
    },
    delete: async (id, props) => named(label(id), () => def.delete(id, stateOf(id, props))),
    ...(def.findOwn ? { findOwn: async (inputs: unknown) => (def.findOwn as NonNullable<typeof def.findOwn>)(parse(inputs)) } : {}),
  };
}
