"""Shared pytest set-up."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_sessionfinish(session, exitstatus):
    """An env whose tests are not written yet must not fail the run (pytest exit 5)."""
    if exitstatus == 5:
        session.exitstatus = 0
