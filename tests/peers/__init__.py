"""Peers' test tables, transcribed as data and run through flask-crossorigin (SPEC 1-4)."""
