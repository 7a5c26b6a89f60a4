/**
 * The realistic scale data alone, on a throw-away embedded PostgreSQL:
 *   node --import tsx bench/scale.ts --cases 1000000 [--cases 10000000]
 * generates each size into a fresh database and prints the plans and times of the lists, search
 * and pages (see bench/scale/measure.ts). BENCH_SCALE_VERBOSE=1 prints each generation step's time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startEmbeddedCluster } from '../test/helpers/clusters';
import { benchScaleAt, scaleSizes } from './scale/measure';

const { values } = parseArgs({ options: { cases: { type: 'string', multiple: true } } });
const sizes = values.cases?.map(Number) ?? scaleSizes();
const work = path.join(os.tmpdir(), `kept-scale-${process.pid}`);
fs.mkdirSync(work, { recursive: true });
const cluster = await startEmbeddedCluster(work);
if ('skipped' in cluster) throw new Error(String(cluster.skipped));
try {
  for (const n of sizes) await benchScaleAt(cluster, n);
} finally {
  await cluster.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
