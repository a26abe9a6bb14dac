"""What the server does once it has started: objects loaded at start leave the collector."""

import gc

from yanyun.web.app import freeze_loaded_objects


def test_objects_alive_after_the_start_are_frozen_out_of_collections():
    loaded = {"index": [[112.57, 26.89]], "lexicon": ["被盗", "打架"]}
    gc.unfreeze()
    try:
        assert any(o is loaded for o in gc.get_objects())
        frozen = freeze_loaded_objects()
        assert frozen == gc.get_freeze_count() > 0
        # A full collection no longer walks them: they are in no generation.
        assert not any(o is loaded for o in gc.get_objects())
    finally:
        gc.unfreeze()
