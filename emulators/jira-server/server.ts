import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { randomBytes } from 'node:crypto';
import type { User } from './state/model.ts';
import { Emulator, type EmulatorOptions } from './emulator.ts';
import { authenticate, notAuthenticatedBody } from './auth.ts';
import { errorPageHtml, jiraError, UnconvertibleParameter, uriNotFound } from './replies.ts';
import { registerSystemRoutes } from './routes/system.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerIssueRoutes } from './routes/issues.ts';
import { registerCommentRoutes } from './routes/comments.ts';
import { registerAttachmentRoutes } from './routes/attachments.ts';
import { registerWorklogRoutes } from './routes/worklogs.ts';
import { registerReferenceRoutes } from './routes/reference.ts';
import { registerProjectRoutes } from './routes/projects.ts';
import { registerUserRoutes } from './routes/users.ts';
import { registerWebhookRoutes } from './routes/webhooks.ts';
import { registerControlRoutes } from './routes/control.ts';
import { registerWebLoginRoutes } from './routes/web-login.ts';
import { registerLinkRoutes } from './routes/links.ts';
import { registerVersionRoutes } from './routes/versions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    jiraUser: User | null;
  }
  interface FastifyContextConfig {
    /** Answers without credentials (serverInfo, status, session login). */
    anonymous?: boolean;
  }
}

/** The authenticated caller of a Jira route. */
export const caller = (request: FastifyRequest): User => request.jiraUser!;

export const CONTROL_PREFIX = '/__emulator';

/**
 * Builds the emulator's HTTP app. Every Jira route sits under the context path; the control API
 * sits at `/__emulator`, a prefix Jira never uses.
 */
export async function buildEmulatorApp(em: Emulator, tls?: { key: string; cert: string }): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 50 * 1024 * 1024,
    // Jersey matches a resource with or without a trailing slash.
    routerOptions: { maxParamLength: 1000, ignoreTrailingSlash: true },
    ...(tls && { https: tls }),
    // Tomcat resolves `.` and `..` path segments before it maps a request to Jira's servlets.
    rewriteUrl: (req) => normalizeDotSegments(req.url ?? '/'),
    // Closing ends every connection, whether idle, in a call, or silent (a browser's preconnect,
    // which Node never counts as idle): the emulator, alone or as the demo Jira inside a stopping
    // switchboard, must not wait on its clients.
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  app.decorateRequest('jiraUser', null);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') em.routes.push({ method, url: route.url });
  });
  await app.register(multipart, { limits: { fileSize: 100 * 1024 * 1024, files: 20 } });

  // Jersey answers 415 to bodies that are not JSON where JSON is expected.
  app.removeContentTypeParser('text/plain');
  // An empty JSON body is no body (python3-jira sends the content type on every call, DELETE
  // included); anything else must parse.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(Object.assign(new Error(`JSON ${(err as Error).message}`), { statusCode: 400 }), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const type = request.headers['content-type'] ?? '';
    if (type.startsWith('multipart/')) return done(null, body);
    const err = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    done(err, undefined);
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    if (error instanceof UnconvertibleParameter) return uriNotFound(reply, `${em.baseUrl}${request.url.slice(em.config.contextPath.length)}`);
    const status = error.statusCode ?? 500;
    if (status === 415) return reply.code(415).type('text/html;charset=UTF-8').send(errorPageHtml(415));
    if (status === 400 && /JSON/i.test(error.message)) {
      return jiraError(reply, 400, [`Unexpected character: was expecting a JSON value. ${error.message}`]);
    }
    if (status < 500) return jiraError(reply, status, [error.message]);
    request.log.error(error);
    return reply.code(500).type('text/html;charset=UTF-8').send(errorPageHtml(500));
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith(`${em.config.contextPath}/rest/`)) return uriNotFound(reply, `${em.baseUrl}${request.url.slice(em.config.contextPath.length)}`);
    return reply.code(404).type('text/html;charset=UTF-8').send(errorPageHtml(404));
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith(CONTROL_PREFIX)) return;
    em.requests.add(request.method, request.url, em.clock.now());
    reply.header('X-AREQUESTID', `${Math.floor((Date.now() / 60_000) % 1440)}x${++em.requestCounter}x1`);
    reply.header('X-ASESSIONID', randomBytes(4).toString('hex'));
    reply.header('X-Content-Type-Options', 'nosniff');
    if (em.config.latencyMs > 0) await new Promise((r) => setTimeout(r, em.config.latencyMs));
    const path = request.url.split('?')[0]!;
    const fault = em.faults.take(request.method, path);
    if (fault) await applyFault(fault, reply);
    if (reply.sent) return;

    const result = authenticate(em.state, em.config, em.sessions, request.headers.authorization, request.headers.cookie, em.baseUrl, em.clock.now());
    if (result.kind === 'failure') {
      for (const [k, v] of Object.entries(result.headers)) reply.header(k, v);
      return reply.code(result.status).type(result.contentType).send(result.body);
    }
    if (result.kind === 'anonymous') {
      reply.header('X-AUSERNAME', 'anonymous');
      if ((request.routeOptions.config.anonymous && em.config.anonymousAccess) || request.is404) return;
      return reply.code(401).type('application/json;charset=UTF-8').send(notAuthenticatedBody);
    }
    request.jiraUser = result.user;
    reply.header('X-AUSERNAME', result.user.name);
    if (result.via === 'basic') reply.header('Set-Cookie', `JSESSIONID=${em.sessions.create(result.user)}; Path=${em.config.contextPath || '/'}; HttpOnly`);
    if (em.config.rateLimit.enabled) {
      const limit = em.limiter.check(result.user.key, em.clock.now());
      for (const [k, v] of Object.entries(limit.headers)) reply.header(k, v);
      if (!limit.allowed) {
        const wantsJson = (request.headers.accept ?? '').includes('application/json');
        return wantsJson
          ? reply.code(429).type('application/json;charset=UTF-8').send({ message: 'Rate limit exceeded.' })
          : reply.code(429).type('text/html;charset=UTF-8').send('<html><body><h1>429 Too Many Requests</h1><p>Rate limit exceeded.</p></body></html>');
      }
    }
  });

  // Jira's REST answers: JSON says its charset, and nothing is cached.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith(CONTROL_PREFIX)) return payload;
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('application/json')) {
      reply.header('content-type', 'application/json;charset=UTF-8');
      if (reply.statusCode < 300) reply.header('cache-control', 'no-cache, no-store, no-transform');
    }
    return payload;
  });

  // Synchronous profiles deliver webhooks inside the request that caused them.
  app.addHook('onSend', async (request, _reply, payload) => {
    if (!em.config.profile.asyncWebhooks && !request.url.startsWith(CONTROL_PREFIX)) await em.webhooks.flush();
    return payload;
  });

  await app.register(
    async (jira) => {
      registerSystemRoutes(jira, em);
      registerSearchRoutes(jira, em);
      registerIssueRoutes(jira, em);
      registerCommentRoutes(jira, em);
      registerAttachmentRoutes(jira, em);
      registerWorklogRoutes(jira, em);
      registerReferenceRoutes(jira, em);
      registerProjectRoutes(jira, em);
      registerVersionRoutes(jira, em);
      registerLinkRoutes(jira, em);
      registerUserRoutes(jira, em);
      registerWebhookRoutes(jira, em);
      registerWebLoginRoutes(jira, em);
    },
    { prefix: em.config.contextPath },
  );
  registerControlRoutes(app, em);
  return app;
}

