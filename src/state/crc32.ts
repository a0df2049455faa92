import * as zlib from 'node:zlib';

let table: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, as zlib and gzip) in JavaScript, for a Node without zlib.crc32 (before 20.15). */
function crc32Js(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** The CRC-32 of `data` (unsigned 32-bit): zlib's where Node has it, else the same sum in JavaScript. */
export const crc32: (data: Uint8Array) => number = native ?? crc32Js;
