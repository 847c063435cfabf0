"""``flask cors export TARGET``: the app's CORS policy as the configuration of a layer in front.

One source of truth (SPEC section 8): every target is built from the compiled policies the app
itself answers with (:class:`~flask_crossorigin.policy.Policy`, reached through the app's URL map
by :func:`~flask_crossorigin.export.model.export_routes`), never from the options a second time.

- :mod:`~flask_crossorigin.export.model`: the covered routes with their policies and path
  patterns, and the :class:`~flask_crossorigin.export.model.LossReport`: whatever a target
  cannot express exactly is dropped (the edge is never wider than the app) and named there.
- :mod:`~flask_crossorigin.export.cli`: the ``flask cors export`` group, its common options
  (``-o FILE``, ``--accept-narrower``, ``--check FILE``) and the exit statuses; each target
  module (one per layer, e.g. :mod:`~flask_crossorigin.export.nginx`) defines a module-level
  ``TARGET`` (:class:`~flask_crossorigin.export.cli.Target`) and is found by its presence.

This subpackage imports the core and the Flask layer; nothing outside it imports it except the
``flask cors`` group, which registers ``export``.
"""

from __future__ import annotations

from .model import ExportModel, ExportRoute, Loss, LossReport, export_routes

__all__ = ["ExportModel", "ExportRoute", "Loss", "LossReport", "export_routes"]
