"""Blueprints, one per part of the product."""
