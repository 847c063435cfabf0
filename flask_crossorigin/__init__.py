"""Cross-origin resource sharing for Flask: flask-cors's settings, the Fetch standard's rules.

>>> from flask import Flask
>>> from flask_crossorigin import CORS
>>> app = Flask(__name__)
>>> cors = CORS(app, origins=["https://app.example.com"])
"""

from ._version import __version__
from .configure import Coverage
from .decision import Decision, Reason, decide
from .decorator import cross_origin
from .errors import CORSConfigError, Problem
from .extension import CORS
from .introspect import Route, Simulation, UnknownPath, coverage, routes, simulate
from .policy import Policy

__all__ = [
    "CORS",
    "CORSConfigError",
    "Coverage",
    "Decision",
    "Policy",
    "Problem",
    "Reason",
    "Route",
    "Simulation",
    "UnknownPath",
    "__version__",
    "coverage",
    "cross_origin",
    "decide",
    "routes",
    "simulate",
]
