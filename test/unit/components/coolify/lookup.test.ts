import { describe, expect, it } from "vitest";
import { namedInEnvironment } from "../../../../components/coolify/lookup";

describe("finding what a create made", () => {
  it("matches by name inside the environment, tolerating lists that do not say", () => {
    const items = [
      { uuid: "a", name: "web", environment_id: 1 },
      { uuid: "b", name: "web", environment_id: 2 },
      { uuid: "c", name: "web", environment_id: null },
      { uuid: "d", name: "api", environment_id: 1 },
    ];
    expect(namedInEnvironment(items, "web", 1)).toEqual(["a", "c"]);
    expect(namedInEnvironment(items, "web", undefined)).toEqual(["a", "b", "c"]);
  });
});
