"""Interview Trainer: a self-hosted, keyboard-driven trainer for job-interview questions.

The package exposes the application factory so that both ``trainer serve`` and
``flask --app trainer run --debug`` find the same app.
"""

from trainer.app import create_app

__all__ = ["create_app"]
