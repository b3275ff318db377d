"""The text in pictures, read on this PC by RapidOCR (PP-OCR models shipped inside its wheel) when the optional
``ocr`` extra is installed. Pictures are decoded in memory, refused beyond a pixel bound and scaled down before
reading, so a 20-megapixel photo costs bounded time and memory."""

from __future__ import annotations

import importlib.util
import io
import threading
from typing import Any

import numpy as np
from loguru import logger
from PIL import Image, UnidentifiedImageError

from wxbot.errors import ModelError

MAX_PIXELS = 64_000_000  # beyond this a "picture" is a decompression bomb, not a customer's photo
MIN_SCORE = 0.5  # lines RapidOCR itself is less sure of are left out


def ocr_installed() -> bool:
    """The ``ocr`` extra is installed (without importing it: onnxruntime and OpenCV take seconds to load)."""
    return importlib.util.find_spec("rapidocr") is not None


class OcrReader:
    """Loaded on the first picture, kept for the run (its models are a few tens of MB)."""

    def __init__(self, max_side: int) -> None:
        self.max_side = max_side
        self._engine: Any = None
        self._lock = threading.Lock()

    def read(self, data: bytes) -> str:
        """The picture's lines of text, joined by newlines ("" when it holds none)."""
        pixels = picture_pixels(data, self.max_side)
        with self._lock:
            result = self._load()(pixels)
        lines = [t for t, s in zip(result.txts or (), result.scores or (), strict=False) if t.strip() and s >= MIN_SCORE]
        return "\n".join(lines)

    def _load(self) -> Any:
        if self._engine is None:
            from rapidocr import RapidOCR  # the optional extra: imported only when a picture is read

            self._engine = RapidOCR(params={"Global.log_level": "error"})
            logger.info("OCR ready (RapidOCR)")
        return self._engine


def picture_pixels(data: bytes, max_side: int) -> np.ndarray:
    """The picture as BGR pixels, at most ``max_side`` on the long side. Raises ModelError in words."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise ModelError(f"图片太大（{width}×{height}），未识别文字",
                                 f"the picture is too large ({width}×{height}); its text was not read")
            img.draft("RGB", (max_side, max_side))  # JPEG decodes straight at a fraction of its size
            img.thumbnail((max_side, max_side))
            rgb = np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ModelError("图片无法打开", f"the picture could not be opened ({type(exc).__name__})") from exc
    return np.ascontiguousarray(rgb[:, :, ::-1])
