import { ConfigError } from './config-error';

/** A VPC CIDR must be a well-formed RFC 1918 block sized /16 to /24. */
export function checkPrivateCidr(key: string, cidr: unknown): void {
  const fix = "use a private IPv4 block sized /16 to /24, e.g. '10.40.0.0/16'";
  const match =
    typeof cidr === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr) : null;
  if (!match) {
    throw new ConfigError(key, `${JSON.stringify(cidr)} is not an IPv4 CIDR`, fix);
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) {
    throw new ConfigError(key, `${cidr} has an octet above 255`, fix);
  }
  if (prefix < 16 || prefix > 24) {
    throw new ConfigError(key, `${cidr} has a /${prefix} prefix`, fix);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  if (address % 2 ** hostBits !== 0) {
    throw new ConfigError(key, `${cidr} has host bits set`, `use the network address of the block, ${fix}`);
  }
  const [a, b] = octets;
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!isPrivate) {
    throw new ConfigError(key, `${cidr} is not a private (RFC 1918) range`, fix);
  }
}
