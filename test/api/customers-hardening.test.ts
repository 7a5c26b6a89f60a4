import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKept } from '../../src/app';
import { startKept, type TestKept } from '../helpers/app';

type Api = Awaited<ReturnType<TestKept['signedIn']>>;

describe('customers hardened: merging, phone numbers, names and respectful replies', { timeout: 60_000 }, () => {
  let k: TestKept;
  let agent: Api;
  let lead: Api;
  before(async () => {
    k = await startKept();
    agent = await k.signedIn('agent');
    lead = await k.signedIn('lead');
  });
  after(() => k.close());

  const customer = async (body: Record<string, unknown>) => {
    const res = await agent.post('/customers', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: number; phones: string[]; salutation: string; title: string | null; givenName: string | null; familyName: string | null; name: string };
  };
  const count = async (table: string) => (await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

  describe('merging', () => {
    it('two records merged into each other at once end with exactly one merged into the other', async () => {
      const pairs = await Promise.all(Array.from({ length: 20 }, async (_, i) => [
        (await customer({ name: `Race A${i}` })).id, (await customer({ name: `Race B${i}` })).id] as const));
      const answers = await Promise.all(pairs.flatMap(([a, b]) => [
        lead.post(`/customers/${a}/merge`, { duplicateId: b }),
        lead.post(`/customers/${b}/merge`, { duplicateId: a }),
      ]));
      assert.deepEqual(answers.filter((r) => r.status >= 500).map((r) => r.body), [], 'no 500');
      for (const [i, [a, b]] of pairs.entries()) {
        const [ab, ba] = [answers[2 * i]!, answers[2 * i + 1]!];
        assert.deepEqual([ab.status, ba.status].sort(), [200, 409], `pair ${i}: one merge wins, the other is refused`);
        const rows = await k.sql<{ id: string; merged_into_id: string | null }>('SELECT id, merged_into_id FROM customers WHERE id IN ($1, $2)', [a, b]);
        assert.equal(rows.filter((r) => r.merged_into_id !== null).length, 1, `pair ${i}: never both merged into each other`);
        const loser = ab.status === 409 ? ab : ba;
        assert.match(loser.body.detail, /merged into/);
      }
    });

    it('a customer cannot be merged into itself', async () => {
      const c = await customer({ name: 'Solo Self' });
      const res = await lead.post(`/customers/${c.id}/merge`, { duplicateId: c.id });
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].field, 'body.duplicateId');
      assert.match(res.body.detail, /cannot be merged into itself/);
    });

    it('nothing is merged into a record that was itself merged away', async () => {
      const a = await customer({ name: 'Keeper' });
      const b = await customer({ name: 'Gone' });
      const c = await customer({ name: 'Late duplicate' });
      assert.equal((await lead.post(`/customers/${a.id}/merge`, { duplicateId: b.id })).status, 200);
      const res = await lead.post(`/customers/${b.id}/merge`, { duplicateId: c.id });
      assert.equal(res.status, 409);
      assert.match(res.body.detail, new RegExp(`merge into customer ${a.id} instead`));
      assert.equal((await agent.get(`/customers/${c.id}`)).body.mergedIntoId, null, 'the third record is untouched');
      assert.equal((await lead.post(`/customers/${a.id}/merge`, { duplicateId: b.id })).status, 409, 'nor merged twice');
    });

    it('merging never duplicates a phone number', async () => {
      const a = await customer({ name: 'Pat Shared', phones: ['+44 20 7946 0101'] });
      const b = await customer({ name: 'P. Shared' });
      // Two records holding the same number is what older data can have.
      await k.sql('INSERT INTO customer_phones (phone, customer_id) VALUES ($1, $2)', ['+442079460101', b.id]);
      const merged = await lead.post(`/customers/${a.id}/merge`, { duplicateId: b.id });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.deepEqual(merged.body.phones, ['+442079460101']);
    });
  });

  describe('phone numbers', () => {
    it('a phone number is kept in E.164 however it is written', async () => {
      const c = await customer({ name: 'Nia Written', phones: ['020 7946 0958', '+44 (0)20 7946 0958', '0044 20 7946 0958'] });
      assert.deepEqual(c.phones, ['+442079460958'], 'three ways of writing one number are one number');
    });

    it('customer search finds a number however it is written', async () => {
      const c = await customer({ name: 'Searchable Caller', phones: ['+44 20 7946 0321'] });
      for (const q of ['+44 20 7946 0321', '020 7946 0321', '0044 20 7946 0321', '02079460321']) {
        const found = (await agent.get(`/customers?q=${encodeURIComponent(q)}`)).body.items.map((x: { id: number }) => x.id);
        assert.deepEqual(found, [c.id], `found by "${q}"`);
      }
    });

    it('a phone number belongs to one customer only', async () => {
      await customer({ name: 'First Holder', phones: ['020 7946 0400'] });
      const dup = await agent.post('/customers', { name: 'Second Holder', phones: ['+44 20 7946 0400'] });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.errors[0].field, 'body.phones');
      assert.match(dup.body.detail, /\+442079460400 already belongs to customer/);
    });

    it('an invalid phone number is refused naming the field, and nothing is created', async () => {
      const before = await count('customers');
      for (const phones of [['020 7946 0500', '020 7946'], ['call me maybe']]) {
        const res = await agent.post('/customers', { name: 'Bad Number', phones });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.type.includes('problems'), true);
        assert.match(res.body.errors[0].field, /^body\.phones\.\d$/);
      }
      const c = await customer({ name: 'Good Number' });
      const patched = await agent.patch(`/customers/${c.id}`, { phones: ['12'] });
      assert.equal(patched.status, 400);
      assert.equal(await count('customers'), before + 1);
    });

    it('a caller is looked up by their number, by any staff who can read customers', async () => {
      const c = await customer({ name: 'Ringing Rae', phones: ['020 7946 0600'] });
      const exec = await k.signedIn('executive');
      for (const phone of ['+44 20 7946 0600', '020 7946 0600', '0044 20 7946 0600']) {
        const res = await exec.get(`/customers/lookup?phone=${encodeURIComponent(phone)}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.id, c.id);
      }
      const unknown = await agent.get(`/customers/lookup?phone=${encodeURIComponent('020 7946 0699')}`);
      assert.equal(unknown.status, 404);
      for (const phone of ['12', '020 7946', 'call me']) {
        const bad = await agent.get(`/customers/lookup?phone=${encodeURIComponent(phone)}`);
        assert.equal(bad.status, 400, phone);
        assert.equal(bad.body.errors[0].field, 'querystring.phone');
      }
      assert.equal((await k.anonymous().get('/customers/lookup?phone=02079460600')).status, 401);
    });

    it('a call from a known number opens the case on that customer, not a new one', async () => {
      const c = await customer({ name: 'Known Caller', phones: ['+44 20 7946 0700'] });
      const before = await count('customers');
      const opened = await agent.post('/cases', { subject: 'Rang about the delivery', channel: 'phone', customer: { name: 'Caller', phones: ['020 7946 0700'] } });
      assert.equal(opened.status, 201, JSON.stringify(opened.body));
      assert.equal(opened.body.customerId, c.id);
      assert.equal(await count('customers'), before);
    });

    it('numbers stored before E.164 are rewritten when Kept starts', async () => {
      const c = await customer({ name: 'Legacy Lou' });
      const d = await customer({ name: 'Legacy Dee' });
      await k.sql(`INSERT INTO customer_phones (phone, customer_id) VALUES ('020 7946 0800', $1), ('+44 20 7946 0800', $1), ('0044 20 7946 0801', $2), ('not a number', $2)`, [c.id, d.id]);
      const restarted = await createKept({ databaseUrl: k.databaseUrl, clock: k.clock, logLevel: 'silent', autoTimers: false, poolSize: 2 });
      await restarted.close();
      assert.deepEqual((await agent.get(`/customers/${c.id}`)).body.phones, ['+442079460800'], 'kept once');
      assert.deepEqual((await agent.get(`/customers/${d.id}`)).body.phones, ['+442079460801', 'not a number'], 'unreadable ones stay as entered');
      assert.equal((await agent.get('/customers/lookup?phone=02079460801')).body.id, d.id);
    });
  });

  describe('names', () => {
    it('a customer given by name only is addressed by the title in it', async () => {
      const c = await customer({ name: 'Mrs Helen Clark' });
      assert.deepEqual([c.title, c.givenName, c.familyName, c.name, c.salutation], ['Mrs', 'Helen', 'Clark', 'Helen Clark', 'Mrs Clark']);
      const kase = (await agent.post('/cases', { subject: 'Order', channel: 'email', customerId: c.id })).body;
      assert.equal((await agent.post(`/cases/${kase.id}/replies`, { body: 'Hi Helen,\n\nthanks.' })).status, 422);
      assert.equal((await agent.post(`/cases/${kase.id}/replies`, { body: 'Dear Mrs Clark,\n\nthanks.' })).status, 201);
    });
  });

  describe('respectful replies', () => {
    const caseFor = async (body: Record<string, unknown>) => {
      const c = await customer(body);
      return (await agent.post('/cases', { subject: 'Reply test', channel: 'email', customerId: c.id })).body.id as number;
    };

    it('an insult aimed at the customer is refused, in English, German and French', async () => {
      const id = await caseFor({ name: 'Sam Target' });
      for (const insult of ['you idiot', 'you are a moron', 'stop being so stupid', 'Sie Idiot', 'du Idiot', "espèce d'idiot", 'vous êtes stupide']) {
        const res = await agent.post(`/cases/${id}/replies`, { body: `Well, ${insult}. We will look again.` });
        assert.equal(res.status, 422, insult);
        assert.equal(res.body.errors[0].rule, 'offensive_language');
        assert.ok(res.body.detail.includes(`"${insult}"`), `${insult}: ${res.body.detail}`);
      }
      const n = await k.sql<{ n: number }>(`SELECT count(*)::int AS n FROM case_entries WHERE case_id = $1 AND kind = 'outbound_reply'`, [id]);
      assert.equal(n[0]!.n, 0, 'nothing was sent');
    });

    it('owning our own stupid mistake is not an insult', async () => {
      const id = await caseFor({ name: 'Sam Fine' });
      const res = await agent.post(`/cases/${id}/replies`, { body: 'That was a stupid mistake on our side, and you are right to be annoyed. Sie haben recht.' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    });

    it('formal address is always allowed, also once first name is', async () => {
      const id = await caseFor({ name: 'John Smith', title: 'Mr', givenName: 'John', familyName: 'Smith', firstNameOk: true });
      assert.equal((await agent.post(`/cases/${id}/replies`, { body: 'Dear Mr Smith,\n\nall done.' })).status, 201);
      assert.equal((await agent.post(`/cases/${id}/replies`, { body: 'Hi John,\n\nall done.' })).status, 201);
    });

    it('a title with a full stop is the same title', async () => {
      const id = await caseFor({ name: 'Rui Silva', title: 'Mr', givenName: 'Rui', familyName: 'Silva' });
      assert.equal((await agent.post(`/cases/${id}/replies`, { body: 'Dear Mr. Silva,\n\nthank you.' })).status, 201);
    });

    it('German and French greetings are read like English ones, and a wrong one says what to write', async () => {
      const mueller = await caseFor({ name: 'Hans Müller', title: 'Herr', givenName: 'Hans', familyName: 'Müller' });
      const schmidt = await caseFor({ name: 'Eva Schmidt', title: 'Mrs', givenName: 'Eva', familyName: 'Schmidt' });
      const dupont = await caseFor({ name: 'Claire Dupont', title: 'Mme', givenName: 'Claire', familyName: 'Dupont' });
      const martin = await caseFor({ name: 'Paul Martin', title: 'Mr', givenName: 'Paul', familyName: 'Martin' });
      const fine: [number, string][] = [
        [mueller, 'Sehr geehrter Herr Müller,'], [mueller, 'Dear Mr Müller,'], [schmidt, 'Sehr geehrte Frau Schmidt,'],
        [dupont, 'Bonjour Madame Dupont,'], [martin, 'Monsieur Martin,'], [martin, 'Bonjour Monsieur Martin,'],
      ];
      for (const [id, greeting] of fine) {
        const res = await agent.post(`/cases/${id}/replies`, { body: `${greeting}\n\nmerci / danke.` });
        assert.equal(res.status, 201, `${greeting}: ${JSON.stringify(res.body)}`);
      }
      const wrong: [number, string, string][] = [
        [mueller, 'Sehr geehrte Frau Müller,', 'Change the greeting to "Sehr geehrter Herr Müller"'],
        [mueller, 'Hallo Hans,', 'Change the greeting to "Hallo Herr Müller"'],
        [schmidt, 'Sehr geehrter Frau Schmidt,', 'Change the greeting to "Sehr geehrte Frau Schmidt"'],
        [martin, 'Bonjour Madame Martin,', 'Change the greeting to "Bonjour Monsieur Martin"'],
      ];
      for (const [id, greeting, fix] of wrong) {
        const res = await agent.post(`/cases/${id}/replies`, { body: `${greeting}\n\nmerci / danke.` });
        assert.equal(res.status, 422, greeting);
        assert.equal(res.body.errors[0].rule, 'salutation');
        assert.ok(res.body.detail.includes(fix), `${greeting}: ${res.body.detail}`);
      }
    });
  });
});
