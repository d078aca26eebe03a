#!/usr/bin/env python3
"""Makes the image fixtures of testdata/images (Python 3.11, Pillow, numpy); deterministic.

    python3 testdata/generate_images.py

Plots are drawn with Pillow's ImageDraw (axes, grid, bars, lines, text), so their
backgrounds and fills are exactly flat as rendered plots are. The photo-like image is smoothed
random noise with sensor-like Gaussian noise on top. Payloads are random bytes (as encrypted
records look) embedded by LSB replacement, or text, or appended to the containers.
"""
import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

OUT = Path(__file__).parent / "images"
RNG = np.random.default_rng(2024)


def plot(width=320, height=240, style=0):
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([40, 20, width - 20, height - 40], outline="black")
    for gx in range(40, width - 20, 40):
        d.line([gx, 20, gx, height - 40], fill=(220, 220, 220))
    if style == 0:
        colours = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]
        for i, h in enumerate([120, 80, 150, 60]):
            x0 = 60 + i * 60
            d.rectangle([x0, height - 40 - h, x0 + 40, height - 41], fill=colours[i])
    else:
        pts = [(40 + x, 100 + int(60 * np.sin(x / 30))) for x in range(0, width - 60, 4)]
        d.line(pts, fill=(31, 119, 180), width=2)
        pts2 = [(40 + x, 140 + int(30 * np.cos(x / 20))) for x in range(0, width - 60, 4)]
        d.line(pts2, fill=(255, 127, 14), width=2)
    d.text((50, height - 30), "age group (years)", fill="black")
    d.text((5, 5), "incidence per 100,000", fill="black")
    return np.array(img)


def photo(size=256):
    noise = RNG.normal(size=(size + 32, size + 32, 3))
    for _ in range(4):  # repeated box blur: smooth texture
        noise = sum(np.roll(np.roll(noise, dy, 0), dx, 1)
                    for dy in range(-4, 5) for dx in range(-4, 5)) / 81
    noise = noise[16:-16, 16:-16]
    noise = (noise - noise.min()) / (noise.max() - noise.min())
    ramp = np.linspace(0, 1, size)[None, :, None]
    img = 40 + 150 * (0.6 * noise + 0.4 * ramp) + RNG.normal(0, 2.0, noise.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def lsb_replace(a, rate):
    a = a.copy()
    flat = a.reshape(-1)
    chosen = RNG.random(flat.size) < rate
    bits = RNG.integers(0, 2, flat.size, dtype=np.uint8)
    flat[chosen] = (flat[chosen] & 0xFE) | bits[chosen]
    return a


def lsb_text(a, text):
    a = a.copy()
    flat = a.reshape(-1)
    bits = np.unpackbits(np.frombuffer(text, dtype=np.uint8))
    flat[: bits.size] = (flat[: bits.size] & 0xFE) | bits
    return a


def png_bytes(a, **kw):
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG", **kw)
    return buf.getvalue()


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def insert_before_iend(png, extra):
    return png[:-12] + extra + png[-12:]


def jpeg_bytes(a, **kw):
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    clean = plot()
    write = lambda name, data: (OUT / name).write_bytes(data)
    csv = b"".join(b"%d,19%02d-%02d-%02d,AB%d %dCD\n" % (
        1000 + i, 40 + i % 50, 1 + i % 12, 1 + i % 28, i % 9, i % 7) for i in range(2000))

    write("clean_plot_bars.png", png_bytes(clean))
    write("clean_plot_lines.png", png_bytes(plot(style=1)))
    rgba = np.dstack([plot(style=1), np.full(clean.shape[:2], 255, np.uint8)])
    write("clean_plot_rgba.png", png_bytes(rgba))
    write("clean_photo.png", png_bytes(photo()))
    write("plot_lsb_100.png", png_bytes(lsb_replace(clean, 1.0)))
    write("plot_lsb_10.png", png_bytes(lsb_replace(clean, 0.10)))
    write("plot_lsb_text.png", png_bytes(lsb_text(clean, csv[:600])))
    noisy_alpha = rgba.copy()
    noisy_alpha[..., 3] = 254 + RNG.integers(0, 2, noisy_alpha.shape[:2], dtype=np.uint8)
    write("plot_alpha_noise.png", png_bytes(noisy_alpha))
    write("photo_lsb_50.png", png_bytes(lsb_replace(photo(), 0.5)))

    base = png_bytes(clean)
    write("png_after_iend.png", base + RNG.bytes(2048))
    ztxt = chunk(b"zTXt", b"notes\0\0" + zlib.compress(csv * 3, 9))
    write("png_big_ztxt.png", insert_before_iend(base, ztxt))
    write("png_private_chunk.png", insert_before_iend(base, chunk(b"prVt", RNG.bytes(512))))
    title = chunk(b"tEXt", b"Title\0Incidence by age group")
    write("png_short_title.png", insert_before_iend(base, title + chunk(
        b"tEXt", b"Software\0Pillow")))
    note = b"Description\0" + b"Cohort notes: " + b"participant 1001 seen 1950-01-02; " * 10
    write("png_long_text.png", insert_before_iend(base, chunk(b"tEXt", note)))
    # IDAT excess: re-compress the scanlines with 4 KiB of random bytes after them.
    raw = zlib.decompress(b"".join(
        base[i + 8:i + 8 + struct.unpack(">I", base[i:i + 4])[0]]
        for i in chunk_offsets(base, b"IDAT")))
    idat = chunk(b"IDAT", zlib.compress(raw + RNG.bytes(4096)))
    first = chunk_offsets(base, b"IDAT")[0]
    write("png_idat_excess.png", base[:first] + idat + chunk(b"IEND", b""))
    broken = bytearray(base)
    broken[100] ^= 0xFF  # inside the IDAT data: the CRC no longer matches
    write("png_bad_crc.png", bytes(broken))

    photo_small = photo(128)
    write("clean_photo.jpg", jpeg_bytes(photo_small))
    write("jpeg_after_eoi.jpg", jpeg_bytes(photo_small) + b"PK\x03\x04" + RNG.bytes(3000))
    big_com = jpeg_bytes(photo_small)
    payload = csv[:30000]
    segments = b"".join(b"\xff\xfe" + struct.pack(">H", len(part) + 2) + part
                        for part in [payload[i:i + 60000] for i in range(0, len(payload), 60000)])
    write("jpeg_big_com.jpg", big_com[:2] + segments + big_com[2:])
    gif = io.BytesIO()
    Image.fromarray(clean).quantize(colors=16, dither=Image.Dither.NONE).save(gif, "GIF")
    write("gif_after_trailer.gif", gif.getvalue() + b"hidden,records\n" * 20)


def chunk_offsets(png, kind):
    at, found = 8, []
    while at < len(png):
        length = struct.unpack(">I", png[at:at + 4])[0]
        if png[at + 4:at + 8] == kind:
            found.append(at)
        at += 12 + length
    return found


if __name__ == "__main__":
    main()
