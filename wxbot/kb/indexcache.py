"""The built search index kept between runs, sealed in the store (AES-GCM like every passage: an index holds
the documents' words), so ``wxbot kb search`` in a new process loads it in milliseconds instead of decrypting
each passage and building every channel again. It is tagged with the passages' state and wxbot's index
format; a stale or unreadable one is rebuilt. Pickle is safe here: the blob is authenticated with the store's
key before it is unpickled, so only this program can have written it."""

from __future__ import annotations

import pickle

from loguru import logger

from wxbot.kb.ranking import BuiltIndex
from wxbot.store import Store
from wxbot.store.knowledge import StoredPassage

FORMAT = 5  # bump when BuiltIndex or what it is built from changes

Kept = tuple[tuple[StoredPassage, ...], BuiltIndex]


def load(store: Store) -> Kept | None:
    """The kept passages and index when they match the store's passages now, else None."""
    try:
        data = store.kb_index()
        if data is None:
            return None
        form, state, passages, index = pickle.loads(data)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign blob means the same: build again
        logger.warning("kept knowledge-base index unusable ({}); rebuilding", type(exc).__name__)
        return None
    if form != FORMAT or state != store.kb_state():
        return None
    return passages, index


def keep(store: Store, passages: tuple[StoredPassage, ...], index: BuiltIndex) -> None:
    store.kb_set_index(pickle.dumps((FORMAT, store.kb_state(), passages, index), protocol=pickle.HIGHEST_PROTOCOL))
