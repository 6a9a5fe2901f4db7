/** A minimal PNG writer (8-bit grayscale, zlib via node:zlib) for the study plots. */
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes a width x height grayscale image (0 black .. 255 white, row-major). */
export function encodeGrayPng(width: number, height: number, pixels: Uint8Array): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    Buffer.from(pixels.subarray(y * width, (y + 1) * width)).copy(raw, y * (width + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/**
 * Small multiples of rank histograms: one panel per quantity, `bins` bars each, a grey band at
 * the uniform expectation. Panels are laid out in a row; labels are left to the accompanying
 * table (no font rendering here).
 */
export function rankHistogramsPng(hists: number[][], expected: number): Buffer {
  const pw = 120;
  const ph = 100;
  const gap = 10;
  const W = hists.length * (pw + gap) + gap;
  const H = ph + 2 * gap;
  const px = new Uint8Array(W * H).fill(255);
  const maxCount = Math.max(expected * 2, ...hists.flat());
  hists.forEach((h, p) => {
    const x0 = gap + p * (pw + gap);
    const bw = Math.floor(pw / h.length);
    const ey = H - gap - Math.round((expected / maxCount) * ph);
    for (let x = x0; x < x0 + pw; x++) px[ey * W + x] = 150;
    h.forEach((c, b) => {
      const top = H - gap - Math.round((c / maxCount) * ph);
      for (let y = top; y < H - gap; y++)
        for (let x = x0 + b * bw + 1; x < x0 + (b + 1) * bw; x++) px[y * W + x] = 40;
    });
    for (let x = x0; x < x0 + pw; x++) px[(H - gap) * W + x] = 0;
  });
  return encodeGrayPng(W, H, px);
}
