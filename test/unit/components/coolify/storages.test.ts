import { describe, expect, it } from "vitest";
import { planStorages, volumeName, volumesFromApi } from "../../../../components/coolify/storages";

const s = (uuid: string, name: string, mount_path: string) => ({ uuid, name, mount_path });

describe("volume planning", () => {
  it("names volumes after the application so stacks sharing a server never share one", () => {
    expect(volumeName("app1", "media")).toBe("app1-media");
  });

  it("creates missing volumes and moves changed mount paths", () => {
    const plan = planStorages("app1", [s("v1", "app1-media", "/data")], [
      { name: "media", mountPath: "/app/media" },
      { name: "cache", mountPath: "/cache" },
    ], ["media"]);
    expect(plan).toEqual({
      create: [{ name: "cache", mountPath: "/cache" }],
      update: [{ uuid: "v1", name: "media", mountPath: "/app/media" }],
      remove: [],
    });
  });

  it("removes only managed volumes that were dropped, never foreign ones", () => {
    const plan = planStorages("app1", [s("v1", "app1-media", "/m"), s("v2", "app1-old", "/o"), s("v3", "hand-made", "/h")], [
      { name: "media", mountPath: "/m" },
    ], ["media", "old"]);
    expect(plan).toEqual({ create: [], update: [], remove: [{ uuid: "v2", name: "old" }] });
  });

  it("reads back the application's own volumes without the prefix", () => {
    expect(volumesFromApi("app1", [s("v1", "app1-media", "/m"), s("v3", "hand-made", "/h"), s("v2", "app1-cache", "/c")])).toEqual([
      { name: "cache", mountPath: "/c" },
      { name: "media", mountPath: "/m" },
    ]);
  });

  it("recognises a volume an earlier slipway named twice (<uuid>-<uuid>-<name>) instead of creating a second one", () => {
    const current = [s("v1", "app1-app1-media", "/m")];
    expect(planStorages("app1", current, [{ name: "media", mountPath: "/m" }], ["media"])).toEqual({ create: [], update: [], remove: [] });
    expect(volumesFromApi("app1", current)).toEqual([{ name: "media", mountPath: "/m" }]);
  });
});
