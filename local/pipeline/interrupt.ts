/**
 * Ctrl-C during a demo run. A terminal sends SIGINT to the whole foreground process group, so the
 * generator, Spark and the warehouse load are being stopped anyway: the driver abandons the current
 * step rather than finishing it, and leaves the ledger so that the next run resumes (its own
 * executions ABORTED as interrupted, the start-run lease given up, job processes it started asked
 * to stop). Everything here is synchronous, so the process exits with the ledger written, and a
 * second signal (tsx relays the terminal's SIGINT once more) finds the work done.
 */
export interface InterruptHandling {
  /** What the run is doing now, for the message ("orchestration"). */
  readonly stage: () => string;
  /** Leaves the run's state for the next run; returns what it did, one phrase per item. */
  readonly abandon: () => string[];
  readonly write?: (text: string) => void;
}

/** Exit status of a process ended by SIGINT / SIGTERM, as shells report it (128 + signal number). */
export const INTERRUPTED_EXIT: Readonly<Record<'SIGINT' | 'SIGTERM', number>> = { SIGINT: 130, SIGTERM: 143 };

export function abandonOnInterrupt(handling: InterruptHandling): void {
  const write = handling.write ?? ((text: string) => process.stdout.write(text));
  let handled = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM'): void => {
    if (handled) return;
    handled = true;
    let left: string[];
    try {
      left = handling.abandon();
    } catch (error) {
      left = [
        `could not record the interruption (${(error as Error).message}); the next run finds it by pid`,
      ];
    }
    write(
      `\n\n  interrupted (${signal}) during ${handling.stage()}` +
        left.map((item) => `\n    - ${item}`).join('') +
        "\n  The next `make demo` resumes: it finishes this run's ingest and re-runs the hours it left.\n",
    );
    process.exit(INTERRUPTED_EXIT[signal]);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}
