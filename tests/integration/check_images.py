#!/usr/bin/env python3
"""Decodes the PNG frames and the animated GIF written by `teachkit render`
with the standard library only, and checks that they agree: every GIF frame
is the corresponding PNG quantised to the 3-3-2 bit palette.

usage: check_images.py RENDER_DIR
"""
import glob
import os
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, idat, width, height = 8, b"", None, None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        assert zlib.crc32(kind + body) & 0xffffffff == crc, "bad CRC in %s" % kind
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (depth, color) == (8, 2), "expected 8-bit RGB"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    row = width * 3 + 1
    assert len(raw) == row * height
    pixels = bytearray()
    for y in range(height):
        assert raw[y * row] == 0, "unexpected PNG filter"
        pixels += raw[y * row + 1:(y + 1) * row]
    return width, height, bytes(pixels)


def lzw_decode(data, min_size, count):
    clear, end = 1 << min_size, (1 << min_size) + 1
    width, table, out, prev = min_size + 1, None, bytearray(), None
    bits, acc, pos = 0, 0, 0

    def reset():
        return [bytes([i]) for i in range(clear)] + [b"", b""]
    table = reset()
    while True:
        while bits < width:
            acc |= data[pos] << bits
            pos += 1
            bits += 8
        code = acc & ((1 << width) - 1)
        acc >>= width
        bits -= width
        if code == clear:
            table, width, prev = reset(), min_size + 1, None
            continue
        if code == end:
            break
        if prev is None:
            entry = table[code]
        elif code < len(table):
            entry = table[code]
            table.append(prev + entry[:1])
        else:
            entry = prev + prev[:1]
            table.append(entry)
        out += entry
        prev = entry
        if len(table) == (1 << width) and width < 12:
            width += 1
    assert len(out) == count, "GIF frame has %d pixels, expected %d" % (len(out), count)
    return bytes(out)


def read_gif(path):
    data = open(path, "rb").read()
    assert data[:6] == b"GIF89a"
    width, height, flags = struct.unpack("<HHB", data[6:11])
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = []
    while data[pos] != 0x3B:
        if data[pos] == 0x21:  # extension: skip its sub-blocks
            pos += 2
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        elif data[pos] == 0x2C:
            pos += 10
            min_size = data[pos]
            pos += 1
            stream = bytearray()
            while data[pos]:
                stream += data[pos + 1:pos + 1 + data[pos]]
                pos += data[pos] + 1
            pos += 1
            frames.append(lzw_decode(stream, min_size, width * height))
        else:
            raise AssertionError("unexpected GIF block 0x%02x" % data[pos])
    return width, height, frames


def quantise(rgb):
    out = bytearray(len(rgb) // 3)
    for i in range(len(out)):
        r, g, b = rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]
        out[i] = ((r * 7 + 127) // 255) << 5 | ((g * 7 + 127) // 255) << 2 | (b * 3 + 127) // 255
    return bytes(out)


def main():
    d = sys.argv[1]
    pngs = sorted(glob.glob(os.path.join(d, "frame_*.png")))
    assert pngs, "no frames"
    w, h, frames = read_gif(os.path.join(d, "episode.gif"))
    assert len(frames) == len(pngs), "%d GIF frames for %d PNGs" % (len(frames), len(pngs))
    for k in (0, len(pngs) - 1):
        pw, ph, rgb = read_png(pngs[k])
        assert (pw, ph) == (w, h)
        assert len(set(rgb[i:i + 3] for i in range(0, len(rgb), 3))) >= 4, "a flat frame"
        assert frames[k] == quantise(rgb), "GIF frame %d differs from its PNG" % k
    print("%d frames of %dx%d: PNG and GIF decode and agree" % (len(pngs), w, h))


if __name__ == "__main__":
    main()
