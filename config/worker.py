"""What a serving process does once as it starts, before its first request.

``config/wsgi.py`` calls ``prepare()`` in every gunicorn worker; ``bench/web.py`` calls it before it
measures pages in its own process, so that it measures what a worker serves.
"""

from __future__ import annotations

import gc


def prepare() -> None:
    """Load what a first request would otherwise wait for, then freeze what start-up made.

    The segmenter's dictionary, the script converter's tables, the gazetteer and the models are
    millions of objects that live as long as the process. Left in the collector's oldest generation,
    every full collection walks all of them: a pause of 60–80 ms in about one request in twenty on
    a practice or compare page. ``gc.freeze()`` moves them out of the collector's sight (they are
    never garbage), so a collection sees only what requests made.
    """
    from cases.search import warm_up

    warm_up()  # no reader's first search waits 1.5 s for the dictionaries
    gc.collect()  # what start-up left unreachable goes now, not frozen with the rest
    gc.freeze()
