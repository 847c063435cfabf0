"""The browser's verdict on each scenario of the demo page, for both libraries.

The browser tests assert these; docs/example.rst shows them as a table, and
``test_verdict_table.py`` checks that the two agree.
"""

from __future__ import annotations

LIBRARIES = ("flask-crossorigin", "flask-cors")
ALLOWED, BLOCKED = "allowed", "blocked"

#: Verdicts with the API wired with flask-crossorigin, on the page's allowed origin.
OURS_ALLOWED_ORIGIN = {
    "simple-get": ALLOWED,
    "login": ALLOWED,
    "json-post": ALLOWED,
    "put-custom-header": ALLOWED,
    "credentialed-get": ALLOWED,
    "exposed-header": ALLOWED,
    "header-not-allowed": BLOCKED,
    "authorization-any-header": ALLOWED,
    "public-ping": ALLOWED,
    "error-404": ALLOWED,
    "error-400-abort": ALLOWED,
    "error-400-validation": ALLOWED,
}

#: The same page on an origin the API does not allow: only the public endpoints answer it.
OURS_OTHER_ORIGIN = {
    **{name: BLOCKED for name in OURS_ALLOWED_ORIGIN},
    "authorization-any-header": ALLOWED,
    "public-ping": ALLOWED,
}

#: Where flask-cors's verdict differs from ours, on the allowed and on the other origin.
#: - The auth hook answers every preflight under /api/todos with 401 (a preflight never carries
#:   the cookie): every request there that needs a preflight is blocked.
#: - A decorator in ``Resource.method_decorators`` is not consulted for the preflight, so the
#:   Resource's ``allow_headers="*"`` does not apply to it: ``Authorization`` is refused.
FLASK_CORS_ALLOWED_ORIGIN = {
    **OURS_ALLOWED_ORIGIN,
    "json-post": BLOCKED,
    "put-custom-header": BLOCKED,
    "error-400-validation": BLOCKED,
    "authorization-any-header": BLOCKED,
}
FLASK_CORS_OTHER_ORIGIN = {**OURS_OTHER_ORIGIN, "authorization-any-header": BLOCKED}

VERDICTS = {
    ("flask-crossorigin", "allowed-origin"): OURS_ALLOWED_ORIGIN,
    ("flask-crossorigin", "other-origin"): OURS_OTHER_ORIGIN,
    ("flask-cors", "allowed-origin"): FLASK_CORS_ALLOWED_ORIGIN,
    ("flask-cors", "other-origin"): FLASK_CORS_OTHER_ORIGIN,
}

#: Why Chromium blocked a request, as its console says it (the page sees only
#: "TypeError: Failed to fetch"): a short name for each message.
CONSOLE_REASONS = {
    "no-allow-origin": "No 'Access-Control-Allow-Origin' header is present",
    "preflight-not-ok": "It does not have HTTP ok status",
    "header-not-allowed": "is not allowed by Access-Control-Allow-Headers",
}

#: The console's reason for each blocked scenario on the allowed origin.
REASONS_ALLOWED_ORIGIN = {
    "flask-crossorigin": {"header-not-allowed": "no-allow-origin"},
    "flask-cors": {
        "header-not-allowed": "preflight-not-ok",
        "json-post": "preflight-not-ok",
        "put-custom-header": "preflight-not-ok",
        "error-400-validation": "preflight-not-ok",
        "authorization-any-header": "header-not-allowed",
    },
}


def console_reason(message: str) -> str:
    """The short name of a Chromium CORS console message ("other: ..." if unknown)."""
    for name, text in CONSOLE_REASONS.items():
        if text in message:
            return name
    return f"other: {message}"
