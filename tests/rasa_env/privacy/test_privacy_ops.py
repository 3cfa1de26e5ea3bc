"""The privacy commands again under the Rasa server's Python (psycopg2, not psycopg).

The cron job may run in either container, so both PostgreSQL drivers are exercised.
"""

from tests.actions_env.haven.test_privacy_ops import *  # noqa: F403
