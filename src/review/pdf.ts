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
  doc.end();
  return done;
}
