// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320: the checksum of zlib, gzip and PNG) in plain
// TypeScript, so model files can be checked in a browser as well as in Node without node:crypto or
// the asynchronous WebCrypto API. Slicing-by-4 tables (Intel's "slicing-by-N" CRC, Kounavis and
// Berry 2005) process four bytes per step; check value: crc32("123456789") = 0xCBF43926.
//
// A CRC detects accidental corruption (truncation, flipped bits, a bad copy); it is not a signature.
// Nobody can be stopped from editing a file and recomputing its checksum, which is why loading also
// validates every field and never executes anything from the file.

const TABLES: Uint32Array[] = (() => {
  const t = [0, 1, 2, 3].map(() => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[0][n];
    for (let s = 1; s < 4; s++) {
      c = t[0][c & 0xff] ^ (c >>> 8);
      t[s][n] = c >>> 0;
    }
  }
  return t;
})();

/**
 * CRC-32 of `bytes`, continuing from `previous` (the CRC of the bytes before them; 0 to start), so
 * crc32(b, crc32(a)) === crc32(a ++ b).
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3] = TABLES;
  let c = ~previous >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 4 <= n; i += 4) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c = t3[c & 0xff] ^ t2[(c >>> 8) & 0xff] ^ t1[(c >>> 16) & 0xff] ^ t0[c >>> 24];
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
