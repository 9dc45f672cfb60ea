import { Type, type Static, type TSchema } from 'typebox';

/**
 * Schemas every route shares: the Open Connectors error body, the answers of errors, and the
 * parameters most routes take. Route files declare the rest beside their handlers; together
 * they validate requests, serialise answers and make the OpenAPI document.
 */
export const ErrorBody = Type.Object(
  {
    requestId: Type.String({ description: 'The id of the request, also sent as Elements-Request-Id' }),
    message: Type.String(),
    providerMessage: Type.Optional(Type.String({ description: 'What the vendor said, when it said something' })),
    providerCode: Type.Optional(Type.Integer({ description: "The vendor's HTTP status" })),
  },
  { title: 'Error' },
);
export type ErrorBodyJson = Static<typeof ErrorBody>;

/** The answers every route can give besides its own: the error body. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

/**
 * A JSON value the server passes on or accepts as it is (vendor objects, configuration values).
 * Serialised with JSON.stringify, never reshaped.
 */
export const AnyJson = Type.Unknown({ description: 'Any JSON value' });

/** An object with the members named, and any others a client or vendor adds. */
export const OpenObject = <T extends Record<string, TSchema>>(properties: T, options: { title?: string; description?: string } = {}) =>
  Type.Object(properties, { additionalProperties: true, ...options });

/**
 * A numeric path id (`/instances/{id}`) as it arrives: text. Anything that is not a positive
 * integer is no resource of ours, so a path that fails this schema answers 404, not 400.
 */
export const NumericId = Type.String({ pattern: '^[0-9]{1,15}$', description: 'A positive integer' });

/** `page`: from 1; `0`, a sign or anything not a number is a 400, never ignored. */
export const PageNumber = Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'The page, from 1' });
/** `pageSize`: at least 1; the route says its default and its maximum (larger values are clamped). */
export const PageSize = (description: string) => Type.String({ pattern: '^[1-9][0-9]{0,8}$', description });
/** `nextPage`: the `Elements-Next-Page-Token` of the previous page. */
export const NextPage = Type.String({ maxLength: 2000, description: 'Elements-Next-Page-Token of the previous page' });

/** `{}`: what deletes and other answers without a body of their own return. */
export const EmptyObject = Type.Object({}, { additionalProperties: false, title: 'Empty' });

/** A query string of no parameters of its own (unknown ones are ignored). */
export const NoQuery = Type.Object({});
