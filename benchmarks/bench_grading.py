"""Grading a class of 60 submissions three ways, side by side in one run.

1. plain serial ``nbgrader autograde`` (student code runs unsandboxed with the grader's rights, one at a time);
2. ``grade-class`` with kernels forked from each worker's preloaded, sandboxed zygote (the default;
   classroom.grading.zygote): every guard on, the imports paid once per worker;
3. ``grade-class`` with a fresh sandboxed kernel per notebook (``CLASSROOM_KERNELS=fresh``): every guard on.

Set BENCH_GRADING_CLASS (class size) or BENCH_GRADING_JOBS (workers; default cores + 1, as grade-class) to vary it.
The assignment is the course's first problem set (solutions/ps1*) when it exists, else the grading tests'
fixture; the output says which. Every way grades identical copies of the same class; the benchmark prints the
wall times, their ratios, the CPU seconds each spent per notebook (every process they started, reaped, and the
sandboxes' processes, sampled) beside the fresh-kernel floor (the median CPU of a new kernel that only runs the
notebook's set-up cell, measured in the same run), the load average, and whether the gradebooks agree. It
never asserts.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from benchmarks.kernels import SandboxCPU, children_cpu, fresh_kernel_cpu, medians, setup_source

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "grading" / "course"
BIN = Path(sys.executable).parent
CLASS_SIZE = int(os.environ.get("BENCH_GRADING_CLASS", "60"))
FLOOR_REPEATS = int(os.environ.get("BENCH_FLOOR_REPEATS", "5"))
PLAIN_NBGRADER = """
from nbgrader.converters import Autograde as _Autograde
c.Autograde.sanitize_preprocessors = _Autograde.class_traits()["sanitize_preprocessors"].default()
c.Autograde.autograde_preprocessors = _Autograde.class_traits()["autograde_preprocessors"].default()
"""
GOAL = 2.5  # issue 21: grading at least 2.5x serial nbgrader with every guard on
SOLUTION = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)


def _env(**extra: str) -> dict[str, str]:
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra)


def _choose() -> tuple[Path, str, str, str, str]:
    """(course template dir, assignment, source dir name, release dir name, label)."""
    real = sorted(p for p in (ROOT / "solutions").glob("ps1*") if p.is_dir() and list(p.glob("*.ipynb")))
    if real:
        return ROOT, real[0].name, "solutions", "assignments", f"the course's {real[0].name} (solutions/)"
    return FIXTURE, "ps_fixture", "solutions", "assignments", "the grading fixture (solutions/ps1* not found)"


def _make_course(template: Path, assignment: str, source: str, dest: Path) -> None:
    dest.mkdir(parents=True)
    shutil.copy(template / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(template / source / assignment, dest / source / assignment)


def _answers(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """Answer-cell sources of the instructor's version, without the solution markers."""
    out = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            out[meta["grade_id"]] = SOLUTION.sub("", cell.source)
    return out


def _make_class(course: Path, assignment: str, source: str, release: str) -> None:
    for nb_path in sorted((course / release / assignment).glob("*.ipynb")):
        student_nb = nbformat.read(nb_path, as_version=4)
        answers = _answers(nbformat.read(course / source / assignment / nb_path.name, as_version=4))
        ids = list(answers)
        for i in range(CLASS_SIZE):
            nb = copy.deepcopy(student_nb)
            # a realistic mix: half complete, a quarter half done, a quarter untouched stubs
            keep = len(ids) if i % 2 == 0 else (len(ids) // 2 if i % 4 == 1 else 0)
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id in ids[:keep]:
                    cell.source = answers[grade_id]
            dest = course / "submitted" / f"student{i:03d}" / assignment
            dest.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest / nb_path.name)


def _scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: round(float(s.score), 6) for s in gb.find_assignment(assignment).submissions}


