"""nbgrader configuration: instructor sources in solutions/, student versions in assignments/.

nbgrader executes this file before every command run from the course root, so it also makes the commands work
in a shell where no environment is activated (``.venv/bin/nbgrader ...``):

- nbgrader starts the ``alembic`` program by name; the interpreter's own bin/ (where pip put alembic) goes first
  on PATH, and if alembic still cannot be found the command stops here, before it touches the gradebook or
  deletes a released assignment;
- the course root is this file's folder, as an absolute path (no "root '.' is not absolute" warnings, and the
  same course whatever the working directory);
- ``generate_assignment`` cannot leave a released assignment deleted: what a failure removed is put back.
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (provided by nbgrader)

_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")
if shutil.which("alembic") is None:
    raise SystemExit(f"nbgrader_config.py: the 'alembic' program is not in {_bin} nor on PATH; "
                     "install the course environment (make setup) and run nbgrader from it")

# A new gradebook reads nbgrader's schema version in-process instead of starting the `alembic` program again
# (classroom/grading/alembic_head.py; a monkeypatch, docs/threat_model.md).
try:
    from classroom.grading.alembic_head import install as _alembic_head_in_process
except ImportError:
    pass
else:
    _alembic_head_in_process()

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
try:  # a failed `generate_assignment` puts back the assignments/<id>/ it deleted (classroom/grading/course_state.py)
    from classroom.grading.course_state import guard_release_folder
except ImportError:
    pass
else:
    guard_release_folder(sys.argv, Path(c.CourseDirectory.root) / "assignments")
c.CourseDirectory.course_id = "osteonecrosis"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")

# A per-cell timeout (seconds): student code that hangs a cell is stopped and that cell scores 0.
c.ExecutePreprocessor.timeout = 60
c.ExecutePreprocessor.interrupt_on_timeout = True
c.Execute.timeout = 60

# Student versions: stubs raise NotImplementedError with a message, so that an answer written above a
# forgotten stub line still says what to do when its cell runs.
c.ClearSolutions.code_stub = {
    "python": '# YOUR CODE HERE\nraise NotImplementedError("Delete this line and write your answer in its place")'
}
# nbgrader validate cuts each message line at width - 3 characters (90 by default): keep the whole first line.
c.Validator.width = 120
# ... and never says "Success! Your notebook passes all the tests": visible tests are not the grade.
# A failed check is one line, the course's message first (no test code, no traceback):
# classroom/grading/validate_message.py.
# nbgrader has no setting for either (the Validator class is built by name), so this one stays a patch: see
# docs/threat_model.md, "Monkeypatches".
try:
    from classroom.grading.validate_message import install as _say_visible_is_not_the_grade
except ImportError:
    pass
else:
    _say_visible_is_not_the_grade()
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Each cell's instructor-only metadata (the knowledge entries a key rests on, which can name the answer) is
# removed from the student version by generate_assignment itself (classroom/authoring/instructor_metadata.py).
try:
    from classroom.authoring.instructor_metadata import generate_assignment_preprocessors
except ImportError:
    pass
else:
    c.GenerateAssignment.preprocessors = generate_assignment_preprocessors()
# Per-class variants (docs/variants.md): generate_assignment first turns each solution notebook into the class's
# variant drawn from the course secret kept outside git, so the gradebook holds the variant's hidden tests and the
# student version its cases; without a secret (or inside a git work tree) the default, and one line says so.
try:
    from classroom.authoring.variant_preprocessor import first_step as _variant_first
except ImportError:
    pass
else:
    c.GenerateAssignment.preprocessors = _variant_first(c.GenerateAssignment.preprocessors)

# What a student wrote or printed reaches the instructor's browser only through an allow-list sanitiser (nh3):
# formgrader renders each submission with templates that clean every markdown cell and output after rendering,
# and `nbgrader generate_feedback` writes pages without any script. See classroom/grading/guards/render_sanitise.py.
try:
    from classroom.grading.guards.render_sanitise import configure as _sanitise_rendering
except ImportError:
    pass
else:
    _sanitise_rendering(c)

# Grading the nbgrader way (classroom/grading/nbgrader_steps.py): `nbgrader autograde` (command line or formgrader)
# runs student code only in the course's sandboxed Execute step, with grade-class's guards (the checker, output
# budgets, tamper checks), and `nbgrader generate_feedback` leaves hidden tests and active content out. Named by
# path, not imported: without the course package these commands fail instead of running student code unsandboxed.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "classroom.grading.nbgrader_steps.DropEmptyNbgraderMetadata", "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells", "classroom.grading.nbgrader_steps.CheckCellMetadataOnce",
]
c.Autograde.autograde_preprocessors = [
    "classroom.grading.executor.SandboxedExecute", "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor", "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades", "nbgrader.preprocessors.AssignLatePenalties",
    "classroom.grading.nbgrader_steps.CheckCellMetadataOnce",
]
c.GenerateFeedback.preprocessors = [
    "classroom.grading.nbgrader_steps.HideHiddenTests", "classroom.grading.nbgrader_steps.NeutraliseActiveContent",
    "nbgrader.preprocessors.GetGrades",
]

# Late submissions (the course's policy, applied by `nbgrader autograde` and by grade-class alike): a submission
# after the assignment's due date (`nbgrader db assignment add ID --duedate=...`) loses 10 % of its score per
# started day late, and everything from the 5th day on. See classroom/grading/late_penalty.py.
c.AssignLatePenalties.plugin_class = "classroom.grading.late_penalty.PerDayLatePenalty"
c.PerDayLatePenalty.percent_per_day = 10.0
c.PerDayLatePenalty.zero_after_days = 5
# Sealed checks (docs/authoring.md, 'Sealed checks'): right after the variant, the model answers run once and each
# visible sealed_check gets its seal, so Validate fails exactly when a graded value is wrong, without the key.
try:
    from classroom.authoring.seal import after_variant as _seal_after_variant
except ImportError:
    pass
else:
    c.GenerateAssignment.preprocessors = _seal_after_variant(c.GenerateAssignment.preprocessors)
