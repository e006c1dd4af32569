"""`leadpack preview`: the package run as an LMS would, with live tracking data (see server.py)."""
