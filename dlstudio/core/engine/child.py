"""A run in a process of its own, for the desktop app: `python -m dlstudio.core.engine.child`.

Why a process and not a thread: TensorFlow holds Python's global lock through long calls of its
own (loading its libraries, tracing a model into a graph, creating variables, reading weights
with h5py), 100–400 ms at a time. On a thread of the app's process that froze the window as
long (bench/gui_stall.py); in a process of its own, at a lower CPU priority, it cannot.

Protocol, one JSON object per line:
    stdin, first line   the job: {"spec": RunSpec.to_dict() or null, "project": path,
                        "resume": run folder or null}, or a one-shot task of engine/tasks.py:
                        {"task": "detect" | "export" | "predict", "args": {...}}, answered by
                        one TaskResult (or RunFailed) event; or {"serve": run folder}: a
                        model kept loaded, answering prediction requests (engine/serve.py)
    stdin, later        "cancel" stops the run within a batch, as Ctrl-C does in the CLI;
                        the end of stdin (the app went away) cancels too
    stdout              the run's events (events.event_to_json), and nothing else: whatever
                        the libraries print goes to stderr
"""

from __future__ import annotations

import json
import os
import sys
import threading

from dlstudio.core.errors import DlstudioError
from dlstudio.core.events import RunFailed, RunMessage, TaskResult, event_to_json
from dlstudio.core.search.cancel import CancelToken


def main() -> int:
    events = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt events
    lock = threading.Lock()

    def sink(event) -> None:
        with lock:
            events.write(event_to_json(event) + "\n")
            events.flush()

    if hasattr(os, "nice"):
        # Training is background work: at a lower priority the window gets a core as soon as
        # it needs one, instead of waiting out the training threads' time slices.
        os.nice(10)
    job = json.loads(sys.stdin.readline() or "{}")
    if job.get("task"):
        return _task(job, sink)
    if job.get("serve"):  # a model kept loaded for "Try it": engine/serve.py
        from dlstudio.core.native_logs import hushed

        with hushed():  # TensorFlow's start-up chatter
            import dlstudio.core.export.model  # noqa: F401
            from dlstudio.core.engine.serve import serve
        return serve(job["serve"], sys.stdin, events)
    token = CancelToken()
    threading.Thread(target=_listen, args=(token,), daemon=True).start()
    try:
        sink(RunMessage("Loading TensorFlow and Keras…"))
        from dlstudio.core.config import RunSpec
        from dlstudio.core.native_logs import hushed
        from dlstudio.core.project import RunFolder

        with hushed():
            from dlstudio.core.engine.run import resume_run, start_run

        if job.get("resume"):
            resume_run(RunFolder(job["resume"]), sink, token)
        else:
            start_run(RunSpec.from_dict(job["spec"]), job["project"], sink, token)
    except DlstudioError:
        pass  # the engine has already sent RunFailed with the message
    except Exception as error:  # noqa: BLE001  (reported, never a silent death)
        sink(RunFailed("", f"Unexpected problem ({type(error).__name__}: {error})."))
        return 1
    return 0


def _task(job: dict, sink) -> int:
    from dlstudio.core.native_logs import hushed

    try:
        with hushed():
            from dlstudio.core.engine.tasks import TASKS
        sink(TaskResult(job["task"], TASKS[job["task"]](**job.get("args", {}))))
    except DlstudioError as error:
        sink(RunFailed("", str(error)))
    except Exception as error:  # noqa: BLE001  (reported, never a silent death)
        sink(RunFailed("", f"Unexpected problem ({type(error).__name__}: {error})."))
        return 1
    return 0


def _listen(token: CancelToken) -> None:
    for line in sys.stdin:
        if line.strip() == "cancel":
            break
    token.cancel()


if __name__ == "__main__":
    sys.exit(main())
