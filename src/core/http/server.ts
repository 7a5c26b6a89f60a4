/**
 * The HTTP shell: Fastify with zod validation (the same schemas produce the OpenAPI document),
 * problem+json errors, and authentication by session cookie or bearer token. Every route must
 * declare who may call it (config.access); a route that forgets is refused to everyone.
 */
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../clock';
import type { Actor, Ctx, RuntimeConfig } from '../context';
import type { Db } from '../db/connect';
import { requireCapability, type Capability } from '../access';
import { Forbidden } from '../errors';
import { sendProblem, toProblem } from './problems';
import { guardInputs } from './inputs';

export const SESSION_COOKIE = 'kept_session';
export const BODY_LIMIT = 256 * 1024;

export type Access = Capability | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
    token: string | null;
  }
  interface FastifyInstance {
    kept: { db: Db; clock: Clock; config: RuntimeConfig; secureCookies: boolean };
  }
}

export interface HttpDeps {
  db: Db;
  clock: Clock;
  config: RuntimeConfig;
  resolveActor: (ctx: Ctx, token: string) => Promise<Actor | null>;
  logLevel: string;
  secureCookies: boolean;
}

export function createHttp(deps: HttpDeps) {
  const app = Fastify({
    logger: deps.logLevel === 'silent' ? false : { level: deps.logLevel },
    bodyLimit: BODY_LIMIT,
    // Live event streams never go idle; on shutdown they are closed rather than waited for.
    forceCloseConnections: true,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.register(cookie);
  app.register(swagger, {
    openapi: {
      info: { title: 'Kept API', version: '1.0.0', description: 'Cases with one owner, hand-overs, commitments and service standards.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.decorate('kept', { db: deps.db, clock: deps.clock, config: deps.config, secureCookies: deps.secureCookies });
  app.decorateRequest('actor', null);
  app.decorateRequest('token', null);
  guardInputs(app);

  app.addHook('onRequest', async (req) => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : req.cookies[SESSION_COOKIE];
    if (!token) return;
    req.token = token;
    req.actor = await deps.resolveActor({ db: deps.db, clock: deps.clock, config: deps.config, actor: null }, token);
  });

  app.addHook('preValidation', async (req) => {
    if (req.is404 || !req.url.startsWith('/api/')) return; // outside the API: only the public web app's files
    const access = req.routeOptions.config.access;
    if (!access) throw new Forbidden('This route declares no access rule');
    if (access !== 'public') requireCapability(req.actor, access);
    // Cookie-authenticated writes must come from our own pages (CSRF): browsers send Origin.
    if (req.method !== 'GET' && req.token && !req.headers.authorization) {
      const origin = req.headers.origin;
      if (origin && new URL(origin).host !== req.headers.host) throw new Forbidden('Cross-site request refused');
    }
  });

  app.setErrorHandler((error, req, reply) => {
    const p = toProblem(error);
    if (p.status >= 500) req.log.error({ err: error }, 'request failed');
    return sendProblem(reply, req, p);
  });

  return app;
}

export type App = ReturnType<typeof createHttp>;

/** The service context for a request: the shared database, the clock, and who is calling. */
export function ctxOf(req: FastifyRequest): Ctx {
  return { db: req.server.kept.db, clock: req.server.kept.clock, config: req.server.kept.config, actor: req.actor };
}

export type Reply = FastifyReply;
