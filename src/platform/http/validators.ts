import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import type { Ajv, Options, Plugin } from 'ajv';

// ajv and ajv-formats are CommonJS; their default exports are loaded through require.
const require = createRequire(import.meta.url);
const AjvClass = require('ajv').default as new (options: Options) => Ajv;
const addFormats = require('ajv-formats') as Plugin<unknown>;

/**
 * Route schemas are checked by two validators. Bodies are JSON and must have the declared types
 * exactly: `{"externalId": 42}` is a 400, not the string "42". Paths, query strings and headers
 * are text on the wire, so they are coerced (`?expand=true` to a boolean, one `tags[]` to a
 * list of one). Neither removes members a schema does not name.
 */
export function registerValidators(app: FastifyInstance): void {
  const common: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };
  const strict = new AjvClass({ ...common, coerceTypes: false });
  const lenient = new AjvClass({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, lenient]) addFormats(ajv);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema));
}
