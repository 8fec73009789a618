"""The scripts a newcomer runs first: ./scripts/serve says what it is doing."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _executable(path: Path, body: str) -> None:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_serve_says_what_it_does_before_the_first_install(tmp_path):
    """Run the real script in a copy of the tree, with a stand-in python3 whose venv
    records each step: the messages must come before the slow steps they announce."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "serve", tmp_path / "scripts" / "serve")
    log = tmp_path / "steps.log"
    fake = tmp_path / "bin"
    fake.mkdir()
    _executable(
        fake / "python3",
        f"""mkdir -p .venv/bin
cat > .venv/bin/python <<'X'
#!/bin/sh
X
cat > .venv/bin/pip <<'X'
#!/bin/sh
echo "PIP $*" >> {log}
printf '#!/bin/sh\\necho "SERVE $*" >> {log}\\n' > .venv/bin/healthflags
chmod +x .venv/bin/healthflags
X
chmod +x .venv/bin/python .venv/bin/pip
""",
    )
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"}
    first = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "serve"), "--port", "9"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    messages = first.stderr.splitlines()
    assert messages[0].startswith("serve: first run: making a Python environment")
    assert "installing healthflags" in messages[1] and "about a minute" in messages[1]
    assert "starting the server" in messages[2]
    assert log.read_text().splitlines() == [
        "PIP install --quiet --disable-pip-version-check -e .",
        "SERVE serve --port 9",
    ]
    second = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "serve")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "checking that .venv has healthflags" in second.stderr
    assert "first run" not in second.stderr
