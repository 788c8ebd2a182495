// Deliberately empty: the engine, the language host, node + tsx and @pulumi/pulumi start as for slipway,
// and the program registers nothing but its stack. scripts/bench.ts times this next to slipway's preview.
export {};
