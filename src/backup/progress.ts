/** A progress bar on stderr (stdout stays for results); without a terminal, a line every few seconds. */
import type { Progress } from './tables';

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  const tty = stream.isTTY === true;
  let last = 0;
  return (p) => {
    const now = Date.now();
    const final = p.phase === 'done';
    if (!final && now - last < (tty ? 100 : 2000)) return;
    last = now;
    const share = p.totalRows ? Math.min(1, p.rows / p.totalRows) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const what = final ? 'done' : p.phase === 'tables' ? (p.table ?? '') : p.phase;
    const line = `${label} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${p.rows.toLocaleString('en')}/${p.totalRows.toLocaleString('en')} rows, ${(p.bytes / 1048576).toFixed(1)} MiB ${what}`;
    stream.write(tty ? `\r${line.padEnd(110)}${final ? '\n' : ''}` : `${line}\n`);
  };
}
