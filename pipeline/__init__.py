"""Ecuador security-crisis dataset: from news articles to a validated Frictionless Data Package."""

import os

# Prefect reads these at import time; set them before anything imports prefect so
# that no build, test or worker ever phones home (the project runs offline). The
# temporary server gets 120 s to start instead of Prefect's 20: on a loaded machine
# the first build otherwise fails with "Timed out while attempting to connect".
for _key, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}.items():
    os.environ.setdefault(_key, _value)

__version__ = "0.1.0"
