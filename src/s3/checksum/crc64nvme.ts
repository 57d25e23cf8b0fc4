/**
 * CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, initial and final XOR all ones), the
 * checksum S3 names CRC64NVME. Node has none, so it is computed here: slicing-by-8 over two 32-bit
 * halves (BigInt per byte would be ~50x slower). Check value (CRC catalogue, CRC-64/NVME):
 * crc64nvme('123456789') = 0xAE8B14860A799888.
 */
const POLY_HI = 0x9a6c9329;
const POLY_LO = 0xac4bc9b5;

/** Entry k * 256 + n: the CRC of byte n followed by k zero bytes, split into high and low words. */
const [HI, LO] = (() => {
  const hi = new Uint32Array(8 * 256);
  const lo = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let h = 0;
    let l = n;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h = h >>> 1;
      if (carry) {
        h = (h ^ POLY_HI) >>> 0;
        l = (l ^ POLY_LO) >>> 0;
      }
    }
    hi[n] = h;
    lo[n] = l;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const ph = hi[(k - 1) * 256 + n] as number;
      const pl = lo[(k - 1) * 256 + n] as number;
      const index = pl & 0xff;
      hi[k * 256 + n] = (ph >>> 8) ^ (hi[index] as number);
      lo[k * 256 + n] = ((pl >>> 8) | (ph << 24)) ^ (lo[index] as number);
    }
  }
  return [hi, lo] as const;
})();

/**
 * A running CRC-64/NVME, kept as two unsigned 32-bit words (the value after the final inversion).
 * @example
 * const crc = new Crc64Nvme();
 * crc.update(new TextEncoder().encode('123456789'));
 * crc64nvmeBigInt(crc) // 0xae8b14860a799888n
 */
export class Crc64Nvme {
  hi = 0;
  lo = 0;

  update(data: Uint8Array): this {
    let hi = ~this.hi >>> 0;
    let lo = ~this.lo >>> 0;
    let i = 0;
    const end8 = data.length - (data.length % 8);
    for (; i < end8; i += 8) {
      const a = (lo ^ ((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24))) >>> 0;
      const b = (hi ^ ((data[i + 4] as number) | ((data[i + 5] as number) << 8) | ((data[i + 6] as number) << 16) | ((data[i + 7] as number) << 24))) >>> 0;
      const i7 = 1792 + (a & 0xff);
      const i6 = 1536 + ((a >>> 8) & 0xff);
      const i5 = 1280 + ((a >>> 16) & 0xff);
      const i4 = 1024 + (a >>> 24);
      const i3 = 768 + (b & 0xff);
      const i2 = 512 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      hi = ((HI[i7] as number) ^ (HI[i6] as number) ^ (HI[i5] as number) ^ (HI[i4] as number) ^ (HI[i3] as number) ^ (HI[i2] as number) ^ (HI[i1] as number) ^ (HI[i0] as number)) >>> 0;
      lo = ((LO[i7] as number) ^ (LO[i6] as number) ^ (LO[i5] as number) ^ (LO[i4] as number) ^ (LO[i3] as number) ^ (LO[i2] as number) ^ (LO[i1] as number) ^ (LO[i0] as number)) >>> 0;
    }
    for (; i < data.length; i++) {
      const index = (lo ^ (data[i] as number)) & 0xff;
      lo = (((lo >>> 8) | (hi << 24)) ^ (LO[index] as number)) >>> 0;
      hi = ((hi >>> 8) ^ (HI[index] as number)) >>> 0;
    }
    this.hi = ~hi >>> 0;
    this.lo = ~lo >>> 0;
    return this;
  }
}

export function crc64nvmeBigInt(crc: Crc64Nvme): bigint {
  return (BigInt(crc.hi) << 32n) | BigInt(crc.lo);
}
