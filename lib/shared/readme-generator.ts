import * as fs from 'node:fs';
import * as path from 'node:path';
import * as prettier from 'prettier';
import type { ReadmeSection } from './readme-section';
import { REPO_ROOT } from './repo-root';

const README = path.join(REPO_ROOT, 'README.md');

/**
 * The last step of a README generator (`make config-docs`, `make cost`): with
 * `check`, compares the README's section with `text` (by `same`, which ignores
 * what a formatter changes) and returns 1, saying how to fix it, when they
 * disagree; else writes `text` there and returns 0. Only the section is
 * formatted, as `make check` wants it: the rest of the README is left as it
 * is. `lead` starts each message (a blank line after other output).
 */
export async function writeOrCheckReadmeSection(
  section: ReadmeSection,
  text: string,
  same: (current: string | undefined, text: string) => boolean,
  check: boolean,
  lead = '',
): Promise<number> {
  const { name, source, command } = section.generator;
  const readme = fs.readFileSync(README, 'utf8');
  if (check) {
    if (!same(section.current(readme), text)) {
      console.error(
        `${lead}README.md ${name} differs from ${source}. Fix: run \`${command}\` and commit README.md`,
      );
      return 1;
    }
    console.log(`${lead}README.md ${name} matches ${source}.`);
    return 0;
  }
  const options = (await prettier.resolveConfig(README)) ?? {};
  const formatted = await prettier.format(text, { ...options, filepath: README });
  fs.writeFileSync(README, section.replace(readme, formatted.trimEnd()));
  console.log(`${lead}README.md ${name} written.`);
  return 0;
}

/**
 * Runs a generator's `main` with the command line and sets its exit code. An
 * error `expected` accepts (one the user can fix) is printed as its message
 * with exit code 1; any other is thrown on, with its stack.
 */
export function runGenerator(
  main: (argv: readonly string[]) => Promise<number>,
  expected: (error: unknown) => boolean,
): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (!expected(error)) throw error;
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
