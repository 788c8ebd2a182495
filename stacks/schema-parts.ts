/**
 * Zod building blocks for the stack config schema. Each carries its "expected …" phrase as the zod error,
 * so the formatter in config.ts can print `<path>: expected <phrase>, got <found>` for any of them.
 */
import { z } from "zod";
import {
  ENV_NAME, envNameSchema, expected, hostnameSchema, isHostname, isSchedule, mountPathSchema, pinnedImageSchema, portSchema, scheduleSchema,
} from "../components/rules";

// The builders and every value rule are components/rules.ts's, shared with the components and the providers.
export { expected, int, text } from "../components/rules";

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, expected(`one of ${values.map((v) => JSON.stringify(v)).join(", ")}`));
}

export const bool = () => z.boolean(expected("true or false"));

/**
 * A strict object: unknown keys are mistakes (a typo like `minRuning` must not silently fall back to a
 * default). The message carries the allowed keys; the formatter prints one line per unknown key.
 */
export function obj<S extends z.ZodRawShape>(shape: S) {
  const keys = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? keys : "expected an object (a YAML map)"),
  });
}

export function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, expected(`a list of ${what}`));
}

export { ENV_NAME };
export const envName = () => envNameSchema;

export function envMap(what: string, key: z.ZodType<string> = envNameSchema) {
  // YAML turns `PORT: 3000` into a number; env values are strings on every platform, so coerce scalars.
  const value = z.union([z.string(), z.number(), z.boolean()], expected("a string, number or boolean")).transform(String);
  return z.record(z.string(), value, {
    error: (issue) => (issue.code === "invalid_key" ? `expected ${what}` : "expected a map of NAME: value"),
  }).superRefine((map, ctx) => {
    for (const name of Object.keys(map)) {
      if (!key.safeParse(name).success) ctx.addIssue({ code: "custom", path: [name], message: `expected ${what}`, input: name });
    }
  });
}

export { isHostname };

export const hostname = () => hostnameSchema;

/** A backup schedule, by the one rule components/rules.ts holds (what Coolify's validate_cron_expression accepts). */
export const isCron = isSchedule;
export const cron = () => scheduleSchema;

/** An image reference pinned by digest, by the one rule components/rules.ts holds. */
export const pinnedImage = () => pinnedImageSchema;

export const absPath = () => mountPathSchema;
export const port = () => portSchema;
