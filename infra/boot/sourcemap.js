// @ts-check
"use strict";
/**
 * Drops the mappings of bundled third-party code (zod, ky, …) from a source map, keeping slipway's own.
 *
 * Why: source-map-support, which @pulumi/pulumi installs, parses a bundle's whole map the first time a stack
 * trace passes through the bundle — and the SDK takes a full stack trace for every resource it registers and
 * every promise it tracks. zod's mappings are five sixths of the map and made that first parse cost half a
 * second; its frames never point at a file anyone edits (under tsx they were unmapped .cjs lines too).
 *
 * The format (Source Map v3): `mappings` is one group per generated line (`;`), segments separated by `,`,
 * each 1, 4 or 5 base64-VLQ fields — generated column (relative within the line), source index, original line,
 * original column, name index (relative to the previous segment across lines).
 *
 * It also decodes a map once, at build time, into the frame index the program maps its stack frames from
 * (decodeMappings, frameIndexOf; ./traces.js mapBundleFrames says why).
 */
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** @param {number[]} fields */
function encodeSegment(fields) {
  let s = "";
  for (const f of fields) {
    let v = f < 0 ? (-f << 1) | 1 : f << 1;
    do {
      let d = v & 31;
      v >>>= 5;
      if (v > 0) d |= 32;
      s += B64[d];
    } while (v > 0);
  }
  return s;
}

/**
 * @param {string} text a source map (JSON)
 * @param {(source: string) => boolean} keep whether a source's mappings stay
 * @returns {string} the map with only the kept sources and their mappings
 */
function filterSourceMap(text, keep) {
  const map = JSON.parse(text);
  /** @type {string[]} */
  const sources = map.sources;
  /** @type {Map<number, number>} */
  const index = new Map();
  /** @type {string[]} */
  const kept = [];
  sources.forEach((s, i) => {
    if (keep(s)) {
      index.set(i, kept.length);
      kept.push(s);
    }
  });
  // The last *emitted* source/line/column/name, which the kept segments are encoded relative to.
  let pSrc = 0;
  let pLine = 0;
  let pCol = 0;
  let pName = 0;
  const lines = decodeMappings(String(map.mappings)).map((segments) => {
    let prevCol = 0;
    let unmapped = false; // the last emitted segment of this line maps nothing
    const out = [];
    for (let i = 0; i < segments.length; i += 5) {
      const [col = 0, src0 = -1, line0 = 0, col0 = 0, name0 = -1] = segments.slice(i, i + 5);
      const src = index.get(src0);
      if (src === undefined) {
        // A dropped run becomes one source-less segment, so a position inside it maps to nothing instead of
        // to the kept segment before it.
        if (unmapped) continue;
        out.push(encodeSegment([col - prevCol]));
        prevCol = col;
        unmapped = true;
        continue;
      }
      const fields = [col - prevCol, src - pSrc, line0 - pLine, col0 - pCol];
      prevCol = col;
      unmapped = false;
      pSrc = src;
      pLine = line0;
      pCol = col0;
      if (name0 >= 0) {
        fields.push(name0 - pName);
        pName = name0;
      }
      out.push(encodeSegment(fields));
    }
    return out.join(",");
  });
  return JSON.stringify({ ...map, sources: kept, mappings: lines.join(";") });
}

/** Base64 digit values by char code (-1: not a digit), for decodeMappings' hot loop. */
const DIGIT_BY_CODE = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/**
 * Every segment of a map's `mappings`, absolute, one flat array per generated line: five numbers per segment —
 * generated column, source index, original line, original column (all 0-based), name index — with source -1
 * for a segment that maps nothing and name -1 for none. Segments stay in the order the map lists them (a
 * generated line's columns ascending, as esbuild writes them).
 * @param {string} mappings
 * @returns {number[][]}
 */
function decodeMappings(mappings) {
  /** @type {number[][]} */
  const lines = [];
  /** @type {number[]} */
  let line = [];
  /** @type {number[]} */
  const fields = [];
  let value = 0;
  let shift = 0;
  let gen = 0;
  let src = 0;
  let orig = 0;
  let col = 0;
  let name = 0;
  const flush = () => {
    if (fields.length === 0) return;
    gen += fields[0] ?? 0;
    if (fields.length < 4) {
      line.push(gen, -1, 0, 0, -1);
    } else {
      src += fields[1] ?? 0;
      orig += fields[2] ?? 0;
      col += fields[3] ?? 0;
      if (fields.length > 4) name += fields[4] ?? 0;
      line.push(gen, src, orig, col, fields.length > 4 ? name : -1);
    }
    fields.length = 0;
  };
  for (let i = 0; i < mappings.length; i++) {
    const code = mappings.charCodeAt(i);
    if (code === 59 /* ; */) {
      flush();
      lines.push(line);
      line = [];
      gen = 0;
      continue;
    }
    if (code === 44 /* , */) {
      flush();
      continue;
    }
    const d = code < 128 ? (DIGIT_BY_CODE[code] ?? -1) : -1;
    if (d < 0) throw new Error(`invalid base64 VLQ digit ${JSON.stringify(mappings[i])}`);
    value += (d & 31) << shift;
    if (d & 32) {
      shift += 5;
    } else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  flush();
  lines.push(line);
  return lines;
}

/**
 * @typedef {object} FrameIndex  a source map decoded once, for mapping stack frames without parsing it again
 * @property {string[]} sources  as the map lists them (relative to the map's directory)
 * @property {string[]} names
 * @property {number[][]} lines  per generated line, five numbers per segment (see decodeMappings)
 */

/** Where ./bundle.js writes a bundle's frame index (./traces.js reads it). */
const frameIndexFileOf = (/** @type {string} */ bundle) => `${bundle}.map.index.json`;

/** @param {string} mapText a source map (JSON) @returns {FrameIndex} */
function frameIndexOf(mapText) {
  const map = JSON.parse(mapText);
  return { sources: map.sources ?? [], names: map.names ?? [], lines: decodeMappings(String(map.mappings ?? "")) };
}

module.exports = { filterSourceMap, encodeSegment, decodeMappings, frameIndexOf, frameIndexFileOf };
