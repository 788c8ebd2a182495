import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** What a generated password resource stores. `result` is listed in additionalSecretOutputs by the resource. */
export interface GeneratedPasswordState {
  length: number;
  /** Bumping it regenerates the password (rotation). */
  keepers: Record<string, string>;
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

function sameKeepers(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  return JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
}

/**
 * Generates a password once and keeps it: the value only changes when `length` or `keepers` change, and then
 * by replacement, so dependants see a new value in one update. `read` returns the state as is: the value
 * exists nowhere else to drift from.
 */
export const generatedPasswordProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { length: number; keepers?: Record<string, string> }) {
    const outs: GeneratedPasswordState = { length: inputs.length, keepers: inputs.keepers ?? {}, result: generatePassword(inputs.length) };
    return { id: randomBytes(8).toString("hex"), outs };
  },
  async diff(_id, olds: GeneratedPasswordState, news: { length: number; keepers?: Record<string, string> }) {
    const replaces: string[] = [];
    if (olds.length !== news.length) replaces.push("length");
    if (!sameKeepers(olds.keepers, news.keepers)) replaces.push("keepers");
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
  async read(id, props: GeneratedPasswordState) {
    return { id, props };
  },
};
