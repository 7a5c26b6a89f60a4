/**
 * What predicts loyalty (driver chart that says in words what matters most) and importing survey
 * answers from a file: a preview of the first rows, the mapping of columns to questions, a dry run,
 * and the upload with a progress bar.
 */
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, csrfHeaders } from '../api';
import { useMe } from '../session';
import type { Drivers, SurveyImportReport } from '../../../src/api-types';
import { ErrorNote, Section } from '../components/ui';

interface SurveyItem { id: number; name: string; questions: { kind: string; key?: string }[] }
const keyOf = (q: { kind: string; key?: string }) => q.key ?? q.kind;

export function Drivers() {
  const me = useMe().data!;
  const surveys = useQuery({ queryKey: ['surveys'], queryFn: () => api<{ items: SurveyItem[] }>('/surveys') });
  const [surveyId, setSurveyId] = useState<number | null>(null);
  const list = surveys.data?.items ?? [];
  const survey = list.find((s) => s.id === surveyId) ?? list[0];
  return (
    <>
      <h1>What predicts loyalty</h1>
      <ErrorNote error={surveys.error} />
      {list.length ? (
        <div className="row filters">
          <label>Survey
            <select value={survey?.id ?? ''} onChange={(e) => setSurveyId(Number(e.target.value))}>
              {list.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </select>
          </label>
        </div>
      ) : <p>No surveys yet.</p>}
      {survey ? <DriverChart survey={survey} /> : null}
      {survey && me.role === 'admin' ? <ImportAnswers survey={survey} /> : null}
    </>
  );
}

function DriverChart({ survey }: { survey: SurveyItem }) {
  const numeric = survey.questions.filter((q) => !['comment', 'remember'].includes(q.kind)).map(keyOf);
  const [outcome, setOutcome] = useState('nps');
  const drivers = useQuery({ queryKey: ['drivers', survey.id, outcome], queryFn: () => api<Drivers>(`/survey-figures/drivers?survey=${survey.id}&outcome=${outcome}`) });
  const d = drivers.data;
  const max = Math.max(0.0001, ...(d?.drivers ?? []).map((x) => x.ci95[1] || x.rawWeight));
  return (
    <Section title="Drivers">
      <label>Outcome
        <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
          {numeric.map((k) => <option key={k} value={k}>{k}</option>)}
        </select>
      </label>
      <ErrorNote error={drivers.error} />
      {d ? (
        <>
          <p className="headline-sentence"><strong>{d.headline ?? d.note ?? 'Not enough answers yet.'}</strong></p>
          {d.r2 !== null ? <p className="meta">R² {d.r2.toFixed(2)} over {d.n.toLocaleString()} complete answers; bars are relative weights, lines their 95 % bootstrap intervals.</p> : null}
          <ul className="drivers" aria-label="Relative weights">
            {d.drivers.map((x) => (
              <li key={x.question}>
                <span className="driver-name">{x.question}</span>
                <span className="driver-bar" aria-hidden="true">
                  <span className="bar" style={{ width: `${(x.rawWeight / max) * 100}%` }} />
                  <span className="ci" style={{ left: `${(x.ci95[0] / max) * 100}%`, width: `${((x.ci95[1] - x.ci95[0]) / max) * 100}%` }} />
                </span>
                <span className="driver-value">{Math.round(x.share * 100)} % · {x.rawWeight.toFixed(3)} ({x.ci95[0].toFixed(3)}–{x.ci95[1].toFixed(3)})</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

/** The first rows of a file, read in the browser for the preview (UTF-8, else latin-1). */
async function previewOf(file: File): Promise<{ headers: string[]; rows: string[][]; delimiter: string }> {
  const bytes = new Uint8Array(await file.slice(0, 64 * 1024).arrayBuffer());
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean).slice(0, 6);
  const first = lines[0] ?? '';
  const delimiter = [';', '\t', '|', ','].reduce((best, d) => (first.split(d).length > first.split(best).length ? d : best), ',');
  const split = (l: string) => l.split(delimiter).map((c) => c.replace(/^"|"$/g, ''));
  return { headers: split(first), rows: lines.slice(1).map(split), delimiter };
}

function ImportAnswers({ survey }: { survey: SurveyItem }) {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<Awaited<ReturnType<typeof previewOf>> | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [refColumn, setRefColumn] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<SurveyImportReport | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const keys = survey.questions.map(keyOf);
  // Only a new file resets the mapping (keys are read at that moment).
  useEffect(() => {
    if (!file) return;
    void previewOf(file).then((p) => {
      setPreview(p);
      // Columns named like a question are mapped to it; the rest wait for the user.
      setMapping(Object.fromEntries(p.headers.filter((h) => keys.includes(h.toLowerCase())).map((h) => [h, h.toLowerCase()])));
    });
  }, [file]);

  const send = (dryRun: boolean) => {
    if (!file) return;
    const query = new URLSearchParams();
    for (const [column, key] of Object.entries(mapping)) if (key) query.append('column', `${column}:${key}`);
    if (refColumn) query.set('refColumn', refColumn);
    if (dryRun) query.set('dryRun', 'true');
    setError(null);
    setReport(null);
    setProgress(0);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/surveys/${survey.id}/import?${query}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    for (const [h, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(h, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && setProgress(e.loaded / e.total);
    xhr.onload = () => {
      setProgress(null);
      const body = JSON.parse(xhr.responseText || 'null');
      if (xhr.status >= 400) setError(new Error(body?.detail ?? `Import failed (${xhr.status})`));
      else setReport(body as SurveyImportReport);
    };
    xhr.onerror = () => { setProgress(null); setError(new Error('The upload failed')); };
    xhr.send(file);
  };

  return (
    <Section title="Import answers from a file">
      <label>CSV file<input type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} /></label>
      {preview ? (
        <>
          <div className="table-scroll">
            <table>
              <caption>First rows of {file?.name}</caption>
              <thead>
                <tr>{preview.headers.map((h) => <th key={h} scope="col">{h}</th>)}</tr>
                <tr>
                  {preview.headers.map((h) => (
                    <td key={h}>
                      <select aria-label={`Question for column ${h}`} value={mapping[h] ?? ''} onChange={(e) => setMapping({ ...mapping, [h]: e.target.value })}>
                        <option value="">not imported</option>
                        {keys.map((k) => <option key={k} value={k}>{k}</option>)}
                      </select>
                    </td>
                  ))}
                </tr>
              </thead>
              <tbody>{preview.rows.map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>)}</tbody>
            </table>
          </div>
          <label>Reference column (re-importing the file then changes nothing)
            <select value={refColumn} onChange={(e) => setRefColumn(e.target.value)}>
              <option value="">none</option>
              {preview.headers.map((h) => <option key={h} value={h}>{h}</option>)}
            </select>
          </label>
          <div className="row">
            <button type="button" onClick={() => send(true)} disabled={progress !== null}>Check (dry run)</button>
            <button type="button" onClick={() => send(false)} disabled={progress !== null}>Import</button>
          </div>
        </>
      ) : null}
      {progress !== null ? <p><label>Uploading <progress max={1} value={progress}>{Math.round(progress * 100)} %</progress></label></p> : null}
      <ErrorNote error={error} />
      {report ? (
        <div role="status">
          <p>{report.dryRun ? 'Dry run: ' : ''}{report.imported.toLocaleString()} of {report.rows.toLocaleString()} rows {report.dryRun ? 'would be ' : ''}imported, {report.unchanged} unchanged, {report.rejectedRows} rejected · encoding {report.encoding.used}{report.encoding.detected ? ` (detected ${report.encoding.detected})` : ''}</p>
          {report.rejected.length ? (
            <ul>{report.rejected.slice(0, 20).map((r, i) => <li key={i}>Row {r.line}, column {r.field}: “{r.value}” — {r.message}</li>)}</ul>
          ) : null}
        </div>
      ) : null}
    </Section>
  );
}
