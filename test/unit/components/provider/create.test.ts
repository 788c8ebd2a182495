import { describe, expect, it } from "vitest";
import { ApiError, createOnce, isAmbiguousFailure, retryAmbiguous } from "../../../../components/provider";

const apiError = (status: number) => new ApiError(`POST /things: ${status}`, status);

describe("ambiguous failures", () => {
  it("are timeouts, gateway errors and anything thrown on the way; not refusals, 429 or 503", () => {
    for (const status of [408, 500, 502, 504]) expect(isAmbiguousFailure(apiError(status))).toBe(true);
    for (const status of [400, 404, 409, 422, 429, 503]) expect(isAmbiguousFailure(apiError(status))).toBe(false);
    expect(isAmbiguousFailure(new TypeError("fetch failed"))).toBe(true);
    expect(isAmbiguousFailure("not an error")).toBe(false);
  });
});

describe("createOnce", () => {
  it("adopts what an ambiguous create made, ignoring what matched before it", async () => {
    const existing = ["old"];
    let posts = 0;
    const made = await createOnce({
      what: "Thing web",
      findExisting: async () => existing,
      key: (uuid) => uuid,
      attempt: async () => {
        posts++;
        existing.push("new"); // the server did it...
        throw apiError(502); // ...but the reply was lost
      },
    });
    expect(made).toBe("new");
    expect(posts).toBe(1);
  });

  it("tries again when the failed attempt made nothing, and stops at the bound with the last error", async () => {
    let posts = 0;
    const made = await createOnce({
      what: "Thing web",
      findExisting: async () => [],
      key: (uuid: string) => uuid,
      backoffMs: 1,
      attempt: async () => (++posts === 1 ? Promise.reject(apiError(500)) : "made"),
    });
    expect([made, posts]).toEqual(["made", 2]);

    posts = 0;
    await expect(
      createOnce({ what: "Thing web", findExisting: async () => [], key: (u: string) => u, attempts: 3, backoffMs: 1, attempt: async () => {
        posts++;
        throw apiError(504);
      } }),
    ).rejects.toThrow("POST /things: 504");
    expect(posts).toBe(3);
  });

  it("does not retry a refusal, and reports twins instead of picking one", async () => {
    let posts = 0;
    await expect(
      createOnce({ what: "Thing web", findExisting: async () => [], key: (u: string) => u, attempt: async () => {
        posts++;
        throw apiError(422);
      } }),
    ).rejects.toThrow("POST /things: 422");
    expect(posts).toBe(1);

    const found: string[] = [];
    await expect(
      createOnce({ what: "Thing web", findExisting: async () => found, key: (u) => u, attempt: async () => {
        found.push("a", "b");
        throw apiError(502);
      } }),
    ).rejects.toThrow("Thing web exists 2 times after a retried create: a, b");
  });

  it("calls findExisting only after a failure when told no baseline is needed", async () => {
    let lookups = 0;
    const made = await createOnce({
      what: "Machine m",
      findExisting: async () => (lookups++, ["m1"]),
      key: (id) => id,
      baseline: false,
      attempt: async () => Promise.reject(new TypeError("socket hang up")),
    });
    expect([made, lookups]).toEqual(["m1", 1]);
  });

  it("retryAmbiguous repeats an idempotent call through ambiguous failures only", async () => {
    let calls = 0;
    expect(await retryAmbiguous("set", async () => (++calls < 3 ? Promise.reject(apiError(502)) : calls), 4)).toBe(3);
    await expect(retryAmbiguous("set", async () => Promise.reject(apiError(400)))).rejects.toThrow("400");
  });
});
