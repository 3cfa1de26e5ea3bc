"""Delete conversations and feedback older than ``privacy.retention_days`` (run from cron).

    python -m haven.retention [--days N] [--dry-run] [--endpoints deploy/endpoints.production.yml]

A crontab line for a nightly run, for example::

    17 3 * * *  cd /app && python -m haven.retention --endpoints deploy/endpoints.production.yml

See :mod:`haven.privacy_ops` for what is deleted and where the stores are found.
"""

from __future__ import annotations

import sys

from haven.privacy_ops import main as _privacy_main


def main(argv: list[str] | None = None) -> int:
    """Apply the retention period; the options are those of ``privacy_ops retention``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    store_options = ("--endpoints", "--tracker-url", "--feedback-db")
    head: list[str] = []
    rest: list[str] = []
    items = iter(argv)
    for item in items:
        name = item.split("=", 1)[0]
        if name in store_options:
            head.append(item)
            if "=" not in item:
                head.append(next(items, ""))
        else:
            rest.append(item)
    return _privacy_main([*head, "retention", *rest])


if __name__ == "__main__":
    sys.exit(main())
