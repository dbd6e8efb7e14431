"""JupyterHub configuration for the course's class server (started by ``tools/hub/hub.py serve``, make hub).

Reads ``settings.json`` written by ``hub.py setup`` (path in OSTEO_HUB_SETTINGS) and the ports chosen by
``serve`` (OSTEO_HUB_IP, OSTEO_HUB_PORT, OSTEO_HUB_INTERNAL_PORT, OSTEO_HUB_PROXY_API_PORT).

- Login: PAM with the real unix accounts made from the roster; only the roster's students and the instructor
  may log in.
- Each user's server is ``jupyterhub-singleuser`` from the shared environment, run as that unix user
  (LocalProcessSpawner) in their home, opening JupyterLab. Students see the Assignments panel only; the
  instructor's account has Formgrader and Create Assignment switched on (hub.py setup, ``--user``).
- Tests only: OSTEO_HUB_EXPOSE_APP=1 exposes JupyterLab as ``window.jupyterapp`` (as tests/support/browser.py
  does for a plain JupyterLab), and OSTEO_HUB_SERVICE_TOKEN registers a service ``course-admin`` that may list
  users and servers; without it there is no API token at all.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by JupyterHub)

settings = json.loads(Path(os.environ["OSTEO_HUB_SETTINGS"]).read_text())
venv = Path(settings["venv"])
state = Path(settings["state"])

c.JupyterHub.ip = os.environ.get("OSTEO_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("OSTEO_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("OSTEO_HUB_INTERNAL_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('OSTEO_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.command = settings["proxy_command"]  # [node, configurable-http-proxy]
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no systemd-logind session per login on a class server
c.Authenticator.allowed_users = set(settings["students"]) | set(settings["instructors"])
c.Authenticator.admin_users = set()  # nobody can open another user's server through the hub

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(venv / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.environment = {
    # nbgrader starts alembic and the kernel by name: the shared environment's bin/ comes first.
    "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
}
if os.environ.get("OSTEO_HUB_EXPOSE_APP") == "1":  # tests drive JupyterLab through window.jupyterapp
    c.Spawner.args = ["--LabApp.expose_app_in_browser=True"]
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180
c.JupyterHub.shutdown_on_logout = False

token = os.environ.get("OSTEO_HUB_SERVICE_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "course-admin", "api_token": token}]
    c.JupyterHub.load_roles = [{
        "name": "course-admin", "services": ["course-admin"],
        "scopes": ["list:users", "read:users", "admin:servers", "read:servers"],
    }]
