"""WSGI entry point for `flask run`, gunicorn and Zappa (app_function: wsgi.app)."""

from app import create_app

app = create_app()
