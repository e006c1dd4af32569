// Validate xAPI statements with Learning Locker's validator (npm `xapi-validation`).
// stdin: a JSON statement or an array of statements. stdout: a JSON array with one entry per
// statement, each a list of {path, typeName, data, message} warnings (an empty list = valid).
// Used by tests/support/xapi.py; run from the repo root so `node_modules/` resolves.
"use strict";
const validate = require("xapi-validation").default;

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const parsed = JSON.parse(input);
  const statements = Array.isArray(parsed) ? parsed : [parsed];
  const out = statements.map((statement) =>
    validate(statement).map((w) => ({
      path: w.path.join("."),
      typeName: w.typeName || w.name,
      data: w.data === undefined ? null : w.data,
      message: w.message,
    }))
  );
  process.stdout.write(JSON.stringify(out));
});
