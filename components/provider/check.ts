/**
 * Input checks shared by every dynamic provider: the provider's zod schema decides, the engine's preview
 * placeholders are left for later, and a failure names the property without echoing its value.
 */
import type { z } from "zod";

/**
 * What the dynamic-provider host puts where a value is not known yet (a preview before the resource it comes
 * from exists). The same constant as @pulumi/pulumi 3.270 runtime/rpc.ts `unknownValue`, repeated here because
 * provider modules must not import the runtime.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** One check failure, as the engine prints it: `property <property> … has a problem: <reason>`. */
export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckOutcome<T> {
  inputs?: T;
  failures?: CheckFailure[];
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path) at = (at as Record<PropertyKey, unknown> | null | undefined)?.[key];
  return at;
}

/**
 * A provider's `check`: every invalid property becomes a failure. A property that is not known yet (or sits in
 * a top-level value that is not) is skipped: it is checked again once known, before create or update.
 *
 * The failure's `property` is the full dotted path (`values.bad-name`): the engine prints the input found at
 * exactly that key (pkg/resource/deploy/step_generator.go issueCheckFailures), so for a nested path it prints
 * nothing and a secret map is never echoed; the top-level key of a plain field is printed as usual.
 */
export function checkInputs<T>(schema: z.ZodType, news: T): CheckOutcome<T> {
  const result = schema.safeParse(news);
  if (result.success) return { inputs: news };
  const failures = result.error.issues
    .filter((issue) => {
      const top = issue.path.length > 0 ? valueAt(news, issue.path.slice(0, 1)) : news;
      return !containsUnknown(valueAt(news, issue.path)) && !containsUnknown(top);
    })
    .map((issue) => ({ property: issue.path.map(String).join("."), reason: issue.message }));
  return failures.length === 0 ? { inputs: news } : { failures };
}

/**
 * Parses engine-provided inputs before a provider acts on them (check may have let unknowns through, and state
 * written by an older slipway reaches update and delete unchecked). One message names the resource and every
 * bad path: `CoolifyApplication: invalid inputs: name: …; deploy: …`.
 */
export function parseInputs<S extends z.ZodType>(resource: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
  throw new Error(`${resource}: invalid inputs: ${problems}`);
}
