// Generates code from src/schema/openapi.yaml in the given backend package:
// - src/schema/openapi.generated.ts there, the typed spec the router is built from;
// - with --client-package DIR, src/generated/ in DIR: the models (one type per
//   component schema, and per operation for inline bodies and responses) and
//   OrchestratorApiClient, an isomorphic typed client.
// Usage:
//   node scripts/generate-openapi.js plugins/orchestrator-backend \
//     [--client-package plugins/orchestrator-common] [--check]
const fs = require('node:fs');
const path = require('node:path');
const yaml = require('yaml');
const prettier = require('prettier');

const args = process.argv.slice(2);
const pkg = args[0];
const check = args.includes('--check');
const clientIndex = args.indexOf('--client-package');
const clientPackage = clientIndex >= 0 ? args[clientIndex + 1] : undefined;
const source = path.join(pkg, 'src/schema/openapi.yaml');
const spec = yaml.parse(fs.readFileSync(source, 'utf8'));
const pluginId = spec.info.title;
const HEADER = `// Generated from ${source} by scripts/generate-openapi.js; do not edit.`;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// The typed router reads parameters from operations only: copy path-level
// parameters into each operation of the path.
for (const item of Object.values(spec.paths ?? {})) {
  if (!item.parameters) continue;
  for (const method of METHODS) {
    if (item[method]) {
      item[method].parameters = [...item.parameters, ...(item[method].parameters ?? [])];
    }
  }
  delete item.parameters;
}

const outputs = [
  {
    file: path.join(pkg, 'src/schema/openapi.generated.ts'),
    text: `// Generated from openapi.yaml by scripts/generate-openapi.js; do not edit.
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
`,
  },
];
if (clientPackage) {
  const dir = path.join(clientPackage, 'src/generated');
  const { models, client } = generateClient();
  outputs.push(
    { file: path.join(dir, 'models.ts'), text: models },
    { file: path.join(dir, 'OrchestratorApiClient.ts'), text: client },
    {
      file: path.join(dir, 'index.ts'),
      text: `${HEADER}\nexport * from './models';\nexport * from './OrchestratorApiClient';\n`,
    },
  );
}

let stale = false;
for (const { file, text: raw } of outputs) {
  const text = prettier.format(raw, {
    ...require('@backstage/cli/config/prettier'),
    parser: 'typescript',
  });
  if (check) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== text) {
      console.error(`${file} is out of date: run node scripts/generate-openapi.js ${args.filter(a => a !== '--check').join(' ')}`);
      stale = true;
    }
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}
if (stale) process.exit(1);

