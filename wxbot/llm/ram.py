"""How much RAM is free for a model's contexts, from the OS (no psutil for one number): /proc/meminfo's
MemAvailable on Linux (page cache the kernel can drop counts as free), GlobalMemoryStatusEx on Windows, free pages
elsewhere (an underestimate: the cache the OS would drop is not counted)."""

from __future__ import annotations

import ctypes
import os
import sys

from loguru import logger


def free_ram_bytes() -> int | None:
    """Bytes of RAM a new allocation can have without swapping; None when the OS does not say."""
    try:
        if sys.platform.startswith("linux"):
            with open("/proc/meminfo", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("MemAvailable:"):
                        return int(line.split()[1]) * 1024
            return None
        if sys.platform == "win32":
            return _windows_available()
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError) as exc:
        logger.debug("free RAM unknown: {}", exc)
        return None


class _MemoryStatus(ctypes.Structure):
    _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong), ("ullTotalPhys", ctypes.c_ulonglong),
                ("ullAvailPhys", ctypes.c_ulonglong), ("ullTotalPageFile", ctypes.c_ulonglong),
                ("ullAvailPageFile", ctypes.c_ulonglong), ("ullTotalVirtual", ctypes.c_ulonglong),
                ("ullAvailVirtual", ctypes.c_ulonglong), ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]


def _windows_available() -> int | None:
    status = _MemoryStatus()
    status.dwLength = ctypes.sizeof(_MemoryStatus)
    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 - windll exists on Windows only
    return int(status.ullAvailPhys) if kernel32.GlobalMemoryStatusEx(ctypes.byref(status)) else None
