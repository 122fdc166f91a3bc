import type { FakeStep } from '../FakeBehaviour.js';
import { ExitNow, type Proc } from './Proc.js';

/** Runs a scripted behaviour's steps in a process; resolves with exit code 0 after the last step. */
export async function runSteps(
  steps: readonly FakeStep[],
  proc: Proc,
  write: (stream: 'stdout' | 'stderr', text: string) => void,
): Promise<number> {
  for (const step of steps) {
    if ('log' in step) write(step.stream ?? 'stdout', `${step.log}\n`);
    else if ('sleepMs' in step) await proc.wait(step.sleepMs);
    else if ('exit' in step) throw new ExitNow({ exitCode: step.exit });
    else if ('oom' in step) throw new ExitNow({ exitCode: 137, reason: 'OOMKilled' });
    else if ('forever' in step) await proc.wait();
    else {
      const waits = step.repeat.some((s) => 'sleepMs' in s || 'forever' in s);
      for (let i = 0; step.times === undefined || i < step.times; i++) {
        await runSteps(step.repeat, proc, write);
        // A repeat-forever with no wait inside would never yield; idle instead.
        if (step.times === undefined && !waits) await proc.wait();
      }
    }
  }
  return 0;
}
