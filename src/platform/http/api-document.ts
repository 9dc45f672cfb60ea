import type { FastifyInstance, HTTPMethods } from 'fastify';
import swagger from '@fastify/swagger';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { errorResponses, NoQuery } from './schemas.ts';

/** A route as registered: what the API document and the route-table tests compare. */
export interface RegisteredRoute {
  method: HTTPMethods;
  url: string;
  hidden: boolean;
  /** How it authenticates (`config.auth`); undefined for the default, `platform`. */
  auth: string | undefined;
  schema: Record<string, unknown> | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route the server registers, in order (HEAD routes Fastify adds itself excluded). */
    routeTable: RegisteredRoute[];
  }
}

/** A route module's view of the app: handlers receive data typed by their TypeBox schemas. */
export const typed = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();

/**
 * The OpenAPI 3.1 document of the whole platform API, made by @fastify/swagger from the routes'
 * own schemas, served at `GET <prefix>/openapi.json`. Must be registered before any route.
 */
export async function registerApiDocument(app: FastifyInstance, prefix: string, version: string): Promise<void> {
  app.decorate('routeTable', [] as RegisteredRoute[]);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      app.routeTable.push({
        method,
        url: route.url,
        hidden: (route.schema as { hide?: boolean } | undefined)?.hide === true,
        auth: (route.config as { auth?: string } | undefined)?.auth,
        schema: route.schema as Record<string, unknown> | undefined,
      });
    }
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'switchboard platform API',
        description:
          'The Open Connectors platform API (/elements/api-v2) as switchboard serves it. Hub calls authenticate with "User <secret>, Element <token>", platform calls with "User <secret>, Organization <secret>".',
        version,
      },
      components: {
        securitySchemes: {
          openConnectors: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: '`User <user secret>, Organization <organization secret>[, Element <instance token>]`',
          },
        },
      },
      security: [{ openConnectors: [] }],
    },
    // Routes open without credentials say so; the console's static files are not API.
    transform: ({ schema, url, route }) => {
      const auth = (route.config as { auth?: string } | undefined)?.auth;
      const open = auth === 'none' || auth === 'optional';
      return { schema: { ...(schema as object), ...(open && { security: auth === 'optional' ? [{}, { openConnectors: [] }] : [] }) } as typeof schema, url };
    },
  });
  typed(app).get(
    `${prefix}/openapi.json`,
    {
      config: { auth: 'none' },
      schema: {
        summary: 'This document',
        tags: ['platform'],
        querystring: NoQuery,
        response: { 200: Type.Unknown({ description: 'The OpenAPI 3.1 document of this API' }), ...errorResponses },
      },
    },
    async () => app.swagger(),
  );
}