async function applyFault(fault: ReturnType<Emulator['faults']['take']> & object, reply: FastifyReply): Promise<void> {
  for (const [k, v] of Object.entries(fault.headers ?? {})) reply.header(k, v);
  switch (fault.kind) {
    case 'delay':
      await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
      return;
    case 'drop':
      reply.raw.socket?.destroy();
      reply.hijack();
      return;
    case 'html':
      await reply
        .code(fault.status ?? 502)
        .type('text/html;charset=UTF-8')
        .send(errorPageHtml(fault.status ?? 502));
      return;
    case 'status':
      await reply
        .code(fault.status ?? 500)
        .type('application/json;charset=UTF-8')
        .send(fault.body ?? { errorMessages: ['Internal server error'], errors: {} });
  }
}

export interface RunningEmulator {
  emulator: Emulator;
  app: FastifyInstance;
  /** Base URL including the context path, e.g. `http://127.0.0.1:2990/jira`. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts an emulator on a real socket (port 0 picks a free one). */
export async function startJiraEmulator(
  options: EmulatorOptions & { port?: number; host?: string; tls?: { key: string; cert: string } } = {},
): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  const app = await buildEmulatorApp(emulator, options.tls);
  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  emulator.origin = address.replace('[::1]', 'localhost');
  if (options.tls) emulator.origin = emulator.origin.replace(/^http:/, 'https:');
  return {
    emulator,
    app,
    baseUrl: emulator.baseUrl,
    async close() {
      await emulator.webhooks.idle();
      await app.close();
    },
  };
}

/** `/a/./b/../c?q` → `/a/c?q`, as Tomcat normalises a request URI (never above the root). */
export function normalizeDotSegments(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!/\/\.{1,2}(?:\/|$)/.test(path)) return url;
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '..') out.pop();
    if (segment === '.' || segment === '..') {
      if (last) out.push('');
      return;
    }
    out.push(segment);
  });
  return `/${out.join('/')}${q < 0 ? '' : url.slice(q)}`;
}
