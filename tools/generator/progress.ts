/**
 * A dependency-free progress bar on stderr. On a terminal it redraws one line in place; when forced
 * with --progress on a non-terminal (CI logs, files) it prints a plain line every few seconds.
 */
import type { Writable } from 'node:stream';

export interface ProgressOptions {
  total: number;
  stream: Writable & { isTTY?: boolean; columns?: number };
  /** true: draw; false: stay silent */
  enabled: boolean;
  now?: () => number;
}

const TTY_REDRAW_MS = 200;
const PLAIN_REDRAW_MS = 5000;

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export class ProgressBar {
  private done = 0;
  private readonly startedAt: number;
  private lastDrawAt = -Infinity;
  private readonly now: () => number;
  private readonly tty: boolean;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => Date.now());
    this.startedAt = this.now();
    this.tty = options.stream.isTTY === true;
  }

  tick(count: number): void {
    this.done += count;
    if (!this.options.enabled) return;
    const at = this.now();
    if (at - this.lastDrawAt < (this.tty ? TTY_REDRAW_MS : PLAIN_REDRAW_MS)) return;
    this.lastDrawAt = at;
    this.draw(at);
  }

  finish(): void {
    if (!this.options.enabled) return;
    this.draw(this.now());
    if (this.tty) this.options.stream.write('\n');
  }

  /** The text of the bar, exposed for tests. */
  render(at: number): string {
    const { total } = this.options;
    const fraction = total > 0 ? Math.min(1, this.done / total) : 1;
    const elapsed = Math.max(0.001, (at - this.startedAt) / 1000);
    const rate = this.done / elapsed;
    const eta = rate > 0 ? (total - this.done) / rate : Number.NaN;
    const width = 30;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    return (
      `[${bar}] ${(fraction * 100).toFixed(1).padStart(5)}% ${formatCount(this.done)}/${formatCount(total)} lines ` +
      `${formatCount(Math.round(rate))}/s elapsed ${formatDuration(elapsed)} eta ${formatDuration(eta)}`
    );
  }

  private draw(at: number): void {
    const text = this.render(at);
    if (this.tty) this.options.stream.write(`\r${text}\x1b[K`);
    else this.options.stream.write(`${text}\n`);
  }
}
