/**
 * The HTTP shell: Fastify with zod validation (the same schemas produce the OpenAPI document),
 * problem+json errors, and authentication by session cookie or bearer token. Every route must
 * declare who may call it (config.access); a route that forgets is refused to everyone.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../clock';
import type { Actor, Ctx, RuntimeConfig } from '../context';
import type { Db } from '../db/connect';
import { requireCapability, type Capability } from '../access';
import { DomainError, Forbidden, TooManyRequests } from '../errors';
import { sendProblem, toProblem } from './problems';
import { guardInputs } from './inputs';
import { refuseCrossSiteWrites } from './csrf';
import { securityHeaders } from './security-headers';
import type { TrustProxy } from './trust-proxy';

export const SESSION_COOKIE = 'kept_session';
export const BODY_LIMIT = 256 * 1024;

export type Access = Capability | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Body types a route takes besides JSON (the API refuses anything else with 415). */
    bodyTypes?: string[];
    /** May be shown in another site's frame (default: never). */
    embeddable?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    token: string | null;
    /** Which credential authenticated the request: the session cookie or a bearer token. */
    credential: 'session' | 'bearer' | null;
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
  /** KEPT_TRUST_PROXY (see trust-proxy.ts); nothing is trusted by default. */
  trustProxy?: TrustProxy;
}

export function createHttp(deps: HttpDeps) {
  const app = Fastify({
    logger: deps.logLevel === 'silent' ? false : { level: deps.logLevel },
    bodyLimit: BODY_LIMIT,
    // Fastify's overloads take the array form for an HTTP/2 server's: name the plain case.
    trustProxy: (deps.trustProxy ?? false) as boolean,
    // Live event streams never go idle; on shutdown they are closed rather than waited for.
    forceCloseConnections: true,
    // Every request has an id: in the JSON log lines, the x-request-id answer header and any
    // problem+json. A proxy's own id is kept when it is a sane token, so one id follows the request.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
    },
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
  app.decorateRequest('credential', null);
  securityHeaders(app, { https: deps.secureCookies });
  guardInputs(app);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (req.url.startsWith('/api/')) refuseOtherBodyTypes(req);
    // A bearer token, when given, is the credential; any other Authorization scheme (a proxy's
    // Basic auth) is not ours and leaves the cookie in charge, CSRF check included.
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? req.cookies[SESSION_COOKIE];
    if (!token) return;
    req.token = token;
    req.credential = bearer ? 'bearer' : 'session';
    req.actor = await deps.resolveActor({ db: deps.db, clock: deps.clock, config: deps.config, actor: null }, token);
  });

  app.addHook('preValidation', async (req) => {
    if (req.is404 || !req.url.startsWith('/api/')) return; // outside the API: only the public web app's files
    const access = req.routeOptions.config.access;
    if (!access) throw new Forbidden('This route declares no access rule');
    // Public routes act for nobody: a session cookie that happens to come along is not used.
    if (access === 'public' && req.credential === 'session') req.actor = null;
    if (access !== 'public') requireCapability(req.actor, access);
    refuseCrossSiteWrites(req);
  });

  app.setErrorHandler((error, req, reply) => {
    if (error instanceof TooManyRequests) reply.header('retry-after', String(error.retryAfterSeconds));
    const p = toProblem(error);
    // A DomainError is an answer we chose (e.g. 503 while the demo loads), not a fault to page anyone about.
    if (p.status >= 500) req.log[error instanceof DomainError ? 'warn' : 'error']({ err: error }, 'request failed');
    return sendProblem(reply, req, p);
  });

  return app;
}

export type App = ReturnType<typeof createHttp>;

/**
 * The API takes JSON (and what a route lists in config.bodyTypes, like CSV imports). Refusing
 * the rest also closes the door to forms posted from other sites, which can only send
 * form-encoded, multipart or text/plain bodies.
 */
function refuseOtherBodyTypes(req: FastifyRequest) {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!(length > 0) && !req.headers['transfer-encoding']) return;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const allowed = ['application/json', ...(req.routeOptions.config?.bodyTypes ?? [])];
  if (!allowed.includes(type)) {
    throw new DomainError(415, 'Unsupported media type', `Send JSON with Content-Type: application/json (got ${type || 'no Content-Type'})`);
  }
}

/** The service context for a request: the shared database, the clock, and who is calling. */
export function ctxOf(req: FastifyRequest): Ctx {
  return { db: req.server.kept.db, clock: req.server.kept.clock, config: req.server.kept.config, actor: req.actor };
}

export type Reply = FastifyReply;
