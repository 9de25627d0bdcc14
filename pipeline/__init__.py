"""Ecuador security-crisis dataset: from news articles to a validated Frictionless Data Package."""

import os

# Prefect reads these at import time; set them before anything imports prefect so
# that no build, test or worker ever phones home (the project runs offline).
for _key, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_UI_ENABLED": "false",
}.items():
    os.environ.setdefault(_key, _value)

__version__ = "0.1.0"
