"""The replica target over SFTP, as an operator with no object storage would run it:
Debian's OpenSSH (`sshd`, its internal-sftp) on 127.0.0.13, one key pair for
Litestream and a pinned host key. scripts/fleet up --target sftp uses it.
"""

from __future__ import annotations

import getpass
import shutil
import subprocess
from pathlib import Path

SFTP = "127.0.0.13"


def prepare(state: Path, port: int, primary_db: str) -> Path:
    """Keys, sshd_config and the Litestream config (primary and followers share it);
    returns the Litestream config's path."""
    ssh = state / "ssh"
    shutil.rmtree(ssh, ignore_errors=True)
    ssh.mkdir(parents=True)
    for name in ("host_key", "client_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh / name)], check=True
        )
    shutil.copy(ssh / "client_key.pub", ssh / "authorized_keys")
    user = getpass.getuser()
    (ssh / "sshd_config").write_text(
        f"ListenAddress {SFTP}\nPort {port}\nHostKey {ssh / 'host_key'}\n"
        f"PidFile {ssh / 'sshd.pid'}\nAuthorizedKeysFile {ssh / 'authorized_keys'}\n"
        "PubkeyAuthentication yes\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
        f"AllowUsers {user}\nUsePAM no\nStrictModes no\nX11Forwarding no\n"
        "AllowTcpForwarding no\nSubsystem sftp internal-sftp\n"
    )
    host_key = (ssh / "host_key.pub").read_text().split()
    config = state / "litestream.yml"
    config.write_text(
        "dbs:\n"
        f"  - path: {primary_db}\n"
        "    replica:\n"
        "      type: sftp\n"
        f"      host: {SFTP}:{port}\n"
        f"      user: {user}\n"
        f"      key-path: {ssh / 'client_key'}\n"
        f"      host-key: {host_key[0]} {host_key[1]}\n"
        f"      path: {state / 'replica-target'}\n"
        "      sync-interval: 200ms\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory
    return config


def sshd_command(state: Path) -> list[str]:
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"  # re-exec needs an absolute path
    return [sshd, "-D", "-e", "-f", str(state / "ssh" / "sshd_config")]
