"""nbgrader settings of the Kubernetes image (deploy/k8s/Dockerfile), for every pod: the course and its exchange."""

c = get_config()  # noqa: F821  (provided by nbgrader)

c.CourseDirectory.course_id = "osteonecrosis"
# A ReadWriteMany volume mounted at nbgrader 0.9.6's default exchange root in every user pod (values.yaml).
c.Exchange.root = "/usr/local/share/nbgrader/exchange"
from classroom.grading.validate_message import install  # noqa: E402  visible tests passed is not 'Success', not the grade

install()
