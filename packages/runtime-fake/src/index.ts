/**
 * @tugboat/runtime-fake: the Runtime contract simulated in memory.
 *
 * A container runs, in order of precedence: the behaviour registered for its name, the behaviour
 * registered for its image, or its command (CRI entrypoint/cmd rules) through a small busybox-sh
 * interpreter. The interpreter knows `sh -c`, quoting, `$VAR`, `;` `&&` `||` `|`, `>` `>>` `>&2`
 * `2>&1`, `while`/`until`/`for`/`if`, `trap` on TERM, `sleep N &` + `wait`, and the commands echo,
 * printf, true, false, :, exit, env, printenv, export, unset, pwd, cd, hostname, whoami, id, uname,
 * date, seq, sleep, wait, trap, cat, head, tail, wc, test/[, touch, rm, mkdir, httpd (idles), sh.
 * Memory is simulated: `head -c SIZE /dev/zero | tail` allocates SIZE bytes in `tail`, and above the
 * container's `memoryLimitBytes` the container ends as `OOMKilled` (exit 137), as on a real kernel.
 * An unknown program fails `startContainer` with `Invalid` (reason `StartError`, exit 128).
 */
export { FakeRuntime, type FakeRuntimeMethod, type FakeRuntimeOptions } from './FakeRuntime.js';
export { FakeNode, type FakeNodeOptions } from './FakeNode.js';
export {
  FakeBehaviours,
  behaviours,
  type FakeBehaviour,
  type FakeBehaviourSource,
  type FakeContainerInfo,
  type FakeExecResult,
  type FakeStep,
} from './FakeBehaviour.js';
export { ManualClock, systemClock, type FakeClock, type TimerHandle } from './FakeClock.js';
export type { FakeImageSpec } from './internal/ImageStore.js';
export { fakeRuntimeModule } from './module.js';
