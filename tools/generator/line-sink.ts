/**
 * Where output lines go (files in the SFTP drop, Kafka, stdout) and a helper for writing small
 * side files (summary, sidecars, customers) atomically.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { OutputLine } from './line-mixer';

export interface LineSink {
  /** Human name for errors and logs, e.g. "files in /srv/drop" or "Kafka topic transactions". */
  readonly description: string;
  write(lines: readonly OutputLine[]): Promise<void> | void;
  /** Finishes normally: flushes and publishes everything written. */
  close(): Promise<void> | void;
  /** Gives up after an error or interrupt: removes anything half-written. */
  abort(): Promise<void> | void;
}

/** Temporary name used next to `finalPath` while it is being written; pollers must ignore it. */
export function temporaryPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.partial`);
}

/** Writes a whole file under a temporary name, then renames it into place (atomic on one filesystem). */
export function writeFileAtomically(finalPath: string, content: string): void {
  mkdirSync(dirname(finalPath), { recursive: true });
  const temporary = temporaryPathFor(finalPath);
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, finalPath);
}
