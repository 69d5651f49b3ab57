/** One item of an estimate: what bills, how it was counted, and its dollars. */
export interface PricedLine {
  readonly item: string;
  /** Quantity × unit price, spelled out (e.g. `3 × kafka.t3.small × 730 h × $0.0456`). */
  readonly basis: string;
  readonly usd: number;
}

export function totalOf(lines: readonly PricedLine[]): number {
  return lines.reduce((sum, line) => sum + line.usd, 0);
}

/** Dollars with cents below $10, whole dollars above, for the per-item lines. */
export function formatUsd(usd: number): string {
  return usd < 10 ? `$${usd.toFixed(2)}` : `$${Math.round(usd).toLocaleString('en-US')}`;
}

/** A price as written in a basis: no trailing zeros. */
export function formatPrice(usd: number): string {
  return `$${Number(usd.toPrecision(6)).toString()}`;
}
