/**
 * Every dynamic resource's `__provider` is written from components/provider/loader-text.ts instead of by Pulumi's
 * closure serializer, so the program never loads typescript. Existing states hold what @pulumi/pulumi's
 * dynamic.Resource wrote in a tsx-run program; this holds the template to that, byte for byte, for every key.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { REGISTRY_MODULE } from "../../../../components/dynamic";
import { loaderText } from "../../../../components/provider/loader-text";
import { PROVIDERS } from "../../../../components/provider/registry";
import { ROOT } from "../../stacks/fixtures";

describe("components/provider/loader-text.ts", () => {
  it("is what the SDK's dynamic.Resource writes for providerFor(key) in a tsx-run program, for every key", () => {
    const keys = Object.keys(PROVIDERS);
    // Under tsx, as the program ran when those states were written (vitest's own transform would differ).
    const out = execFileSync(process.execPath, ["--import=tsx", path.join(ROOT, "scripts/gen-loader-text.ts"), "--print", ...keys], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const sdk = JSON.parse(out) as string[];
    expect(sdk).toHaveLength(keys.length);
    keys.forEach((key, i) => {
      expect(sdk[i]).toContain(JSON.stringify(key));
      // When this fails the loader in components/dynamic.ts changed: run `npm run gen:loader` — and remember that
      // every existing resource's state holds the old text.
      expect(loaderText(REGISTRY_MODULE, key)).toBe(sdk[i]);
    });
  }, 180_000);
});
