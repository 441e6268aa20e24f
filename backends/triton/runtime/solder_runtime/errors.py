"""Errors shown to users as one line."""


class PlanError(Exception):
    """A plan directory, plan.json or its weights are malformed."""


class InputError(Exception):
    """The inputs given to a plan do not fit its declared inputs."""
