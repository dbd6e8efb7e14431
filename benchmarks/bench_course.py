"""Course execution benchmark: every course notebook headless, one after another, as a student's kernel would.

Prints the time of each notebook and the total, and whether the whole course stays under the 90-second goal
(issue 3). Never asserts: the figure is for reading, and tests do not time anything.

Notebooks run through :func:`classroom.publishing.site.execute` (the static-site builder's path), whose client
(:mod:`classroom.grading.notebook_client`) waits for each cell's reply in short slices; the bench prints how many
replies that recovered, so a slow run is not mistaken for a slow course.
"""

from __future__ import annotations

import os
import time

from classroom.grading.notebook_client import SlicedWaitClient

GOAL_SECONDS = 90.0
def run() -> None:
    from classroom.publishing.site import SiteError, course_notebooks, execute

    paths = course_notebooks()
    if not paths:
        print("course: no notebooks found")
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  (load average at start: {load:.1f} on {os.cpu_count()} cores; other work on the machine slows this)")
    start = time.perf_counter()
    rows: list[tuple[str, str]] = []
    for path in paths:
        try:
            ex = execute(path)
            rows.append((path.name, f"{ex.seconds:6.1f} s"))
        except SiteError as exc:
            rows.append((path.name, f"FAILED ({exc})"))
        print(f"  {rows[-1][0]:<40} {rows[-1][1]}", flush=True)
    total = time.perf_counter() - start
    verdict = "under" if total < GOAL_SECONDS else "OVER"
    load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  (load average at the end: {load_end:.1f}; cell replies whose wake-up was lost and recovered by the "
          f"sliced wait: {SlicedWaitClient.recovered_waits})")
    print(f"course: {len(paths)} notebooks, total {total:.1f} s wall (kernel start-up included): "
          f"{verdict} the {GOAL_SECONDS:.0f} s goal")


if __name__ == "__main__":
    run()
