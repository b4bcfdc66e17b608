"""Letters and digits in handwriting typefaces: held out from training, which never sees these faces.

    from benchmarks.handwriting_faces import faces, glyphs
    glyphs("ABC")           # [(face, character, gray float32 in 0..1, dark ink on light paper)]

Training draws letters in DejaVu type and in Hershey's plotter faces (``training.pen_glyphs``); these
are other people's handwriting fonts, packaged by Debian (not installed by the app or the tests):

    apt-get install fonts-dkg-handwriting fonts-tlwg-purisa-ttf fonts-kristi fonts-comic-neue \\
        fonts-humor-sans fonts-klee fonts-dancingscript fonts-sjfonts fonts-kaushanscript \\
        fonts-rufscript fonts-bwht

The faces that are installed are used; ``benchmarks.non_digits`` says how many.
"""
from __future__ import annotations

import glob
import os
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FACE_GLOBS = ("/usr/share/fonts/truetype/fifthhorseman/*.ttf", "/usr/share/fonts/opentype/bwht/*.otf",
              "/usr/share/fonts/truetype/tlwg/Purisa*.ttf", "/usr/share/fonts/truetype/kristi/*.ttf",
              "/usr/share/fonts/opentype/comic-neue/*.otf", "/usr/share/fonts/truetype/humor-sans/*.ttf",
              "/usr/share/fonts/truetype/klee/*.ttf", "/usr/share/fonts/opentype/dancingscript/*.otf",
              "/usr/share/fonts/truetype/sjfonts/*.ttf", "/usr/share/fonts/opentype/kaushanscript/*.otf",
              "/usr/share/fonts/truetype/rufscript/*.ttf")
SIZE = 180  # px, the glyph's em; drawn with a 40 px margin of paper
MARGIN = 40


@lru_cache(maxsize=1)
def faces() -> tuple[str, ...]:
    return tuple(sorted({f for g in FACE_GLOBS for f in glob.glob(g)}))


def set_name(what: str) -> str:
    """A benchmark row's name for ``what`` ("letters", "digits") drawn in these faces."""
    return f"{what} in {len(faces())} handwriting faces (held out)"


def render(face: str, ch: str) -> np.ndarray | None:
    """``ch`` in ``face``, dark on light, or None when the face has no ink for it."""
    font = ImageFont.truetype(face, SIZE)
    x0, y0, x1, y1 = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), ch, font=font)
    if x1 <= x0 or y1 <= y0:
        return None
    im = Image.new("L", (x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN), 255)
    ImageDraw.Draw(im).text((MARGIN - x0, MARGIN - y0), ch, fill=0, font=font)
    gray = np.asarray(im, np.float32) / 255.0
    return gray if gray.min() < 0.5 else None


def glyphs(chars: str) -> list[tuple[str, str, np.ndarray]]:
    """Every character of ``chars`` in every installed face: (face's file name, character, gray)."""
    out = []
    for face in faces():
        for ch in chars:
            gray = render(face, ch)
            if gray is not None:
                out.append((os.path.basename(face).rsplit(".", 1)[0], ch, gray))
    return out
