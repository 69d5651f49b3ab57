/**
 * Writes JSON-lines files into the SFTP drop folder. Each file is written under a hidden temporary
 * name (".<name>.partial") and renamed into place only when complete, so a poller never sees half a
 * file. Existing files are never overwritten unless asked (a poller may already have taken them).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { OutputLine } from './line-mixer';
import { temporaryPathFor, type LineSink } from './line-sink';
import type { FileStats } from './summary';

export const OUTPUT_EXTENSION = '.jsonl';

export interface FileSinkOptions {
  dir: string;
  prefix: string;
  linesPerFile: number;
  totalLines: number;
  overwrite: boolean;
}

export function outputFileNames(prefix: string, totalLines: number, linesPerFile: number): string[] {
  const count = Math.max(1, Math.ceil(totalLines / linesPerFile));
  const width = Math.max(5, String(count).length);
  return Array.from(
    { length: count },
    (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}${OUTPUT_EXTENSION}`,
  );
}

interface OpenFile {
  fd: number;
  stats: FileStats;
}

export class FileSink implements LineSink {
  readonly description: string;
  readonly files: FileStats[] = [];
  private readonly names: string[];
  private open: OpenFile | null = null;

  constructor(private readonly options: FileSinkOptions) {
    this.description = `files in ${options.dir}`;
    this.names = outputFileNames(options.prefix, options.totalLines, options.linesPerFile);
    try {
      mkdirSync(options.dir, { recursive: true });
    } catch (error) {
      throw new Error(`--out ${options.dir}: cannot create the folder (${(error as Error).message})`);
    }
    if (!options.overwrite) {
      const existing = this.names.filter((name) => existsSync(join(options.dir, name)));
      if (existing.length > 0) {
        throw new Error(
          `--out ${options.dir} already holds ${existing[0]}${existing.length > 1 ? ` and ${existing.length - 1} more` : ''}. ` +
            'A poller may already have picked them up: use another --prefix or folder, or pass --overwrite.',
        );
      }
    }
  }

  /** Final paths of all files this run writes (some may not exist yet). */
  get paths(): string[] {
    return this.names.map((name) => join(this.options.dir, name));
  }

  write(lines: readonly OutputLine[]): void {
    // One write per call (a batch of ~1000 lines): text is not held across batches, which keeps the
    // garbage collector cheap on 10M-line runs.
    let chunk = '';
    let file = this.open;
    for (const line of lines) {
      if (!file) file = this.openNext();
      const stats = file.stats;
      chunk += line.text + '\n';
      stats.lines += 1;
      if (line.kind === 'good') stats.good += 1;
      else if (line.kind === 'bad') stats.bad += 1;
      else stats.duplicates += 1;
      if (stats.lines === this.options.linesPerFile) {
        writeSync(file.fd, chunk);
        chunk = '';
        this.finish(file);
        file = null;
      }
    }
    if (file && chunk.length > 0) writeSync(file.fd, chunk);
  }

  close(): void {
    if (this.open) this.finish(this.open);
  }

  abort(): void {
    if (!this.open) return;
    closeSync(this.open.fd);
    rmSync(temporaryPathFor(join(this.options.dir, this.open.stats.name)), { force: true });
    this.open = null;
  }

  private openNext(): OpenFile {
    const name = this.names[this.files.length];
    if (name === undefined)
      throw new Error(`internal: more lines than planned for ${this.names.length} file(s)`);
    const stats = { name, lines: 0, good: 0, bad: 0, duplicates: 0 };
    this.open = { fd: openSync(temporaryPathFor(join(this.options.dir, name)), 'w'), stats };
    this.files.push(stats);
    return this.open;
  }

  private finish(file: OpenFile): void {
    fsyncSync(file.fd);
    closeSync(file.fd);
    const finalPath = join(this.options.dir, file.stats.name);
    renameSync(temporaryPathFor(finalPath), finalPath);
    this.open = null;
  }
}
