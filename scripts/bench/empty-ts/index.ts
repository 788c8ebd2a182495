// Deliberately empty, in TypeScript and run through tsx (nodeargs: --import=tsx): how slipway's program itself
// started before infra/main.js. scripts/bench.ts reports slipway's ratio to it for comparison only; the goal is
// the ratio to the plain JavaScript empty program (../empty).
export {};
