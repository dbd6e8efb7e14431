#!/bin/sh
# The image's Python layer (deploy/k8s/Dockerfile runs exactly this; tests/test_hub_k8s.py runs it outside Docker):
#   sh deploy/k8s/python-layer.sh VENV SRC PINS
# VENV: the environment to create with Debian 12's python3; SRC: the course package (course/, pyproject.toml,
# README.md); PINS: a folder with requirements.lock and requirements-k8s.txt.
# Installs the locked course environment + JupyterHub 5.5.0 (the chart's hub) + the whole course package (the
# osteonecrosis package and the course tools: grade-class, classroom.grading.feedback, the Validate message), switches
# nbgrader's instructor parts off for everyone, lets the lab frame its own formgrader ('self' only) and installs the
# course's JupyterLab overrides (no news prompt).
set -eu
venv=$1; src=$2; pins=$3
python3 -m venv "$venv"
# requirements-k8s.txt pins JupyterHub to the chart's hub: drop the lock's lines it overrides.
awk -F'==' 'NR==FNR { if ($0 !~ /^#/ && NF == 2) k[tolower($1)] = 1; next } !(tolower($1) in k)' \
  "$pins/requirements-k8s.txt" "$pins/requirements.lock" > "$pins/lock-k8s.txt"
"$venv/bin/pip" install --no-cache-dir --progress-bar off -c "$pins/lock-k8s.txt" -c "$pins/requirements-k8s.txt" \
  jupyterhub==5.5.0 "$src"
"$venv/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (osteonecrosis course)"
"$venv/bin/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.formgrader \
  nbgrader.server_extensions.course_list
"$venv/bin/jupyter" labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader \
  @jupyter/nbgrader:create-assignment @jupyter/nbgrader:course-list
"$venv/bin/jupyter" labextension unlock --level=sys_prefix @jupyter/nbgrader:formgrader \
  @jupyter/nbgrader:create-assignment @jupyter/nbgrader:course-list
# JupyterLab's Validate dialog: the course's sentence, not nbgrader's "Success!".
"$venv/bin/python" -m classroom.grading.validate_message "$venv"
cat > "$venv/etc/jupyter/jupyter_server_config.json" <<'JSON'
{"ServerApp": {"tornado_settings": {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}}}
JSON
mkdir -p "$venv/share/jupyter/lab/settings"
cp "$src/course/app/lab-overrides.json" "$venv/share/jupyter/lab/settings/overrides.json"
