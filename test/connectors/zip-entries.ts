import * as fs from 'node:fs';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;

/**
 * The entry names of a zip file, read from its central directory (the index at
 * the end of every zip). Enough for the plugin zips, which Maven writes without
 * zip64 or multi-disk archives; anything else is refused, not misread.
 */
export function zipEntryNames(zipPath: string): string[] {
  const zip = fs.readFileSync(zipPath);
  // The end record is 22 bytes plus a comment of up to 65535 bytes, at the very end.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i -= 1) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${zipPath} is not a zip file (no end-of-central-directory record)`);
  const entryCount = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (entryCount === 0xffff || offset === 0xffffffff) throw new Error(`${zipPath} is a zip64 archive`);

  const names: string[] = [];
  for (let n = 0; n < entryCount; n += 1) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) {
      throw new Error(`${zipPath}: central directory entry ${n} is damaged`);
    }
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
