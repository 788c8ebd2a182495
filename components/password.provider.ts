import { randomBytes } from "node:crypto";
import { z } from "zod";
import { defineProvider, diffFields } from "./provider";
import { int } from "./rules";

/**
 * The one rule for a generated password's length, used by the resource's args, `CoolifyDatabase`'s
 * `passwordLength` and this provider's check; 32 when none is given.
 */
export const PASSWORD_LENGTH = { min: 16, max: 128, default: 32 } as const;
export const passwordLengthSchema = int(PASSWORD_LENGTH.min, PASSWORD_LENGTH.max);

export const generatedPasswordInputsSchema = z.object({
  length: passwordLengthSchema,
  /** Bumping it regenerates the password (rotation). */
  keepers: z.record(z.string(), z.string()).default({}),
});
export type GeneratedPasswordInputs = z.output<typeof generatedPasswordInputsSchema>;

/** What a generated password resource stores. `result` is listed in additionalSecretOutputs by the resource. */
export interface GeneratedPasswordState extends GeneratedPasswordInputs {
  result: string;
}

// Letters and digits only: the value goes into URLs (DATABASE_URL) and shell-free env files unescaped.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A uniformly random string over ALPHABET (rejection sampling: no modulo bias). */
export function generatePassword(length: number): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

/**
 * Generates a password once and keeps it: the value only changes when `length` or `keepers` change, and then
 * by replacement, so dependants see a new value in one update. `read` returns the state as is: the value
 * exists nowhere else to drift from.
 */
export const generatedPasswordProvider = defineProvider<GeneratedPasswordInputs, GeneratedPasswordState>({
  resource: "GeneratedPassword",
  schema: generatedPasswordInputsSchema,
  // No keepers and empty keepers are the same: a state written without them must not regenerate the password.
  diff: (olds, news) =>
    diffFields({ ...olds, keepers: olds.keepers ?? {} }, { ...news, keepers: news.keepers ?? {} }, {
      length: { kind: "replace" },
      keepers: { kind: "replace" },
    }),
  async create(inputs) {
    return { id: randomBytes(8).toString("hex"), outs: { ...inputs, result: generatePassword(inputs.length) } };
  },
  read: async (_id, props) => props,
  delete: async () => undefined,
});
