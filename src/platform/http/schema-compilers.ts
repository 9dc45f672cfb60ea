import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import type { Ajv, Options, Plugin } from 'ajv';
import fastJsonStringify from 'fast-json-stringify';

// ajv and ajv-formats are CommonJS; their default exports are loaded through require.
const require = createRequire(import.meta.url);
const AjvClass = require('ajv').default as new (options: Options) => Ajv;
const addFormats = require('ajv-formats') as Plugin<unknown>;

/**
 * Compiles each distinct schema once. Routes repeat the same few schemas: a start asked for 828
 * validators of 72 distinct schemas and 1,227 serializers of 51. Ajv's and fast-json-stringify's
 * own caches know only the same object, where routes build equal ones, and compiling every copy
 * took half of building the app.
 */
function once<T>(compile: (schema: unknown) => T): (key: string, schema: unknown) => T {
  const compiled = new Map<string, T>();
  return (key, schema) => {
    let done = compiled.get(key);
    if (done === undefined) {
      done = compile(schema);
      compiled.set(key, done);
    }
    return done;
  };
}

/**
 * The validators and serializers of route schemas.
 *
 * Route schemas are checked by two validators. Bodies are JSON and must have the declared types
 * exactly: `{"externalId": 42}` is a 400, not the string "42". Paths, query strings and headers
 * are text on the wire, so they are coerced (`?expand=true` to a boolean, one `tags[]` to a
 * list of one). Neither removes members a schema does not name.
 */
export function registerSchemaCompilers(app: FastifyInstance): void {
  const common: Options = { removeAdditional: false, useDefaults: true, allErrors: false, strict: false };
  const strict = new AjvClass({ ...common, coerceTypes: false });
  const lenient = new AjvClass({ ...common, coerceTypes: 'array' });
  for (const ajv of [strict, lenient]) addFormats(ajv);
  const validator = once((schema) => strict.compile(schema as object));
  const lenientValidator = once((schema) => lenient.compile(schema as object));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? validator : lenientValidator)(JSON.stringify(schema), schema));
  // Responses are written by fast-json-stringify, as Fastify would (no shared schemas are added).
  const serializer = once((schema) => fastJsonStringify(schema as Parameters<typeof fastJsonStringify>[0]));
  app.setSerializerCompiler(({ schema }) => serializer(JSON.stringify(schema), schema));
}
