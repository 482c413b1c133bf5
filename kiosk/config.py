"""The kiosk's configuration, as the core sees it: a re-export of ``config.loader``.

The loader lives in ``config/`` so that ``drivers`` can read the site file without importing the
core; everything in ``kiosk`` keeps importing it from here.
"""

from config.loader import (
    CONFIG_DIR,
    DEFAULTS_FILE,
    ENV_VAR,
    ConfigError,
    data_dir,
    database_url,
    load_config,
    sync_token,
)

__all__ = ["CONFIG_DIR", "DEFAULTS_FILE", "ENV_VAR", "ConfigError", "data_dir", "database_url",
           "load_config", "sync_token"]
