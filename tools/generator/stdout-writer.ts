/** Writes lines to stdout (when neither --out nor --kafka-brokers is given), honouring back-pressure. */
import type { Writable } from 'node:stream';
import type { OutputLine } from './line-mixer';
import type { LineSink } from './line-sink';

export class StdoutSink implements LineSink {
  readonly description = 'stdout';

  constructor(private readonly stream: Writable = process.stdout) {}

  async write(lines: readonly OutputLine[]): Promise<void> {
    let chunk = '';
    for (const line of lines) chunk += line.text + '\n';
    if (!this.stream.write(chunk)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  close(): void {}

  abort(): void {}
}
