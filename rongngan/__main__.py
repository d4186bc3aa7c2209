"""The `rongngan` command: Django's manage.py with the project's settings preset.

`rongngan seed --scale demo`, `rongngan worker`, `rongngan migrate`, `rongngan runserver` …
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongngan.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "rongngan"
    if len(argv) > 1 and argv[1] == "worker":
        # One name for the background worker whatever the task backend's command is called.
        argv[1:2] = ["db_worker"]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
