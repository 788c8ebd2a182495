import { describe, expect, it } from "vitest";
import { FaultBook, parseFaultRule } from "./faults";

describe("FaultBook", () => {
  it("a rule with `after` stays dormant until that call was received, then fails the next matching calls", () => {
    const book = new FaultBook();
    book.add(parseFaultRule({ method: "get", path: "/applications", times: 2, fault: { kind: "status", status: 500 }, after: { method: "post", path: "/applications/dockerimage" } }));
    expect(book.take("GET", "/applications", "/applications")).toBeUndefined();
    expect(book.take("POST", "/applications/dockerimage", "/applications/dockerimage")).toBeUndefined();
    expect(book.take("GET", "/applications", "/applications")).toEqual({ kind: "status", status: 500 });
    expect(book.take("GET", "/applications", "/applications")).toEqual({ kind: "status", status: 500 });
    expect(book.take("GET", "/applications", "/applications")).toBeUndefined();
    expect(book.pending()).toEqual([]);
  });

  it("refuses a malformed `after`", () => {
    expect(() => parseFaultRule({ method: "GET", path: "/x", fault: { kind: "status", status: 500 }, after: { method: "POST" } })).toThrow(
      "fault rule after needs method and path strings",
    );
  });
});
