/**
 * The demo organisation's journey, internal requests, kudos and loyalty inputs: touchpoints owned
 * by departments (deliveries are its weak moment), requests from other departments to IT and the
 * Warehouse (which have no external customers), colleagues' kudos, and a year of quarterly
 * self-assessments with actions, some of them broken promises of their leader.
 */
import { DAY, HOUR, MINUTE } from '../core/clock';
import type { Actor, Ctx } from '../core/context';
import { createStandard } from '../standards';
import { openCase, updateCase } from '../cases';
import { createTouchpoint } from '../touchpoints/service';
import { giveKudos } from '../stars/kudos';
import { addAction, INPUT_KEYS, quarterOf, rateInput, setLeader } from '../loyalty-inputs/service';
import { DateTime } from 'luxon';
import { randomSource } from './demo-data';

type Step = { at: number; run: (ctx: Ctx) => Promise<void> };
interface Org { departments: { id: number; name: string }[]; teams: { id: number; department_id: number | null }[]; people: Actor[]; customerIds: number[] }

const JOURNEY = [['buy', 'Sales', false], ['deliver', 'Logistics', true], ['bill', 'Billing', false], ['get help', 'Customer Service', true], ['return', 'Warehouse', false], ['renew', 'Sales', true]] as const;
const KUDOS = ['Covered my calls while I was off sick', 'Found the missing parcel in an hour', 'Explained the new refund rules to the whole team', 'Stayed late to call back an upset customer', 'Fixed the label printer before the rush'];
const ACTIONS = ['Every team lead takes the loyalty course', 'Publish promise-kept rates per department monthly', 'Hire two more delivery coordinators', 'Review every detractor comment in the Monday meeting', 'Give agents a goodwill budget without approval'];

/** Set up before the year is played: the journey, the internal-request standard, leaders. */
export async function seedJourney(system: Ctx, org: Org) {
  const admin = { ...system, actor: org.people.find((p) => p.role === 'admin') ?? null };
  let after: number | null = null;
  for (const [name, dept, mot] of JOURNEY) {
    const t = await createTouchpoint(admin, { name, departmentId: org.departments.find((d) => d.name === dept)?.id ?? null, momentOfTruth: mot, afterId: after });
    after = t.id;
  }
  await createStandard(system, { caseType: 'internal_request', firstResponseMinutes: 120, resolutionMinutes: 960 });
  const leaders = org.people.filter((p) => p.role === 'executive' || p.role === 'manager');
  for (const [i, key] of INPUT_KEYS.entries()) await setLeader(admin, key, leaders[i % leaders.length]!.id);
}

/**
 * Timed steps played with the rest of the year. Internal requests opened before `liveFrom` are
 * part of the set-based history (./demo-history.ts), so only the later ones are steps here.
 */
export function journeySteps(org: Org, start: number, end: number, nCases: number, timeZone: string, liveFrom = start, historicKudos?: (k: { from: Actor; to: Actor; reason: string; at: number }) => void): Step[] {
  const rnd = randomSource(7);
  const steps: Step[] = [];
  const internalTeams = org.teams.filter((t) => ['IT', 'Warehouse'].includes(org.departments.find((d) => d.id === t.department_id)?.name ?? ''));
  const liveShare = (end - liveFrom) / (end - start);
  for (let i = 0; i < Math.max(4, Math.round(nCases * 0.03 * liveShare)); i++) {
    const team = rnd.pick(internalTeams);
    const members = org.people.filter((p) => p.teamId === team.id);
    if (!members.length) continue;
    const owner = rnd.pick(members);
    const from = rnd.pick(org.departments.filter((d) => d.id !== team.department_id));
    const t0 = liveFrom + Math.floor(rnd.next() * Math.max(HOUR, end - liveFrom - 2 * DAY));
    const ref: { id?: number } = {};
    steps.push({ at: t0, run: async (ctx) => {
      ref.id = (await openCase({ ...ctx, actor: owner }, { subject: rnd.pick(['New laptop for a starter', 'Stock count for the Leeds store', 'Reset the till printer', 'Pallet space for returns']), customerId: rnd.pick(org.customerIds),
        channel: 'other', requesterDepartmentId: from.id, teamId: team.id, ownerId: owner.id })).id;
    } });
    steps.push({ at: t0 + (rnd.chance(0.7) ? rnd.int(30, 600) : rnd.int(24, 96) * 60) * MINUTE, run: async (ctx) => { await updateCase({ ...ctx, actor: owner }, ref.id!, { status: 'resolved' }); } });
  }
  const staff = org.people.filter((p) => p.role !== 'executive');
  for (let i = 0; i < Math.max(5, Math.round(nCases * 0.02)); i++) {
    const from = rnd.pick(staff);
    const to = rnd.pick(staff.filter((p) => p.id !== from.id));
    const at = start + Math.floor(rnd.next() * (end - start - HOUR));
    // Before the played days, kudos are history: written with it, as a colleague gave them then.
    if (historicKudos && at < liveFrom) historicKudos({ from, to, reason: rnd.pick(KUDOS), at });
    else steps.push({ at, run: async (ctx) => { await giveKudos({ ...ctx, actor: from }, { toStaffId: to.id, reason: rnd.pick(KUDOS) }); } });
  }
  // Each quarter, the executive and managers rate the seven inputs, a little better each time; each sets an action.
  const raters = org.people.filter((p) => p.role === 'executive' || p.role === 'manager');
  for (let q = 0; q < 4; q++) {
    const at = start + q * 91 * DAY + 10 * DAY;
    if (at >= end) break;
    for (const rater of raters) {
      steps.push({ at, run: async (ctx) => {
        const quarter = quarterOf(DateTime.fromMillis(at, { zone: timeZone }));
        for (const key of INPUT_KEYS) {
          const current = Math.min(5, Math.max(1, 2 + Math.floor(q / 2) + rnd.int(-1, 1)));
          await rateInput({ ...ctx, actor: rater }, key, { current, target: Math.min(5, current + rnd.int(1, 2)), quarter, evidence: rnd.chance(0.3) ? 'From the last quarter’s review' : null });
        }
      } });
    }
    steps.push({ at: at + HOUR, run: async (ctx) => {
      const key = rnd.pick(INPUT_KEYS);
      // Some actions fall due within the year (and some of those break), the rest after it.
      await addAction({ ...ctx, actor: raters[0]! }, key, { text: rnd.pick(ACTIONS), dueAt: new Date(Math.min(at + rnd.int(20, 120) * DAY, end + 30 * DAY)) });
    } });
  }
  return steps;
}
