"""The desktop app (PySide6 lives only in this package): window, pages, tray, and the bridge to the core."""
