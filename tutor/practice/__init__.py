"""Practice sessions: the loop a student meets (serve the next item with its reason, hints,
worked examples, take an answer), its pages, REST API and WebSocket consumer. Its model
keeps the ``tutor`` app label (``tutor/models.py``)."""
