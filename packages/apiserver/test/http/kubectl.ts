import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real kubectl on this machine. */
export const kubectlPath = '/usr/bin/kubectl';

/** The result of one kubectl run. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real kubectl against one server with its own HOME, cache dir and kubeconfig. */
export class Kubectl {
  private constructor(
    private readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** A kubectl for `server` (plain HTTP, or HTTPS with insecure-skip-tls-verify) sending bearer `token`. */
  static async forServer(server: string, token = 'test-token'): Promise<Kubectl> {
    const dir = await mkdtemp(join(tmpdir(), 'tug-kubectl-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: test\n  cluster:\n    server: ${server}${server.startsWith('https') ? '\n    insecure-skip-tls-verify: true' : ''}`,
        'users:',
        `- name: test\n  user:\n    token: ${token}`,
        'contexts:',
        '- name: test\n  context:\n    cluster: test\n    user: test\n    namespace: default',
        'current-context: test',
        '',
      ].join('\n'),
    );
    return new Kubectl(dir, {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      KUBECACHEDIR: join(dir, 'cache'),
      KUBECONFIG: kubeconfig,
    });
  }

  /** Runs kubectl to completion (`stdin` is piped in when given). */
  run(args: readonly string[], stdin?: string): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        kubectlPath,
        [...args],
        { env: this.env, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code =
            err === null
              ? 0
              : typeof (err as { code?: unknown }).code === 'number'
                ? (err as { code: number }).code
                : 1;
          resolve({ code, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  }

  /** Runs kubectl and returns stdout, throwing with stderr when it fails. */
  async ok(args: readonly string[], stdin?: string): Promise<string> {
    const res = await this.run(args, stdin);
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${res.code}): ${res.stderr}`);
    return res.stdout;
  }

  /** Starts a long-running kubectl (e.g. `get -w`); the caller must `kill` it. */
  start(args: readonly string[]): ChildProcessWithoutNullStreams {
    return spawn(kubectlPath, [...args], { env: this.env });
  }

  /** Removes the temporary HOME. */
  cleanup(): Promise<void> {
    return rm(this.dir, { recursive: true, force: true });
  }
}
