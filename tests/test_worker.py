"""A serving process's start (config/worker.py): the dictionaries loaded, start-up's objects frozen."""

from __future__ import annotations

import gc

from config.worker import prepare


def test_prepare_loads_the_dictionaries_and_freezes_what_start_up_made():
    from cases import search

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        prepare()
        # the segmenter's dictionary alone is hundreds of thousands of objects
        assert gc.get_freeze_count() > 100_000
        assert search.parse("黨建").terms == ["党建"]  # the converter answers
    finally:
        gc.unfreeze()
