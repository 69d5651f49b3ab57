import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Job processes still running, so that an interrupted driver can stop them (stopJobProcesses). */
const runningJobs = new Set<ChildProcess>();

/** Asks every job process still running to stop (SIGTERM); the driver calls this when it is interrupted. */
export function stopJobProcesses(): number {
  for (const child of runningJobs) child.kill('SIGTERM');
  return runningJobs.size;
}

/** Runs a job process with its output in a log file; a failure quotes the log's last lines. */
export async function runLogged(
  what: string,
  command: string,
  args: string[],
  options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void },
): Promise<string> {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n=== ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    runningJobs.add(child);
    let stdout = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      log.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (options.onLine) {
        partial += chunk.toString();
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        lines.forEach(options.onLine);
      }
    });
    child.on('error', (error) => {
      runningJobs.delete(child);
      log.end();
      reject(new Error(`${what}: cannot run ${command} (${error.message})`));
    });
    child.on('close', (code, signal) => {
      runningJobs.delete(child);
      log.end(() => {
        if (code === 0) {
          resolve(stdout);
          return;
        }
        const tail = fs.readFileSync(options.logFile, 'utf8').split('\n').slice(-25).join('\n');
        reject(
          new Error(
            `${what} failed (${signal ?? `exit ${code}`}); last lines of ${options.logFile}:\n${tail}`,
          ),
        );
      });
    });
  });
}

/** The last JSON object line a job printed on stdout (the jobs end with one). */
export function lastJsonLine(stdout: string): Record<string, unknown> {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`expected a JSON result line, got:\n${stdout.slice(-500)}`);
  return JSON.parse(line) as Record<string, unknown>;
}
