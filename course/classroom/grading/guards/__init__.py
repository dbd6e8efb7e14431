"""The grader's guards against hostile submissions: one small unit per guard, each with its own corpus case.

- ``files``: what of a submission may be read (regular, single-link files only, refused before opening) and
  what enters the sandbox's scratch (the notebooks and the assignment's released data files, nothing else).
- ``launcher``: the kernel's start-up, with no student-writable directory ahead of the standard library.
- ``outputs``: every output a kernel sends is capped as it arrives (per cell and per notebook, errors and
  display updates included).
- ``checker`` (and ``checker_main``, the checker itself): test cells run in a process that never ran student
  code, on the student's answers taken out as plain data; one sandboxed fork server per worker.
- ``active_content``: autograded notebooks and feedback carry no scripts, event handlers or Javascript.

The README's grading guide lists which corpus case (tests/adversarial/corpus.py) exercises which guard.
"""
