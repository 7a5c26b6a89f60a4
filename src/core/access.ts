import { Forbidden, Unauthorized } from './errors';
import type { Actor, Ctx } from './context';
import type { Role } from '../staff/schema';

/**
 * What each role may do. Executives read everything and change nothing on cases; only admins
 * change how the organisation is set up.
 */
const CAPABILITIES = {
  'cases:read': ['agent', 'lead', 'manager', 'admin', 'executive'],
  'cases:work': ['agent', 'lead', 'manager', 'admin'],
  'cases:supervise': ['lead', 'manager', 'admin'],
  'customers:read': ['agent', 'lead', 'manager', 'admin', 'executive'],
  'customers:write': ['agent', 'lead', 'manager', 'admin'],
  'customers:merge': ['lead', 'manager', 'admin'],
  'figures:read': ['agent', 'lead', 'manager', 'admin', 'executive'],
  'audit:read': ['lead', 'manager', 'admin', 'executive'],
  'org:read': ['agent', 'lead', 'manager', 'admin', 'executive'],
  'org:admin': ['admin'],
  'cases:import': ['manager', 'admin'],
  // Rating the seven loyalty inputs and setting their leaders and actions: senior people.
  'inputs:assess': ['manager', 'admin', 'executive'],
  /** Data rights: export everything about a customer, erase them on request. */
  privacy: ['manager', 'admin'],
  self: ['agent', 'lead', 'manager', 'admin', 'executive'],
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof CAPABILITIES;

export function can(actor: Actor | null, capability: Capability): boolean {
  return !!actor && (CAPABILITIES[capability] as readonly Role[]).includes(actor.role);
}

export function requireCapability(actor: Actor | null, capability: Capability): Actor {
  if (!actor) throw new Unauthorized();
  if (!can(actor, capability)) {
    throw new Forbidden(`The ${actor.role} role may not do this (needs ${capability})`);
  }
  return actor;
}

/** For services: the acting staff member, or an error if the system is acting where a person must. */
export function staffActor(ctx: Ctx): Actor {
  if (!ctx.actor) throw new Unauthorized('This action needs a staff member');
  return ctx.actor;
}
