import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/**
 * What the dynamic-provider host puts where a value is not known yet (a preview before the resource it comes
 * from exists). Same constant as @pulumi/pulumi's runtime/rpc `unknownValue`, repeated here because provider
 * modules must not import the runtime.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * `check` for every Fly provider: validate inputs with the provider's zod schema, reporting each bad field
 * without echoing its value. Inputs with unknowns (preview) cannot be judged yet and pass through; they are
 * checked again once known, before create/update.
 */
export function checkInputs(schema: z.ZodType, news: Record<string, unknown>): pulumi.dynamic.CheckResult {
  if (containsUnknown(news)) return { inputs: news };
  const result = schema.safeParse(news);
  if (result.success) return { inputs: news };
  return {
    failures: result.error.issues.map((issue) => ({
      property: issue.path.map(String).join("."),
      reason: issue.message,
    })),
  };
}
