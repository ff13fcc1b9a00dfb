"""The read-only public JSON API under ``/api/`` (OpenAPI 3 schema at ``/api/schema/``)."""
