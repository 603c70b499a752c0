// Validates Scribe's OpenAPI document with an independent OpenAPI schema
// validator from npm. Usage: node validate_openapi.mjs path/to/openapi.json
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";

const file = process.argv[2];
const validator = new Validator();
const result = await validator.validate(JSON.parse(readFileSync(file, "utf8")));
if (!result.valid) {
  console.error(JSON.stringify(result.errors, null, 2));
  console.error(`${file}: not a valid OpenAPI document`);
  process.exit(1);
}
console.log(`${file}: valid OpenAPI ${validator.version}`);
