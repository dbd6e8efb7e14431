"""nbgrader settings of an instructor's pod only (JUPYTER_CONFIG_PATH=/etc/osteonecrosis/instructor, set by
values.yaml's hub.extraConfig): formgrader and the nbgrader commands work on the course folder in the instructor's
persistent home (a clone of the repository: git clone ... ~/osteonecrosis-course)."""

c = get_config()  # noqa: F821  (provided by nbgrader)

c.CourseDirectory.root = "/home/jovyan/osteonecrosis-course"
c.CourseDirectory.course_id = "osteonecrosis"
