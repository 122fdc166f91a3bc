import net from 'node:net';

import type { Clock } from '@tugboat/core';

import { joinHostPort, netErrorMessage } from './netErrorMessage.js';
import type { ProbeOutcome } from './ProbeOutcome.js';

/**
 * The tcpSocket handler: success when a TCP connection to `host:port` opens within `timeoutMs`
 * (then closed at once), failure with the dial error otherwise. Aborting `signal` drops the attempt.
 */
export function tcpProbe(
  host: string,
  port: number,
  timeoutMs: number,
  clock: Clock,
  signal?: AbortSignal,
): Promise<ProbeOutcome> {
  const hostPort = joinHostPort(host, port);
  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host, port });
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      socket.destroy();
      resolve(outcome);
    };
    const timer = clock.setTimeout(() => {
      finish({ result: 'failure', output: `dial tcp ${hostPort}: i/o timeout` });
    }, timeoutMs);
    const abort = (): void => {
      finish({ result: 'error', output: 'probe cancelled' });
    };
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort);
    socket.once('connect', () => {
      finish({ result: 'success', output: '' });
    });
    socket.on('error', (err) => {
      finish({ result: 'failure', output: netErrorMessage(err, hostPort, host) });
    });
  });
}
