// Tar archives built by hand for the hostile-pack tests (test/capsulebench-archive.test.ts and
// test/server-hostile.test.ts): ustar headers (POSIX.1-1988, as pax "ustar" describes them) with any
// type, size field or link a hostile archive may carry, padded data, pax records, the end marker.
import { gzipSync } from 'node:zlib';

export const BLOCK = 512;
export const END = Buffer.alloc(2 * BLOCK);

export interface HeaderFields {
  /** The typeflag character; '\0' is the old-style file. */
  type?: string;
  /** In octal, or the raw 12 bytes of the size field (base-256 and broken encodings). */
  size?: number | Buffer;
  linkpath?: string;
}

/** A ustar header: the path split into prefix and name past 100 bytes, octal numbers, 'ustar\0' '00', the checksum. */
export function header(path: string, { type = '0', size = 0, linkpath = '' }: HeaderFields = {}): Buffer {
  const b = Buffer.alloc(BLOCK);
  const cut = path.length <= 100 ? -1 : path.lastIndexOf('/', path.length - 2);
  const [prefix, name] = [path.slice(0, Math.max(cut, 0)), path.slice(cut + 1)];
  if (name.length > 100 || prefix.length > 155) throw new RangeError(`${path} does not fit a ustar header`);
  b.write(name, 0, 'latin1');
  b.write(prefix, 345, 'latin1');
  b.write('0000644\0', 100, 'latin1');
  b.write('0001750\0', 108, 'latin1');
  b.write('0001750\0', 116, 'latin1');
  if (typeof size === 'number') b.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  else size.copy(b, 124);
  b.write('14712345670\0', 136, 'latin1');
  b.write(type, 156, 1, 'latin1');
  b.write(linkpath, 157, 100, 'latin1');
  b.write('ustar\0' + '00', 257, 'latin1');
  b.fill(' ', 148, 156);
  b.write(`${b.reduce((s, x) => s + x, 0).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

export const padded = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc(-data.length & (BLOCK - 1))]);
/** A regular file's header and data. */
export const file = (path: string, text: string, type = '0'): Buffer =>
  Buffer.concat([header(path, { type, size: Buffer.byteLength(text) }), padded(Buffer.from(text))]);
export const dir = (path: string): Buffer => header(path, { type: '5' });
/** One pax record, "<length> <key>=<value>\n", the length counting its own digits. */
export function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let n = rest.length;
  while (`${n}${rest}`.length !== n) n = `${n}${rest}`.length;
  return `${n}${rest}`;
}
export const ROOT = dir('capsulepack/');
export const gz = (...parts: Buffer[]): Buffer => gzipSync(Buffer.concat(parts));
/** The entries and the end marker, gzip'd. */
export const tgz = (...entries: Buffer[]): Buffer => gz(...entries, END);
