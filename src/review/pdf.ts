/** The review as a PDF (pdfkit): the headline with its interval, the trend, and the rest as text. */
import PDFDocument from 'pdfkit';
import type { Review } from './service';

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
const num = (v: number | null) => (v === null ? '—' : v.toFixed(1));

export function reviewPdf(r: Review): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${r.organisation} — loyalty review ${r.month}` } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.fontSize(20).text(`${r.organisation}: monthly loyalty review`);
  doc.fontSize(12).fillColor('#555').text(`${r.month} (${r.timeZone})`).moveDown();
  doc.fillColor('#000').fontSize(14).text(`NPS ${num(r.nps.nps)}`, { continued: true }).fontSize(11)
    .text(`   95 % interval ${num(r.nps.low)} to ${num(r.nps.high)}, ${r.nps.answers} answers`);
  doc.fontSize(11).text(r.nps.change === null ? 'No comparison with last month.' : `Change since last month: ${r.nps.change > 0 ? '+' : ''}${r.nps.change.toFixed(1)} — ${r.nps.significantChange ? 'a real change (beyond 1.96 × the combined standard error)' : 'within the noise'}.`).moveDown();

  // The trend: each month's NPS as a dot with its interval as a line.
  const x0 = 70, y0 = doc.y + 10, w = 440, h = 150;
  doc.rect(x0, y0, w, h).stroke('#ccc');
  const y = (v: number) => y0 + h - ((v + 100) / 200) * h;
  doc.moveTo(x0, y(0)).lineTo(x0 + w, y(0)).dash(3, { space: 3 }).stroke('#999').undash();
  r.trend.forEach((t, i) => {
    const x = x0 + ((i + 0.5) * w) / r.trend.length;
    doc.fillColor('#555').fontSize(8).text(t.month, x - 18, y0 + h + 4, { width: 36, align: 'center' });
    if (t.nps === null) return;
    doc.moveTo(x, y(t.high!)).lineTo(x, y(t.low!)).stroke('#0b5cad');
    doc.circle(x, y(t.nps), 3).fill('#0b5cad');
    doc.fillColor('#000').fontSize(8).text(t.nps.toFixed(0), x + 5, y(t.nps) - 4);
  });
  doc.fillColor('#000').fontSize(11).text('', x0, y0 + h + 24).moveDown();

  doc.fontSize(13).text('Response rate').fontSize(11).text(`${pct(r.responseRate.rate)} (${r.responseRate.answered} of ${r.responseRate.invitations} invitations)`).moveDown(0.5);
  const d = r.detractorFollowUps;
  doc.fontSize(13).text('Detractor follow-ups').fontSize(11)
    .text(`${d.detractors} unhappy answers; ${d.withRecovery} opened a recovery; ${d.fixedWithin24h} fixed within 24 h, ${d.fixedLate} late, ${d.stillOpen} still open; loyalty recovered for ${d.loyaltyRecovered}.`).moveDown(0.5);
  doc.fontSize(13).text('Promises kept').fontSize(11).text(`${pct(r.promises.keptRate)} (${r.promises.kept} kept, ${r.promises.broken} broken)`).moveDown(0.5);
  doc.fontSize(13).text('Recoveries').fontSize(11).text(`${r.recoveries.opened} opened; ${pct(r.recoveries.shareFixedWithin24h)} fixed within 24 h; mean time to fix ${num(r.recoveries.meanHoursToFix)} h; surprise rate ${pct(r.recoveries.surpriseRate)}.`).moveDown(0.5);
  doc.fontSize(13).text('What customers wrote about').fontSize(11);
  for (const t of r.themes) doc.text(`• ${t.phrase} (${t.comments} comments) — “${t.example}”`);
  if (!r.themes.length) doc.text('No recurring themes this month.');
  journeyPage(doc, r);
  doc.end();
  return done;
}

/** The moments of truth, the departments, the stars and the seven inputs, on pages of their own. */
function journeyPage(doc: PDFKit.PDFDocument, r: Review) {
  doc.addPage();
  doc.fillColor('#000').fontSize(16).text('Moments of truth');
  doc.fontSize(10).fillColor('#555').text(`NPS per touchpoint with its 95 % interval; the experience score weighs a bad experience ${r.journey.badExperienceWeight} times a good one.`).moveDown(0.5);
  const tps = r.journey.touchpoints;
  const x0 = 170, w = 330, rowH = 22;
  let y0 = doc.y + 4;
  const x = (v: number) => x0 + ((v + 100) / 200) * w;
  doc.moveTo(x(0), y0).lineTo(x(0), y0 + rowH * Math.max(tps.length, 1)).dash(2, { space: 2 }).stroke('#999').undash();
  tps.forEach((t, i) => {
    const y = y0 + i * rowH + rowH / 2;
    const weak = r.journey.weakest?.key === t.key && r.journey.weakest.significant;
    doc.fillColor(weak ? '#b42318' : '#000').fontSize(10).text(`${t.name}${t.momentOfTruth ? ' ★' : ''}`, 50, y - 5, { width: 115 });
    if (t.nps === null) { doc.fillColor('#777').fontSize(9).text('no answers', x0 + 4, y - 5); return; }
    doc.moveTo(x(t.low!), y).lineTo(x(t.high!), y).lineWidth(2).stroke(weak ? '#b42318' : '#0b5cad').lineWidth(1);
    doc.circle(x(t.nps), y, 3.5).fill(weak ? '#b42318' : '#0b5cad');
    doc.fillColor('#000').fontSize(8).text(`${t.nps.toFixed(0)}  (exp. ${t.experienceScore === null ? '—' : t.experienceScore.toFixed(0)}, n=${t.answers})`, x(t.high!) + 6, y - 4, { lineBreak: false });
  });
  y0 += rowH * Math.max(tps.length, 1) + 4;
  doc.fillColor('#555').fontSize(8).text('-100', x(-100) - 8, y0).text('0', x(0) - 3, y0).text('100', x(100) - 10, y0);
  doc.fillColor('#000').fontSize(10).text('', 50, y0 + 16);
  const wk = r.journey.weakest;
  doc.text(wk ? `Weakest moment: ${wk.name}, ${wk.difference.toFixed(0)} NPS points against the rest (95 % interval ${wk.low.toFixed(0)} to ${wk.high.toFixed(0)}): ${wk.significant ? 'significantly worse' : 'not significantly worse — no moment is singled out'}.` : 'Too few touchpoints with answers to name a weakest moment.');
  const c = r.journey.consistency;
  doc.text(`Consistency: ${pct(c.mixedShare)} of ${c.customersWithSeveralAnswers} customers with several answers had both a promoter and a detractor experience within 30 days; spread of touchpoint NPS ${num(c.npsSpread)} (range ${num(c.npsRange)}).`).moveDown();

  doc.fontSize(14).text('Department scorecards').fontSize(9);
  for (const d of r.scorecards) {
    doc.font('Helvetica-Bold').text(d.name, { continued: true }).font('Helvetica').text(
      `  caused ${d.casesCaused} cases · promises kept ${pct(d.promises.keptRate)} (${d.promises.kept}/${d.promises.kept + d.promises.broken}) · recoveries caused ${d.recoveries.caused}, ${pct(d.recoveries.shareWithin24h)} within 24 h · NPS of customers its failures touched ${num(d.loyalty.touchedByFailures.nps)} vs ${num(d.loyalty.others.nps)} · first-contact resolution ${pct(d.firstContact.resolutionRate)} · internal requests ${d.internalRequests.received}, ${pct(d.internalRequests.standardMetRate)} within standard`);
  }
  if (!r.scorecards.length) doc.text('No departments.');
  doc.moveDown().fontSize(14).text('Service stars').fontSize(9).text('Shrunk toward the team rate by sample size; never from sales, volume or handle time.');
  for (const p of r.stars) doc.text(`${p.star ? '★ ' : ''}${p.name}: ${p.score.toFixed(0)} (95 % ${p.low.toFixed(0)}–${p.high.toFixed(0)}, ${p.moments} moments)`);
  if (!r.stars.length) doc.text('No recognition recorded this month.');

  doc.moveDown().fontSize(14).text(`The seven loyalty inputs (${r.inputs.quarter})`).fontSize(9);
  const bx = 300, bw = 200;
  for (const i of r.inputs.items) {
    const y = doc.y;
    doc.fillColor('#000').text(`${i.name}${i.leader ? ` — ${i.leader}` : ''}`, 50, y, { width: 240 });
    const lx = (v: number) => bx + ((v - 1) / 4) * bw;
    doc.moveTo(bx, y + 5).lineTo(bx + bw, y + 5).stroke('#ddd');
    if (i.min !== null && i.max !== null) doc.moveTo(lx(i.min), y + 5).lineTo(lx(i.max), y + 5).lineWidth(3).stroke('#9db7d5').lineWidth(1);
    if (i.current !== null) doc.circle(lx(i.current), y + 5, 3).fill('#0b5cad');
    if (i.target !== null) doc.rect(lx(i.target) - 3, y + 2, 6, 6).fill('#2da44e');
    doc.fillColor('#000').text('', 50, Math.max(doc.y, y + 14));
  }
  doc.fillColor('#555').text('Scale 1–5: dot = where we are (mean of raters), bar = spread of raters, square = where we want to be.').fillColor('#000');
  doc.moveDown(0.5).fontSize(11).text(`Overdue actions: ${r.inputs.overdueActions.length}`).fontSize(9);
  for (const a of r.inputs.overdueActions) doc.text(`• ${a.input}: ${a.text} — ${a.owner ?? 'no owner'}, due ${new Date(a.dueAt).toISOString().slice(0, 10)} (${a.status})`);
}
