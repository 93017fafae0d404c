"""The HTTP contract both sides share: request and response models, enums and limits.

The reference backend (`server/`) imports only this package from the client's side, and the
client's `api/` layer builds and parses requests with it. It depends on pydantic alone.
"""
