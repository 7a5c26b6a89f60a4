/**
 * Imports that survive real files: a French survey export in latin-1 with semicolons, several
 * score columns on their own scales, "NA" for missing answers, dates in a stated format.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { startKept, type TestKept } from '../helpers/app';

const MIRO = path.resolve(import.meta.dirname, '../fixtures/nps-miro.csv');

describe('imports that survive real files', { timeout: 120_000 }, () => {
  let k: TestKept;
  let token: string;
  let surveyId: number;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  const send = (query: string, body: Buffer | string, id = surveyId, type = 'text/csv') => fetch(`${k.baseUrl}/api/v1/surveys/${id}/import?${query}`, {
    method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${token}` },
  });
  const count = async () => Number((await k.sql('SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = $1', [surveyId]))[0]!.n);

  // Written as a French office suite exports it: latin-1, semicolons, day/month/year, NA for no answer.
  const FRENCH = [
    'id;date;recommandation;satisfaction;facilité;intention;commentaire;segment',
    '1;03/05/2026;9;8;4;9;Très satisfait, livraison rapide et soignée;Particulier',
    '2;04/05/2026;3;2;2;NA;Colis abîmé, service client injoignable. Je veux être remboursé !;Particulier',
    '3;05/05/2026;10;10;5;10;Équipe à l’écoute, problème réglé en deux jours;Entreprise',
    '4;05/05/2026;7;NA;3;7;;Entreprise',
    '5;06/05/2026;8;11;4;8;Note hors échelle;Particulier',
    '6;31/02/2026;8;7;4;8;Date impossible;Particulier',
    '7;07/05/2026;N/A;null;NA;;;Particulier',
    '8;08/05/2026;6;5;3;5;Délai de livraison trop long, aucune réponse à mes courriels;Entreprise',
  ].join('\r\n');
  const latin1 = iconv.encode(FRENCH.replace('’', "'"), 'latin1');
  const mapping = 'column=recommandation:nps&column=satisfaction:sat&column=facilit%C3%A9:ease&column=intention:stay&column=commentaire:comment'
    + '&refColumn=id&dateColumn=date&dateFormat=DD%2FMM%2FYYYY&segmentColumn=segment';

  before(async () => {
    k = await startKept({ now: '2026-06-01T09:00:00Z' });
    admin = await k.signedIn('admin');
    token = (await admin.post('/auth/tokens', { name: 'import' })).body.token;
    const s = await admin.post('/surveys', {
      name: 'Enquête relationnelle', trigger: 'relationship', active: false,
      questions: [{ kind: 'nps' }, { kind: 'csat', key: 'sat', scale: { min: 1, max: 10 } }, { kind: 'ease' }, { kind: 'stay' }],
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    surveyId = s.body.id;
  });
  after(() => k?.close());

  it('a survey question keeps the scale chosen when the survey was made, and keys are unique', async () => {
    const twice = await admin.post('/surveys', { name: 'x', trigger: 'relationship', questions: [{ kind: 'csat' }, { kind: 'csat' }] });
    assert.equal(twice.status, 422);
    assert.match(JSON.stringify(twice.body), /distinct key/);
    const npsScale = await admin.post('/surveys', { name: 'x', trigger: 'relationship', questions: [{ kind: 'nps', scale: { min: 1, max: 5 } }] });
    assert.equal(npsScale.status, 422);
  });

  it('a dry run reports what would happen and stores nothing', async () => {
    const res = await send(`${mapping}&dryRun=true`, latin1);
    const report = await res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(res.status, 200, JSON.stringify(report));
    assert.equal(report.dryRun, true);
    assert.equal(report.imported, 5);
    assert.equal(await count(), 0);
    assert.equal(report.preview[0].comment, 'Très satisfait, livraison rapide et soignée');
  });

  it('a latin-1 French file: encoding detected and reported, accents intact, NA missing, out-of-scale values and impossible dates rejected with row, column and value', async () => {
    const res = await send(mapping, latin1);
    const report = await res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(res.status, 200, JSON.stringify(report));
    console.log('encoding report:', JSON.stringify(report.encoding), 'delimiter', JSON.stringify(report.delimiter));
    assert.equal(report.encoding.used, 'latin1');
    assert.equal(report.delimiter, ';');
    assert.equal(report.rows, 8);
    assert.equal(report.imported, 5);
    assert.deepEqual(report.rejected.map((r: { line: number; field: string; value: string; rule: string }) => [r.line, r.field, r.value, r.rule]),
      [[6, 'satisfaction', '11', 'scale'], [7, 'date', '31/02/2026', 'date'], [8, 'recommandation', '', 'empty']]);
    assert.equal(report.missing.stay, 2); // NA and empty
    const { items } = (await admin.get(`/survey-responses?survey=${surveyId}&limit=2`)).body;
    const all = [...items];
    let next = (await admin.get(`/survey-responses?survey=${surveyId}&limit=2`)).body.next;
    while (next) {
      const page = (await admin.get(`/survey-responses?survey=${surveyId}&limit=2&after=${next}`)).body;
      all.push(...page.items);
      next = page.next;
    }
    assert.equal(all.length, 5, 'the cursor pages through every answer once');
    const text = all.map((r: { comment: string | null }) => r.comment ?? '').join('\n');
    assert.ok(!text.includes('\uFFFD'), 'no replacement characters');
    assert.match(text, /Équipe à l'écoute, problème réglé/);
    const two = all.find((r: { externalRef: string }) => r.externalRef === '2');
    assert.deepEqual([two.nps, two.answers.sat, two.answers.ease, two.stay, two.segment, two.language, two.complaint], [3, 2, 2, null, 'Particulier', 'fr', true]);
    assert.equal(two.startedAt, '2026-05-04T00:00:00.000Z');
    const questions = (await admin.get(`/survey-figures?survey=${surveyId}`)).body.questions as { key: string; answers: number; mean?: number; ci95?: [number, number] }[];
    const sat = questions.find((q) => q.key === 'sat')!;
    assert.deepEqual([sat.answers, sat.mean], [4, 6.25], 'every question kind has its figure: satisfaction on its own 1–10 scale');
    assert.ok(sat.ci95![0] < 6.25 && sat.ci95![1] > 6.25);
    assert.deepEqual(questions.map((q) => [q.key, q.answers]), [['nps', 5], ['sat', 4], ['ease', 5], ['stay', 4], ['comment', 4]]);
    const four = all.find((r: { externalRef: string }) => r.externalRef === '4');
    assert.ok(!('sat' in four.answers), '"NA" is a missing answer, not a value');
    assert.equal(four.comment, null);
  });

  it('importing the same file again changes nothing', async () => {
    const before = await count();
    const report = await (await send(mapping, latin1)).json() as Record<string, number>;
    assert.equal(report.imported, 0);
    assert.equal(report.unchanged, 5);
    assert.equal(await count(), before);
  });

  it('bad input gets a clear error and stores nothing: binary, unknown encoding, unknown question, missing column, wrong content type, invalid UTF-8', async () => {
    const before = await count();
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const cases: [string, Buffer | string, number, RegExp][] = [
      [mapping, binary, 422, /not a text file/],
      [`${mapping}&encoding=ebcdic`, latin1, 400, /encoding/],
      ['column=recommandation:loyalty', latin1, 422, /no question \\"loyalty\\"/],
      ['column=reco:nps', latin1, 422, /no column \\"reco\\"/],
      [`${mapping}&encoding=utf-8`, latin1, 422, /not valid UTF-8/],
    ];
    for (const [query, body, status, message] of cases) {
      const res = await send(query, body);
      const text = await res.text();
      assert.equal(res.status, status, `${query}: ${text}`);
      assert.match(text, message);
    }
    assert.equal((await send(mapping, latin1, surveyId, 'application/octet-stream')).status, 415);
    assert.equal(await count(), before);
  });

  it('the real Miro export imports with its NPS, utf-8 detected', async () => {
    const s = (await admin.post('/surveys', { name: 'Miro', trigger: 'relationship', questions: [{ kind: 'nps' }], active: false })).body;
    const res = await send('column=NPS_Score:nps&column=text:comment&refColumn=user_id', fs.readFileSync(MIRO), s.id);
    const report = await res.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(report.imported, 441, JSON.stringify(report).slice(0, 500));
    assert.equal(report.encoding.used, 'utf-8');
    const fig = (await admin.get(`/survey-figures?survey=${s.id}`)).body.overall;
    assert.equal(Math.round(fig.nps * 10) / 10, 60.3);
  });
});
