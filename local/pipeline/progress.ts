/** Stage lines on stdout (what a person watches) and in-place progress on a terminal. */
export interface Progress {
  stage(title: string): void;
  step(message: string): void;
  /** A line that is redrawn in place on a terminal, printed every few seconds otherwise. */
  update(message: string): void;
  done(message: string): void;
}

export function consoleProgress(out: NodeJS.WriteStream = process.stdout): Progress {
  const started = Date.now();
  let stageNumber = 0;
  let lastUpdate = 0;
  let pending = false;
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const endUpdate = (): void => {
    if (pending && out.isTTY) out.write('\n');
    pending = false;
  };
  return {
    stage(title) {
      endUpdate();
      stageNumber += 1;
      out.write(`\n\u001b[1m[${stageNumber}] ${title}\u001b[0m  (${elapsed()})\n`);
    },
    step(message) {
      endUpdate();
      out.write(`    ${message}\n`);
    },
    update(message) {
      if (out.isTTY) {
        out.write(`\r\u001b[2K    ${message}`);
        pending = true;
      } else if (Date.now() - lastUpdate >= 5000) {
        out.write(`    ${message}\n`);
        lastUpdate = Date.now();
      }
    },
    done(message) {
      endUpdate();
      out.write(`    \u2713 ${message}  (${elapsed()})\n`);
    },
  };
}