def _timed(cmd: list[str], cwd: Path, **env: str) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall s, CPU s of the command and every process it started, result). CPU inside bubblewrap sandboxes
    escapes the reaped children's count and is sampled from /proc (benchmarks.kernels.SandboxCPU)."""
    cpu, start = children_cpu(), time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with SandboxCPU(proc.pid) as boxed:
        out, err = proc.communicate()
    done = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    return time.perf_counter() - start, children_cpu() - cpu + boxed.seconds, done


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def run() -> None:
    template, assignment, source, release, label = _choose()
    print(f"assignment: {label}; class of {CLASS_SIZE} generated submissions; {os.cpu_count()} cores; "
          f"load average at the start {_load()}")
    base = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        prepared = base / "prepared"
        _make_course(template, assignment, source, prepared)
        gen = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"],
                             cwd=prepared, env=_env(), capture_output=True, text=True)
        if gen.returncode != 0:
            print(f"cannot generate {assignment}: {gen.stderr.strip().splitlines()[-1:]}")
            return
        _make_class(prepared, assignment, source, release)
        serial, forked, fresh = base / "serial", base / "zygote", base / "fresh"
        for dest in (serial, forked, fresh):
            shutil.copytree(prepared, dest)
        # The baseline is plain nbgrader: the course's config makes `nbgrader autograde` sandboxed too
        # (classroom.grading.nbgrader_steps), so the serial copy gets nbgrader's own default steps back.
        with open(serial / "nbgrader_config.py", "a") as fh:
            fh.write(PLAIN_NBGRADER)

        notebooks = sorted((prepared / release / assignment).glob("*.ipynb"))
        n_notebooks = CLASS_SIZE * len(notebooks)
        setup = setup_source(notebooks[0]) if notebooks else "pass"
        floor_cpu, floor_wall, floor_all = medians(lambda: fresh_kernel_cpu(setup), FLOOR_REPEATS)

        t_serial, c_serial, done_serial = _timed([str(BIN / "nbgrader"), "autograde", assignment], serial)
        load_serial = _load()
        if done_serial.returncode != 0:
            print("nbgrader autograde reported errors: " + done_serial.stderr.strip()[-300:])
        jobs = os.environ.get("BENCH_GRADING_JOBS", str((os.cpu_count() or 1) + 1))
        grade = [str(BIN / "grade-class"), assignment, "--no-progress", "--no-feedback", "--no-csv", "--jobs", jobs]
        runs = {}
        for name, course, kernels in (("zygote", forked, "zygote"), ("fresh", fresh, "fresh")):
            t, c, done = _timed(grade, course, CLASSROOM_KERNELS=kernels)
            runs[name] = (t, c, _load())
            if done.returncode != 0:
                print(f"grade-class ({name} kernels): " + (done.stdout + done.stderr).strip()[-300:])
        a = _scores(serial, assignment)
        print(f"plain serial nbgrader autograde     : {t_serial:7.1f} s  ({CLASS_SIZE / t_serial:.2f} submissions/s;"
              f" load average after it {load_serial})")
        for name, label in (("zygote", "zygote kernels (default)"), ("fresh", "fresh kernels          ")):
            t, c, load = runs[name]
            print(f"grade-class, {label}: {t:7.1f} s  ({CLASS_SIZE / t:.2f} submissions/s, {jobs} workers; "
                  f"load average after it {load}): speed-up {t_serial / t:.2f}x")
        print(f"speed-up with every guard on: {t_serial / runs['zygote'][0]:.2f}x with zygote kernels, "
              f"{t_serial / runs['fresh'][0]:.2f}x with fresh kernels (goal: at least {GOAL}x, stretch 4x)")
        print(f"CPU per notebook ({n_notebooks} notebooks): serial nbgrader {c_serial / n_notebooks:.2f} CPU-s, "
              f"grade-class with zygote kernels {runs['zygote'][1] / n_notebooks:.2f} CPU-s, with fresh kernels "
              f"{runs['fresh'][1] / n_notebooks:.2f} CPU-s; fresh-kernel floor {floor_cpu:.2f} CPU-s "
              f"(median of {len(floor_all)}: a new kernel running only the set-up cell, {floor_wall:.1f} s wall each)")
        for name in ("zygote", "fresh"):
            c = runs[name][1]
            print(f"  grade-class, {name} kernels: {c / n_notebooks / floor_cpu:.2f}x the fresh-kernel floor per "
                  "notebook")
        for name, course in (("zygote", forked), ("fresh", fresh)):
            b = _scores(course, assignment)
            agree = sum(1 for s in a if a.get(s) == b.get(s))
            print(f"same total score for {agree}/{len(a)} students in nbgrader's and grade-class's ({name} kernels)"
                  " gradebooks")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    run()
