"""The one error type of configuration problems."""


class ConfigError(ValueError):
    """A configuration file, key or value is wrong; the message says what to change."""
