import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** A CPU profile of a measured window, written only when `BENCH_CPU_PROFILE` names a file. */
export interface WindowProfile {
  stop(): Promise<void>;
}

/**
 * Starts the V8 CPU profiler when `BENCH_CPU_PROFILE` is set, so a profile covers the measured
 * window only (not the setup before it); `stop()` writes it as a `.cpuprofile` that Chrome
 * DevTools or speedscope open. A no-op otherwise.
 */
export async function profileWindow(label: string): Promise<WindowProfile> {
  const target = process.env['BENCH_CPU_PROFILE'];
  if (!target) return { stop: async () => undefined };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      const file = target.replace(/(\.cpuprofile)?$/, `-${label}.cpuprofile`);
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
      process.stderr.write(`wrote ${file}\n`);
    },
  };
}
