/**
 * Counts the lines the ATM job counts as "read" (spark-jobs/bankpipe/job.py): lines that hold at
 * least one non-whitespace character. Spark's text reader ends a line at `\n`, `\r` or `\r\n`,
 * and the job drops lines that do not match `\S` (Java's ASCII whitespace: space, \t, \n, \x0B,
 * \f, \r). Working on bytes gives the same answer for UTF-8 text: every byte of a multi-byte
 * character is >= 0x80, which is not whitespace, as the character is not for Java's `\S`.
 */
export class ContentLineCounter {
  private lines = 0;
  private lineHasContent = false;

  add(chunk: Uint8Array): void {
    for (const byte of chunk) {
      if (byte === 0x0a || byte === 0x0d) {
        if (this.lineHasContent) this.lines += 1;
        this.lineHasContent = false;
      } else if (!WHITESPACE.has(byte)) {
        this.lineHasContent = true;
      }
    }
  }

  /** The count, including a last line without a line end. */
  total(): number {
    return this.lines + (this.lineHasContent ? 1 : 0);
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0b, 0x0c]);

/**
 * True for the keys the job reads under a prefix: Spark skips files and folders whose name starts
 * with '_' or '.' (e.g. _SUCCESS, .tmp), and so must a count that is compared with the job's.
 */
export function isReadByJob(key: string, prefix: string): boolean {
  if (key.endsWith('/')) return false;
  const relative = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  return relative
    .split('/')
    .every((part) => part.length > 0 && !part.startsWith('_') && !part.startsWith('.'));
}
