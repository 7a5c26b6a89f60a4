/** A bench's own database on the cluster, dropped if a previous run left it, created and migrated. */
import pg from 'pg';
import { migrate } from '../src/core/db/migrate';
import { dbUrl, type Cluster } from '../test/helpers/clusters';

export async function freshDatabase(cluster: Pick<Cluster, 'adminUrl'>, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    // FORCE: a run killed half-way may have left connections open on it.
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = dbUrl(cluster.adminUrl, name);
  await migrate(url);
  return url;
}
