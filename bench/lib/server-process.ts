import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLI_ENTRY } from './build.js';
import { processCpuSeconds, processRssMiB, threadCpuSeconds } from './proc.js';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Runs `node dist/cli/main.js ARGS` with the given environment and resolves with its stdout. */
export function runCli(root: string, env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(root, CLI_ENTRY), ...args], { cwd: root, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`lti-exam-provider ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export interface BenchServer {
  pid: number;
  /** Resident memory of the server process now, in MiB (VmRSS from /proc). */
  rssMiB(): number;
  /** CPU seconds the server process has used so far (user + system, from /proc). */
  cpuSeconds(): number;
  /** The main thread's CPU seconds: the event loop. */
  eventLoopCpuSeconds(): number;
  /** Everything the server wrote: with LOG_LEVEL=warn, only warnings and errors. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `node dist/cli/main.js serve` as one separate process: the load generator must not share
 * the server's event loop, and /proc gives its memory and CPU. Resolves once /healthz answers.
 */
export async function startBenchServer(root: string, env: Record<string, string>, port: number, nodeArgs: string[] = []): Promise<BenchServer> {
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(root, CLI_ENTRY), 'serve'], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the server process');

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become healthy in 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid,
    rssMiB: () => processRssMiB(pid),
    cpuSeconds: () => processCpuSeconds(pid),
    eventLoopCpuSeconds: () => threadCpuSeconds(pid, pid),
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
