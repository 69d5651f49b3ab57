/**
 * A block of README.md that a generator writes (`make config-docs`, `make cost`),
 * between two HTML comment markers that Markdown does not show.
 */
export interface ReadmeSection {
  /** The opening marker, e.g. `<!-- cost:begin -->`. */
  readonly begin: string;
  /** The closing marker, e.g. `<!-- cost:end -->`. */
  readonly end: string;
  /** The README heading the markers belong under, named in the error when they are missing. */
  readonly heading: string;
}

function markerPositions(readme: string, section: ReadmeSection): { begin: number; end: number } | undefined {
  const begin = readme.indexOf(section.begin);
  const end = readme.indexOf(section.end);
  return begin < 0 || end < begin ? undefined : { begin, end };
}

/** The section as the README holds it now, markers included, or undefined without both markers. */
export function currentReadmeSection(readme: string, section: ReadmeSection): string | undefined {
  const at = markerPositions(readme, section);
  return at === undefined ? undefined : readme.slice(at.begin, at.end + section.end.length);
}

/**
 * `readme` with the section (markers included) replaced by `text`, which brings
 * its own markers; a README without both markers is an error that says where they go.
 */
export function replaceReadmeSection(readme: string, section: ReadmeSection, text: string): string {
  const at = markerPositions(readme, section);
  if (at === undefined) {
    throw new Error(
      `README.md has no ${section.begin} ... ${section.end} block. Fix: put both markers under "${section.heading}"`,
    );
  }
  return readme.slice(0, at.begin) + text + readme.slice(at.end + section.end.length);
}
