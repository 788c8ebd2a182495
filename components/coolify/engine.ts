/**
 * Adapts a provider's results to what the Node.js dynamic-provider host (@pulumi/pulumi 3.270,
 * cmd/dynamic-provider) can carry to the engine:
 *
 * - Results go through `Struct.fromJavaScript`, which throws "Unexpected struct type." on `undefined`
 *   (an optional field left out), so every result is stripped of undefined members.
 * - `diff`: the host forwards only `changes`, `replaces` and `deleteBeforeReplace`, not `detailedDiff`. When
 *   something changed, the provider therefore answers "unknown": the engine then diffs the old and new
 *   inputs itself and reports the changed keys and a key-level detailed diff (`env.LOG_LEVEL`), while the
 *   provider's `replaces` still decide replacement (pkg/resource/deploy diffResource). When nothing changed
 *   by the provider's rules it answers "none", which is how a rotated token stays a non-change.
 * - `read`: returns the refreshed values as the resource's inputs too, so after a refresh that found drift
 *   the engine's input diff sees it and the next `up` puts the declared values back.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FieldDiffResult } from "./diff";

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

/** The engine-facing diff: "unknown" (let the engine diff the inputs) when changed, "none" otherwise. */
export function forEngine(result: FieldDiffResult): pulumi.dynamic.DiffResult & { detailedDiff: FieldDiffResult["detailedDiff"] } {
  return {
    changes: result.changes ? undefined : false,
    replaces: result.replaces,
    deleteBeforeReplace: result.deleteBeforeReplace,
    detailedDiff: result.detailedDiff,
  };
}

/**
 * Wraps provider functions written against the typed shapes; `outputOnly` lists the state keys that are
 * not inputs (they are left out of the inputs `read` reports).
 */
export function engineProvider<I extends object, O extends I>(
  impl: {
    check: (olds: I, news: I) => Promise<pulumi.dynamic.CheckResult<I>>;
    diff: (id: string, olds: O, news: I) => FieldDiffResult;
    create: (inputs: I) => Promise<pulumi.dynamic.CreateResult<O>>;
    read: (id: string, props?: O) => Promise<pulumi.dynamic.ReadResult<O>>;
    update: (id: string, olds: O, news: I) => Promise<pulumi.dynamic.UpdateResult<O>>;
    delete: (id: string, props: O) => Promise<void>;
  },
  outputOnly: readonly string[],
): pulumi.dynamic.ResourceProvider<I, O> {
  return {
    check: impl.check,
    diff: async (id, olds, news) => forEngine(impl.diff(id, olds, news)),
    create: async (inputs) => {
      const result = await impl.create(inputs);
      return { id: result.id, outs: withoutUndefined(result.outs) };
    },
    read: async (id, props) => {
      const result = await impl.read(id, props);
      if (!result.props) return {};
      const props2 = withoutUndefined(result.props);
      const inputs = Object.fromEntries(Object.entries(props2).filter(([k]) => !outputOnly.includes(k))) as O;
      return { id: result.id, props: props2, inputs };
    },
    update: async (id, olds, news) => ({ outs: withoutUndefined((await impl.update(id, olds, news)).outs) }),
    delete: impl.delete,
  };
}
