"""Unbound extension objects, bound to an app in create_app."""

from flask_caching import Cache
from flask_cors import CORS
from flask_smorest import Api

from app.schemas import ErrorSchema


class ServiceApi(Api):
    """flask-smorest Api documenting our one error shape as every operation's default response."""

    ERROR_SCHEMA = ErrorSchema


api = ServiceApi()
cache = Cache()
cors = CORS()
