"""The loader on every kind of file a user may hand it, generated on the spot."""
import io

import numpy as np
import pytest
from PIL import Image

from desktop.engine.errors import ImageLoadError
from desktop.engine.imageio import MAX_PIXELS, load_gray


def digit_image(mode="L", size=(60, 80), dark_on_light=True) -> Image.Image:
    a = np.full(size[::-1], 255 if dark_on_light else 0, np.uint8)
    a[20:60, 25:35] = 0 if dark_on_light else 255
    return Image.fromarray(a).convert(mode)


def save(tmp_path, im: Image.Image, name: str, **kw):
    p = tmp_path / name
    im.save(p, **kw)
    return p


@pytest.mark.parametrize("name,kw", [("a.png", {}), ("a.jpg", {"quality": 95}), ("a.bmp", {}), ("a.gif", {}),
                                     ("a.tiff", {}), ("a.webp", {"lossless": True})])
def test_formats_read_to_same_gray(tmp_path, name, kw):
    g = load_gray(save(tmp_path, digit_image("RGB"), name, **kw))
    assert g.shape == (80, 60) and g.dtype == np.float32
    assert g[5, 5] > 0.95 and g[40, 30] < 0.1  # white paper, black ink, wherever it came from


def test_sixteen_bit(tmp_path):
    a = np.full((40, 40), 60000, np.uint16)
    a[10:30, 18:22] = 1000
    g = load_gray(save(tmp_path, Image.fromarray(a), "a16.png"))
    assert g[0, 0] == pytest.approx(60000 / 65535, abs=0.01) and g[20, 20] < 0.05


def test_palette_and_cmyk(tmp_path):
    assert load_gray(save(tmp_path, digit_image("P"), "p.png"))[40, 30] < 0.1
    g = load_gray(save(tmp_path, digit_image("CMYK"), "c.jpg", quality=95))
    assert g[5, 5] > 0.9 and g[40, 30] < 0.15


def test_exif_orientation_is_applied(tmp_path):
    im = digit_image("RGB", size=(60, 80))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    g = load_gray(save(tmp_path, im, "r.jpg", exif=exif, quality=95))
    assert g.shape == (60, 80)  # displayed upright: width and height swapped


def test_black_ink_on_transparent_is_not_all_black(tmp_path):
    rgba = np.zeros((50, 50, 4), np.uint8)  # transparent black everywhere...
    rgba[10:40, 22:28, 3] = 255  # ...opaque black ink only here
    g = load_gray(save(tmp_path, Image.fromarray(rgba, "RGBA"), "t.png"))
    assert g[0, 0] > 0.95 and g[25, 25] < 0.05


def test_white_ink_on_transparent(tmp_path):
    rgba = np.zeros((50, 50, 4), np.uint8)
    rgba[10:40, 22:28] = 255
    g = load_gray(save(tmp_path, Image.fromarray(rgba, "RGBA"), "w.png"))
    assert g[0, 0] < 0.05 and g[25, 25] > 0.95


def test_zero_byte(tmp_path):
    p = tmp_path / "empty.png"
    p.write_bytes(b"")
    with pytest.raises(ImageLoadError, match="empty"):
        load_gray(p)


def test_text_renamed_png(tmp_path):
    p = tmp_path / "notes.png"
    p.write_text("shopping list")
    with pytest.raises(ImageLoadError, match="not an image"):
        load_gray(p)


def test_truncated(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200), np.uint8)).save(buf, "PNG")
    p = tmp_path / "cut.png"
    p.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(ImageLoadError, match="truncated|damaged"):
        load_gray(p)


def test_missing(tmp_path):
    with pytest.raises(ImageLoadError, match="does not exist"):
        load_gray(tmp_path / "nope.png")


def test_huge_image_refused_without_decoding(tmp_path):
    # A PNG header claiming 10000x10000 pixels: refused from the header alone.
    side = int(np.sqrt(MAX_PIXELS)) + 1000
    im = Image.new("1", (side, side))
    p = save(tmp_path, im, "bomb.png")
    with pytest.raises(ImageLoadError, match="megapixel|too large"):
        load_gray(p)


