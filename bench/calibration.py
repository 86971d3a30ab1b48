"""A WSGI application that does nothing: what gunicorn and wrk cost on this machine, for comparing
benchmark figures taken on different machines (bench/load.py serves it first)."""

BODY = b"x" * 15_000  # about the size of an article page


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY)))])
    return [BODY]
