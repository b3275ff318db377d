"""Reading what customers send besides text, on this PC: voice messages through a speech-recognition model in
a process of its own, and the text in pictures through OCR when the ``ocr`` extra is installed."""
