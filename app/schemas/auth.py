"""Owner authorization: the OAuth callback's arguments and the connection answer."""

from __future__ import annotations

import marshmallow as ma


class CallbackArgs(ma.Schema):
    code = ma.fields.String()
    state = ma.fields.String()
    error = ma.fields.String()


class ConnectedSchema(ma.Schema):
    connected = ma.fields.Boolean(required=True)
    user_id = ma.fields.String()
    display_name = ma.fields.String(allow_none=True)
