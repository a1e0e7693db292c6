"""The bundled app's executable: `dlstudio [COMMAND ...]`, as the installed `dlstudio` script.

A frozen app has no separate Python: `sys.executable` is this program. dlstudio starts two kinds
of child processes with `sys.executable` as if it were Python, so this script also answers those
two command lines before anything else is imported:

    dlstudio -m dlstudio.core.engine.child    the training process of the window (gui/worker.py,
                                              gui/process_task.py)
    dlstudio -I path/to/check.py JOB.json     the export check, which runs the exported files
                                              without dlstudio (core/export/writers.py)

Only modules bundled with the app can be run this way (`-m MODULE` or a script path); it is not
a general Python interpreter.
"""

from __future__ import annotations

import multiprocessing
import os
import runpy
import sys

# Python's own start-up flags that dlstudio passes to its children; they need no action in a
# frozen app (no site-packages, no user environment to isolate from).
_IGNORED_FLAGS = {"-I", "-E", "-s", "-S", "-u", "-B"}


def _as_python(argv: list[str]) -> bool:
    """Run `argv` the way `python ARGV` would if it names a module or a script; True if it did."""
    args = list(argv)
    while args and args[0] in _IGNORED_FLAGS:
        args.pop(0)
    if len(args) >= 2 and args[0] == "-m":
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        return True
    if args and args[0].endswith(".py") and os.path.isfile(args[0]):
        sys.argv = list(args)
        runpy.run_path(args[0], run_name="__main__")
        return True
    return False


def main() -> int:
    multiprocessing.freeze_support()  # a library's multiprocessing child must not open the app
    try:
        if _as_python(sys.argv[1:]):
            return 0
    except SystemExit as done:  # the module's own `sys.exit(main())`
        code = done.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1
    from dlstudio.__main__ import main as dlstudio_main

    return dlstudio_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
