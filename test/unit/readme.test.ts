import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const read = (f: string) => readFileSync(path.join(root, f), "utf8");

// The README is what a newcomer trusts first: the stack files it shows and the commands it gives must be the
// ones in the repository.
describe("README", () => {
  const readme = read("README.md");

  it.each(["Pulumi.staging.yaml", "Pulumi.production.yaml", "Pulumi.pr.yaml"])("shows %s exactly as committed", (file) => {
    expect(readme).toContain("```yaml\n" + read(file).trimEnd() + "\n```");
  });

  it("gives the two commands, and package.json has the scripts they run", () => {
    expect(readme).toContain("npm install && npm run sandbox");
    expect(readme).toContain("npm install && npm test");
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.sandbox).toContain("scripts/sandbox.ts");
    expect(scripts.test).toBe("vitest run");
    expect(scripts.pretest).toContain("bootstrap-engine.sh");
  });

  it("links the generated config reference", () => {
    expect(readme).toContain("[docs/CONFIG.md](docs/CONFIG.md)");
  });

  it("is what CI runs", () => {
    expect(read(".ci/run")).toMatch(/^npm test/m);
  });
});
