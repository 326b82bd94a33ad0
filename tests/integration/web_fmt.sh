#!/usr/bin/env bash
# The web page writes numbers as the console does: app.js's formatter,
# loaded by node as a module, against the same table of cases
# (tests/fixtures/fmt_cases.tsv) that tests/unit/test_fmt_table.c checks
# tui/fmt.c against.
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || skip "node not installed"
cat >"$T/check.js" <<'JS'
const f = require(process.argv[2]);
const fs = require("fs");
let bad = 0, n = 0;
for (const line of fs.readFileSync(process.argv[3], "utf8").split("\n")) {
  if (!line || line[0] === "#") continue;
  const [fn, input, want] = line.split("\t");
  const v = input === "nan" ? NaN : Number(input);
  const got = fn === "bytes/s" ? f.bytes(v, "/s") : f[fn](v);
  n++;
  if (got !== want) { bad++; console.log(`FAIL ${fn}(${input}) = '${got}', want '${want}'`); }
}
// a value with its unit dispatches as the console's tiles do
const units = [[6668, "ms", "6.67 s"], [3400, "bytes/s", "3.4 kB/s"],
  [12.34, "%", "12.3%"], [1234, "req/s", "1.2k req/s"], [303, "s", "5m 03s"],
  [null, "ms", "-"]];
for (const [v, u, want] of units) {
  n++;
  const got = f.value(v, u);
  if (got !== want) { bad++; console.log(`FAIL value(${v}, ${u}) = '${got}', want '${want}'`); }
}
console.log(`${n} cases, ${bad} wrong`);
process.exit(bad ? 1 : 0);
JS
node "$T/check.js" "$ROOT/web/assets/app.js" "$ROOT/tests/fixtures/fmt_cases.tsv" ||
	fail "the page formats numbers unlike the console"
echo "web_fmt: ok"
