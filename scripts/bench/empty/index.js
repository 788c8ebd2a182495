// Deliberately empty: the engine, the language host, node and @pulumi/pulumi's runner start as for slipway, and
// the program registers nothing but its stack. scripts/bench.ts times this next to slipway's previews.
"use strict";