function generateClient() {
  const pascal = s => s.replace(/(^|[^A-Za-z0-9])([A-Za-z0-9])/g, (_, __, c) => c.toUpperCase());
  // Component names that would shadow a global (`Error`) get a prefix.
  const typeName = name => (name in globalThis ? `Model${name}` : name);
  const refName = ref => typeName(ref.replace('#/components/schemas/', ''));
  const resolve = (obj, kind) =>
    obj && obj.$ref ? spec.components[kind][obj.$ref.replace(`#/components/${kind}/`, '')] : obj;
  const doc = text => (text ? `/** ${String(text).trim().replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n` : '');
  const key = k => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));

  const tsType = schema => {
    if (!schema || Object.keys(schema).length === 0 || (Object.keys(schema).length === 1 && schema.description)) {
      return 'unknown';
    }
    if (schema.$ref) return refName(schema.$ref);
    if (schema.oneOf || schema.anyOf) return (schema.oneOf ?? schema.anyOf).map(tsType).join(' | ');
    if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(' | ');
    if (Array.isArray(schema.type)) {
      return schema.type.map(type => tsType({ ...schema, type })).join(' | ');
    }
    switch (schema.type) {
      case 'null':
        return 'null';
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'array':
        return `Array<${tsType(schema.items)}>`;
      default: {
        const props = Object.entries(schema.properties ?? {});
        const required = new Set(schema.required ?? []);
        const members = props.map(
          ([name, prop]) =>
            `${doc(prop.description)}${key(name)}${required.has(name) ? '' : '?'}: ${tsType(prop)};`,
        );
        const extra = schema.additionalProperties;
        if (extra && typeof extra === 'object') members.push(`[key: string]: ${tsType(extra)};`);
        else if (props.length === 0 && extra !== false) members.push('[key: string]: unknown;');
        return `{\n${members.join('\n')}\n}`;
      }
    }
  };
  // Inline object schemas of bodies and responses become named models.
  const named = [];
  const modelOf = (schema, name) => {
    if (!schema) return 'void';
    if (schema.$ref || schema.type !== 'object' || !schema.properties) return tsType(schema);
    named.push(`${doc(schema.description)}export type ${name} = ${tsType(schema)};\n`);
    return name;
  };

  // Type aliases rather than interfaces: they are assignable to the index
  // signatures the typed router gives objects without additionalProperties.
  const models = Object.entries(spec.components.schemas).map(
    ([name, schema]) => `${doc(schema.description)}export type ${typeName(name)} = ${tsType(schema)};\n`,
  );

  const methods = [];
  for (const [route, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const base = pascal(op.operationId);
      const params = (op.parameters ?? []).map(p => resolve(p, 'parameters'));
      const parts = [];
      for (const where of ['path', 'query']) {
        const list = params.filter(p => p.in === where);
        if (!list.length) continue;
        const fields = list.map(
          p => `${doc(p.description)}${key(p.name)}${p.required ? '' : '?'}: ${tsType(p.schema)};`,
        );
        parts.push({ name: where, required: list.some(p => p.required), type: `{\n${fields.join('\n')}\n}` });
      }
      const body = op.requestBody?.content?.['application/json']?.schema;
      if (body) {
        // An operation that also takes YAML accepts the document as text, sent as application/yaml.
        const yamlText = op.requestBody.content['application/yaml'] ? ' | string' : '';
        parts.push({ name: 'body', required: !!op.requestBody.required, type: `${modelOf(body, `${base}Request`)}${yamlText}` });
      }
      const success = Object.entries(op.responses)
        .filter(([status]) => /^2/.test(status))
        .map(([status, response]) => {
          const schema = resolve(response, 'responses').content?.['application/json']?.schema;
          const many = Object.keys(op.responses).filter(s => /^2/.test(s)).length > 1;
          return modelOf(schema, `${base}${many ? status : ''}Response`);
        });
      const returns = [...new Set(success)].join(' | ') || 'void';
      const requestRequired = parts.some(p => p.required);
      const requestParam = parts.length
        ? `request: {\n${parts.map(p => `${p.name}${p.required ? '' : '?'}: ${p.type};`).join('\n')}\n}${
            requestRequired ? '' : ' = {}'
          },`
        : '';
      const pathExpr = route.replace(/\{([^}]+)\}/g, (_, name) => `\${encodeURIComponent(request.path.${name})}`);
      const hasQuery = parts.some(p => p.name === 'query');
      methods.push(`${doc(op.summary ?? op.description ?? `${method.toUpperCase()} ${route}`)}async ${op.operationId}(
  ${requestParam}
  options?: RequestOptions,
): Promise<${returns}> {
  return this.send('${method.toUpperCase()}', \`${pathExpr}\`, {
    ${hasQuery ? 'query: request.query,' : ''}
    ${parts.some(p => p.name === 'body') ? 'body: request.body,' : ''}
    token: options?.token,
  }) as Promise<${returns}>;
}
`);
    }
  }

  const modelNames = [...models, ...named].map(m => m.match(/export type (\w+)/)[1]);
  const usedModels = modelNames.filter(name => methods.some(m => new RegExp(`\\b${name}\\b`).test(m)));
  return {
    models: `${HEADER}\n\n${models.join('\n')}\n${named.join('\n')}`,
    client: `${HEADER}
import { ResponseError } from '@backstage/errors';
import type { ${usedModels.sort().join(', ')} } from './models';

/** Per-call options: the bearer token to send, when the fetch does not add one. @public */
export interface RequestOptions {
  token?: string;
}

/**
 * Typed client of the ${pluginId} REST API. Works in the browser (Backstage's
 * DiscoveryApi and FetchApi), in backends (a fetch that adds a service token)
 * and in the CLI (a base URL and a bearer token). Non-2xx answers throw a
 * \`ResponseError\` whose body is the orchestrator's error body (with the
 * \`details\` of invalid input) and whose message ends with its message.
 *
 * @public
 */
export class OrchestratorApiClient {
  private readonly discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (input, init) => fetch(input, init) };
  }

${methods.join('\n')}
  private async send(
    method: string,
    path: string,
    request: { query?: Record<string, string | undefined>; body?: unknown; token?: string },
  ): Promise<unknown> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) query.set(name, value);
    }
    const search = query.toString();
    const baseUrl = await this.discoveryApi.getBaseUrl('${pluginId}');
    const headers: Record<string, string> = {};
    const yamlText = typeof request.body === 'string';
    if (request.body !== undefined) headers['content-type'] = yamlText ? 'application/yaml' : 'application/json';
    if (request.token) headers.authorization = \`Bearer \${request.token}\`;
    const response = await this.fetchApi.fetch(\`\${baseUrl}\${path}\${search ? \`?\${search}\` : ''}\`, {
      method,
      headers,
      body: request.body === undefined || yamlText ? (request.body as string | undefined) : JSON.stringify(request.body),
    });
    if (!response.ok) throw await responseError(response);
    return response.status === 204 ? undefined : response.json();
  }
}

// Errors the orchestrator answers itself have no \`response\` field, which
// ResponseError needs to keep a body: it is added so the body (and its
// \`details\`) reach the caller instead of a generic one.
async function responseError(response: Response): Promise<ResponseError> {
  let text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body?.error && !body.response) {
      text = JSON.stringify({ ...body, response: { statusCode: response.status } });
    }
  } catch {
    // Not JSON: ResponseError keeps the text in a generic body.
  }
  const error = await ResponseError.fromResponse({
    headers: response.headers,
    ok: response.ok,
    redirected: response.redirected,
    status: response.status,
    statusText: response.statusText,
    type: response.type,
    url: response.url,
    text: async () => text,
  });
  error.message = \`\${error.message}: \${error.body.error.message}\`;
  return error;
}
`,
  };
}
