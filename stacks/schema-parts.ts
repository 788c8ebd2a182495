/**
 * Zod building blocks for the stack config schema. Each carries its "expected …" phrase as the zod error,
 * so the formatter in config.ts can print `<path>: expected <phrase>, got <found>` for any of them.
 */
import { z } from "zod";
import { HOSTNAME_PHRASE, isHostname, isPinnedImage, isSchedule, PINNED_IMAGE_PHRASE, SCHEDULE_PHRASE } from "../components/rules";

export const expected = (what: string) => ({ error: `expected ${what}` });

/** An integer in [min, max]; the phrase names the bounds so the reader knows what would be accepted. */
export function int(min: number, max?: number) {
  const what = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  const s = z.number(expected(what)).int(expected(what)).min(min, expected(what));
  return max === undefined ? s : s.max(max, expected(what));
}

export function text(what: string, pattern?: RegExp) {
  const s = z.string(expected(what)).min(1, expected(what));
  return pattern ? s.regex(pattern, expected(what)) : s;
}

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

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const envName = () => text("an environment variable name (letters, digits, _; not starting with a digit)", ENV_NAME);

export function envMap(what: string) {
  // YAML turns `PORT: 3000` into a number; env values are strings on every platform, so coerce scalars.
  const value = z.union([z.string(), z.number(), z.boolean()], expected("a string, number or boolean")).transform(String);
  return z.record(z.string(), value, {
    error: (issue) => (issue.code === "invalid_key" ? `expected ${what}` : "expected a map of NAME: value"),
  }).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      if (!ENV_NAME.test(key)) ctx.addIssue({ code: "custom", path: [key], message: `expected ${what}`, input: key });
    }
  });
}

export { isHostname };

export const hostname = () =>
  z.string(expected("a host name like app.example.com")).superRefine((v, ctx) => {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
    if (scheme) {
      ctx.addIssue({ code: "custom", input: v, message: `expected a bare host name without "${scheme[1]}://" (slipway always serves https)` });
    } else if (!isHostname(v)) {
      ctx.addIssue({ code: "custom", input: v, message: `expected ${HOSTNAME_PHRASE}` });
    }
  });

/** A backup schedule, by the one rule components/rules.ts holds (what Coolify's validate_cron_expression accepts). */
export const isCron = isSchedule;
export const cron = () => text(SCHEDULE_PHRASE).refine(isSchedule, expected(SCHEDULE_PHRASE));

/** An image reference pinned by digest, by the one rule components/rules.ts holds. */
export const pinnedImage = () => text(PINNED_IMAGE_PHRASE).refine(isPinnedImage, expected(PINNED_IMAGE_PHRASE));

export const absPath = () => text("an absolute path like /data", /^\/[^\s]*$/);
export const port = () => int(1, 65535);
