/**
 * Combining CRCs: given crc(A), crc(B) and the length of B, crc(A + B) without reading A or B
 * again; the way a multipart upload's parts, checksummed in parallel, give the whole object's
 * ("full object") CRC. zlib's crc32_combine (multiplication by x^(8·len) modulo the polynomial, in
 * the reflected bit order), generalised to any width with BigInt: it runs once per part, not per byte.
 * https://github.com/madler/zlib/blob/develop/crc32.c
 */
export interface CrcShape {
  readonly width: 32 | 64;
  /** The reflected polynomial. */
  readonly polynomial: bigint;
}

/** a · b modulo the polynomial, both in reflected order (x^0 is the top bit). */
function multiplyModulo(shape: CrcShape, a: bigint, b: bigint): bigint {
  let m = 1n << BigInt(shape.width - 1);
  let product = 0n;
  let factor = b;
  while (m !== 0n) {
    if (a & m) product ^= factor;
    m >>= 1n;
    factor = factor & 1n ? (factor >> 1n) ^ shape.polynomial : factor >> 1n;
  }
  return product;
}

/** x^(8·bytes) modulo the polynomial, by squaring. */
function shiftOperator(shape: CrcShape, bytes: number): bigint {
  const one = 1n << BigInt(shape.width - 1);
  let result = one;
  let square = one >> 8n; // x^8: one byte
  for (let n = BigInt(bytes); n > 0n; n >>= 1n) {
    if (n & 1n) result = multiplyModulo(shape, square, result);
    square = multiplyModulo(shape, square, square);
  }
  return result;
}

/** crc(A + B) from crc(A), crc(B) and B's length in bytes. */
export function combineCrc(shape: CrcShape, crcA: bigint, crcB: bigint, lengthB: number): bigint {
  return multiplyModulo(shape, shiftOperator(shape, lengthB), crcA) ^ crcB;
}
