// Writes src/schema/openapi.generated.ts from src/schema/openapi.yaml in the
// given package, the typed spec the router is built from. Usage:
//   node scripts/generate-openapi.js plugins/orchestrator-backend [--check]
const fs = require('node:fs');
const path = require('node:path');
const yaml = require('yaml');
const prettier = require('prettier');

const pkg = process.argv[2];
const check = process.argv.includes('--check');
const source = path.join(pkg, 'src/schema/openapi.yaml');
const target = path.join(pkg, 'src/schema/openapi.generated.ts');
const spec = yaml.parse(fs.readFileSync(source, 'utf8'));
// The typed router reads parameters from operations only: copy path-level
// parameters into each operation of the path.
for (const item of Object.values(spec.paths ?? {})) {
  if (!item.parameters) continue;
  for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
    if (item[method]) {
      item[method].parameters = [...item.parameters, ...(item[method].parameters ?? [])];
    }
  }
  delete item.parameters;
}
const raw = `// Generated from openapi.yaml by scripts/generate-openapi.js; do not edit.
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
`;
const text = prettier.format(raw, {
  ...require('@backstage/cli/config/prettier'),
  parser: 'typescript',
});
if (check) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== text) {
    console.error(`${target} is out of date: run node scripts/generate-openapi.js ${pkg}`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, text);
}