def test_large_jpeg_decoded_reduced(tmp_path, monkeypatch):
    from PIL import ImageFile

    decoded = []  # the size of every image as its pixels were decoded
    real_load = ImageFile.ImageFile.load

    def load(self):
        out = real_load(self)
        decoded.append(self.size)
        return out

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    im = Image.new("RGB", (4000, 3000), "white")
    im.paste("black", (1900, 500, 2100, 2500))
    g = load_gray(save(tmp_path, im, "photo.jpg"))
    assert max(g.shape) <= 1024 * 1.5 and g[g.shape[0] // 2, g.shape[1] // 2] < 0.1
    # The JPEG decoder itself scaled the photo down: its 12 million pixels were never decoded.
    assert decoded and max(max(s) for s in decoded) <= 2000, decoded


def test_bytes_source():
    buf = io.BytesIO()
    digit_image().save(buf, "PNG")
    assert load_gray(buf.getvalue()).shape == (80, 60)


def big_drawing(side=3000) -> np.ndarray:
    a = np.full((side, side), 255, np.uint8)
    a[side // 4: 3 * side // 4, side // 2 - side // 30: side // 2 + side // 30] = 0  # a thick "1"
    return a


@pytest.mark.parametrize("mode", ["1", "P", "PT", "I;16", "LAB"])
def test_issue12_row11_large_images_of_every_mode_are_reduced_not_refused(tmp_path, mode):
    a = big_drawing()
    if mode == "I;16":
        im, name = Image.fromarray(a.astype(np.uint16) * 257), "big16.png"
    elif mode == "LAB":  # lightness is the drawing, a and b neutral
        flat = Image.new("L", (a.shape[1], a.shape[0]), 128)
        im, name = Image.merge("LAB", [Image.fromarray(a), flat, flat]), "big.tif"
    elif mode == "PT":  # palette with a transparent colour
        im, name = Image.fromarray(a).convert("P"), "bigt.png"
        im.info["transparency"] = 255
    else:
        im, name = Image.fromarray(a).convert(mode), f"big{mode}.png"
    g = load_gray(save(tmp_path, im, name, **({"transparency": 255} if mode == "PT" else {})))
    assert max(g.shape) <= 1024 * 1.5  # reduced
    h, w = g.shape
    assert g[h // 2, w // 2] < 0.2 and g[h // 10, w // 10] > 0.8  # the ink where it was, the paper white


@pytest.mark.parametrize("mode", ["LAB", "1"])
def test_issue12_row11_small_images_of_those_modes_too(tmp_path, mode):
    a = big_drawing(120)
    if mode == "LAB":
        flat = Image.new("L", (120, 120), 128)
        im, name = Image.merge("LAB", [Image.fromarray(a), flat, flat]), "s.tif"
    else:
        im, name = Image.fromarray(a).convert("1"), "s.png"
    g = load_gray(save(tmp_path, im, name))
    assert g.shape == (120, 120) and g[60, 60] < 0.2 and g[5, 5] > 0.8


def test_issue12_row01_a_named_pipe_is_refused_without_waiting(tmp_path):
    import os

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    with pytest.raises(ImageLoadError, match="named pipe"):
        load_gray(fifo)  # opening it would wait forever for a writer
    with pytest.raises(ImageLoadError, match="folder"):
        load_gray(tmp_path)


@pytest.mark.parametrize("white,dtype,name", [(4095, np.uint16, "a12.png"), (1023, np.uint16, "a10.png"),
                                               (255, np.uint16, "a8in16.png"), (1.0, np.float32, "f.tif")])
def test_the_full_scale_is_read_from_the_pixels(tmp_path, white, dtype, name):
    """A 12-bit scan in a 16-bit file (or 8 bits in 16, or a float file of 0..1) is gray from black
    to white, not a faint image that reads as "no digit" (divided by 65535 or by 255)."""
    a = np.full((40, 40), 0.94 * white).astype(dtype)
    a[10:30, 18:22] = 0.02 * white
    g = load_gray(save(tmp_path, Image.fromarray(a), name))
    assert g[0, 0] == pytest.approx(0.94, abs=0.01) and g[20, 20] == pytest.approx(0.02, abs=0.01)


def test_one_hot_pixel_does_not_set_a_small_float_files_scale(tmp_path):
    """On 784 pixels a high percentile is the hottest pixel itself: one pixel of 1.01 made a 0..1
    digit be read as 0..255, all black (a hostile test). The scale comes from the k-th brightest."""
    a = np.ones((28, 28), np.float32)
    a[6:22, 12:16] = 0.0
    a[0, 0] = 1.01
    g = load_gray(save(tmp_path, Image.fromarray(a, mode="F"), "hot.tif"))
    assert g[1, 1] == pytest.approx(1.0) and g[10, 13] == 0.0


def test_only_the_formats_the_program_reads_are_decoded(tmp_path):
    """An EPS file named .png went to Pillow's EPS plugin (which runs Ghostscript where installed);
    a file in a format outside the list is not an image this program reads, whatever its name."""
    from PIL import Image

    from desktop.engine.errors import ImageLoadError
    from desktop.engine.imageio import load_gray

    p = tmp_path / "x.png"
    Image.new("L", (32, 32), 255).save(p, "ICO")  # a format Pillow reads and the program does not
    with pytest.raises(ImageLoadError, match="not an image format"):
        load_gray(p)
    eps = tmp_path / "y.png"
    eps.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    with pytest.raises(ImageLoadError, match="not an image format"):
        load_gray(eps)


@pytest.mark.parametrize("head,fmt", [(b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff\xe0", "JPEG"), (b"GIF89a", "GIF"),
                                      (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WebP")])
def test_a_file_that_begins_as_an_image_but_is_garbage_is_damaged(tmp_path, head, fmt):
    """A PNG's signature followed by garbage was "not an image format this program can read" (a
    hostile pass): it is an image format it reads, damaged. Both from a file and from bytes (a paste)."""
    from desktop.engine.errors import ImageLoadError
    from desktop.engine.imageio import load_gray

    data = head + bytes(range(7, 250, 3)) * 4
    p = tmp_path / "scan.png"
    p.write_bytes(data)
    # (JPEG and WebP headers Pillow identifies, then fails to decode: damaged all the same)
    with pytest.raises(ImageLoadError, match="scan.png is damaged" + (f": it begins as a {fmt} image" if fmt in ("PNG", "GIF") else "")):
        load_gray(p)
    with pytest.raises(ImageLoadError, match="damaged"):
        load_gray(data)


def _png_with_private_chunk(path, size: int) -> None:
    """A valid 28x28 PNG with a private chunk of ``size`` zero bytes before its pixels (sparse on disk)."""
    import struct
    import zlib
    buf = io.BytesIO()
    Image.new("L", (28, 28), 255).save(buf, format="PNG")
    png = buf.getvalue()
    ihdr_end = 8 + 8 + 13 + 4
    crc = zlib.crc32(b"prVt")
    zeros = bytes(1 << 24)
    for start in range(0, size, len(zeros)):
        crc = zlib.crc32(zeros[: min(len(zeros), size - start)], crc)
    with open(path, "wb") as f:
        f.write(png[:ihdr_end] + struct.pack(">I", size) + b"prVt")
        f.seek(size, 1)
        f.write(struct.pack(">I", crc & 0xFFFFFFFF) + png[ihdr_end:])


@pytest.mark.parametrize("size, words", [(1 << 30, "more than any image this program reads holds"),
                                         (80 << 20, "far more than its 28x28 pixels need")])
def test_a_file_far_larger_than_its_pixels_is_refused_before_it_is_decoded(tmp_path, size, words):
    """A private chunk of 1 GiB in a 28x28 PNG (8 KB on disk) took 2.1 GB of memory to open, a JPEG
    header before 10 GB of nothing about 20 minutes (a hostile pass): refused from the file's size,
    before a decoder reads it (over MAX_FILE_BYTES), or from its header's size (its pixels)."""
    path = tmp_path / "bomb.png"
    _png_with_private_chunk(path, size)
    with pytest.raises(ImageLoadError, match=words):
        load_gray(path)
    _png_with_private_chunk(path, 1 << 20)  # a large chunk of metadata is no reason to refuse
    assert load_gray(path).shape == (28, 28)


def test_a_file_of_many_frames_is_not_refused_for_its_size(tmp_path, monkeypatch):
    """The size rule counts one frame: a TIFF of 80 pages (76 MB) was refused as "damaged" (a review)."""
    from desktop.engine import imageio

    monkeypatch.setattr(imageio, "FILE_SLACK", 0)
    pages = [Image.new("RGBA", (100, 100), (255, 255, 255, 255)) for _ in range(5)]
    path = tmp_path / "pages.tif"
    pages[0].save(path, save_all=True, append_images=pages[1:])
    assert path.stat().st_size > imageio.FILE_BYTES_PER_PIXEL * 100 * 100  # over the rule for one page
    assert load_gray(path).shape == (100, 100)


@pytest.mark.parametrize("meta", ["icc", "xmp"])
def test_a_png_with_a_large_profile_or_metadata_is_read(tmp_path, meta):
    """A 1.5 MB colour profile or compressed XMP packet in a valid PNG passed Pillow's 1 MB limit on a
    text chunk: an error row in Pillow's words (a hostile pass; the same profile in a JPEG read fine)."""
    from PIL import PngImagePlugin

    im = Image.new("L", (40, 40), 255)
    im.paste(0, (18, 5, 22, 35))
    path = tmp_path / "big.png"
    if meta == "icc":
        im.save(path, icc_profile=np.random.default_rng(0).bytes(1_500_000))
    else:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("XML:com.adobe.xmp", "x" * 1_500_000, zip=True)
        im.save(path, pnginfo=info)
    g = load_gray(path)
    assert g.shape == (40, 40) and g[20, 20] == 0.0 and g[0, 0] == 1.0
