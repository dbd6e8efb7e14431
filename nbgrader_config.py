"""nbgrader configuration: instructor sources in solutions/, student versions in assignments/."""

c = get_config()  # noqa: F821  (provided by nbgrader)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.course_id = "osteonecrosis"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

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
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
