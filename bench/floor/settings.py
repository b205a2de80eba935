"""The bare floor of a page save (bench/load.py): Django with no apps, middleware, session or CSRF.

Served by gunicorn exactly like the platform, against the same PostgreSQL, so the load benchmark
can print the platform's figures next to what the same machine does at best.
"""
import os

import dj_database_url

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.floor.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES = {"default": dj_database_url.config(conn_max_age=60)}
USE_TZ = True
