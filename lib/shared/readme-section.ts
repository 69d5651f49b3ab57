/**
 * A block of README.md that a generator writes (`make config-docs`, `make cost`),
 * between two HTML comment markers that Markdown does not show.
 */
export class ReadmeSection {
  /**
   * @param begin the opening marker, e.g. `<!-- cost:begin -->`
   * @param end the closing marker, e.g. `<!-- cost:end -->`
   * @param heading the README heading the markers belong under, named in the error when they are missing
   * @param generator what the generator's messages call the section, what it must agree with and the command that writes it
   */
  constructor(
    readonly begin: string,
    readonly end: string,
    readonly heading: string,
    readonly generator: { readonly name: string; readonly source: string; readonly command: string },
  ) {}

  /** The section as the README holds it now, markers included, or undefined without both markers. */
  current(readme: string): string | undefined {
    const at = this.markerPositions(readme);
    return at === undefined ? undefined : readme.slice(at.begin, at.end + this.end.length);
  }

  /**
   * `readme` with the section (markers included) replaced by `text`, which brings
   * its own markers; a README without both markers is an error that says where they go.
   */
  replace(readme: string, text: string): string {
    const at = this.markerPositions(readme);
    if (at === undefined) {
      throw new Error(
        `README.md has no ${this.begin} ... ${this.end} block. Fix: put both markers under "${this.heading}"`,
      );
    }
    return readme.slice(0, at.begin) + text + readme.slice(at.end + this.end.length);
  }

  private markerPositions(readme: string): { begin: number; end: number } | undefined {
    const begin = readme.indexOf(this.begin);
    const end = readme.indexOf(this.end);
    return begin < 0 || end < begin ? undefined : { begin, end };
  }
}
