/** Starting and asking a Kept instance in a process of its own (bench/kept-instance.ts). */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Instance { child: ChildProcess; base: string }
export interface InstanceFigures { roundTrips: number; statements: number; cpuMs: number; maxRssMb: number }

export function startInstance(url: string, options: { poolSize?: number; timerIntervalMs?: number; autoTimers?: boolean } = {}): Promise<Instance> {
  const child = fork(fileURLToPath(new URL('./kept-instance.ts', import.meta.url)), [url, JSON.stringify(options)], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { base: string }) => resolve({ child, base: m.base }));
    child.once('exit', (code) => reject(new Error(`instance exited with ${code}`)));
  });
}

export const stopInstance = (i: Instance) => new Promise<void>((resolve) => {
  i.child.once('exit', () => resolve());
  i.child.send('stop');
});

/** What the instance did since it was last asked: round trips and statements sent, CPU time, highest RSS. */
export const instanceFigures = (i: Instance) => new Promise<InstanceFigures>((resolve) => {
  i.child.once('message', (m: InstanceFigures) => resolve(m));
  i.child.send('figures');
});
