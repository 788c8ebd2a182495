import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderConfigDoc } from "./config-doc";

const file = path.join(__dirname, "..", "docs", "CONFIG.md");
writeFileSync(file, renderConfigDoc());
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
