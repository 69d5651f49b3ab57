"""OpenSSH sshd serving only internal-sftp, the stand-in for the bank's log server.

Its own host keys and client key live under data/sftp (generated once), its config under conf/. One
login is allowed: the demo user with the generated key (no passwords). When the twin runs as root that
user is the dedicated system account `bankpipe-sftp` (created if missing), otherwise the current user,
because an unprivileged sshd can only log in the account it runs as. No chroot: the drop directory's
real absolute path is what the source connector's `input.dir` names.
"""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import subprocess
from pathlib import Path

from services.processes import TwinError
from services.servers.base import Service
from services.settings import SFTP_SYSTEM_USER, SSHD_BIN, Paths

HOST_KEY_TYPES = ("ed25519", "rsa")


def sftp_user() -> str:
    configured = os.environ.get("TWIN_SFTP_USER", "").strip()
    if configured:
        return configured
    return SFTP_SYSTEM_USER if os.geteuid() == 0 else getpass.getuser()


class SftpLayout:
    """Files of the SFTP stand-in; also used by connector deployment and tests."""

    def __init__(self, paths: Paths) -> None:
        self.root = paths.data / "sftp"
        self.drop_dir = self.root / "drop"
        self.processed_dir = self.root / "processed"
        self.host_keys_dir = self.root / "host-keys"
        self.client_key = self.root / "client" / "id_rsa"
        self.authorized_keys = self.root / "authorized_keys"
        self.known_hosts = self.root / "known_hosts"
        self.config = paths.conf / "sshd_config"

    def host_key(self, key_type: str) -> Path:
        return self.host_keys_dir / f"ssh_host_{key_type}_key"

    def host_key_fingerprints(self) -> list[str]:
        """SHA-256 fingerprints (`ssh-keygen -lf`) of the host keys, as the connector expects them."""
        fingerprints = []
        for key_type in HOST_KEY_TYPES:
            output = _run(["ssh-keygen", "-lf", f"{self.host_key(key_type)}.pub"], "ssh-keygen -lf")
            fingerprints.append(output.split()[1])
        return fingerprints


def _run(command: list[str], what: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise TwinError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result.stdout


def _ensure_system_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        print(f"  creating system user {name} (login for the SFTP drop only, no shell)")
        # Password '*': no password can ever match, yet the account is not "locked" ('!'), which sshd
        # without PAM refuses even for key logins.
        command = ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent"]
        _run([*command, "--shell", "/usr/sbin/nologin", "--password", "*", name], f"useradd {name}")
        return
    if name == SFTP_SYSTEM_USER and _shadow_password(name).startswith("!"):
        _run(["usermod", "--password", "*", name], f"usermod {name}")


def _shadow_password(name: str) -> str:
    for line in Path("/etc/shadow").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return fields[1]
    return ""


def _check_walkable(path: Path, user: str) -> None:
    """sshd serves files as `user`; every parent of the drop must be enterable by others."""
    if os.geteuid() != 0 or user == "root":
        return
    for parent in path.parents:
        if not os.stat(parent).st_mode & 0o001:
            raise TwinError(
                f"{parent} is not enterable by other users (mode {oct(os.stat(parent).st_mode & 0o777)}), so "
                f"the SFTP user {user} cannot reach {path}. Run `chmod o+x {parent}` or move TWIN_HOME."
            )


class SftpService(Service):
    name = "sftp"
    description = "OpenSSH internal-sftp (log server)"
    port_keys = ("sftp",)
    ready_timeout_seconds = 30.0

    def prepare(self, paths: Paths, ports: dict[str, int]) -> None:
        if not SSHD_BIN.is_file():
            raise TwinError(
                f"{SSHD_BIN} not found: install OpenSSH's server (apt-get install -y openssh-server, then "
                "stop the system service: service ssh stop) or set TWIN_SSHD."
            )
        for tool in ("ssh-keygen", "sftp"):
            if shutil.which(tool) is None:
                raise TwinError(f"{tool} not found: install openssh-client.")
        user = sftp_user()
        if os.geteuid() == 0:
            _ensure_system_user(user)
            # sshd's privilege separation directory; /run is emptied at boot.
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        layout = SftpLayout(paths)
        for directory in (layout.root, layout.host_keys_dir, layout.client_key.parent):
            directory.mkdir(parents=True, exist_ok=True)
        layout.root.chmod(0o755)
        layout.host_keys_dir.chmod(0o700)
        layout.client_key.parent.chmod(0o700)
        for key_type in HOST_KEY_TYPES:
            if not layout.host_key(key_type).exists():
                _run(
                    [
                        "ssh-keygen",
                        "-q",
                        "-t",
                        key_type,
                        "-N",
                        "",
                        "-C",
                        "twin-sftp-host",
                        "-f",
                        str(layout.host_key(key_type)),
                    ],
                    "ssh-keygen (host key)",
                )
        if not layout.client_key.exists():
            # RSA in PEM form: the one private key format every SSH library reads.
            _run(
                [
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "rsa",
                    "-b",
                    "3072",
                    "-m",
                    "PEM",
                    "-N",
                    "",
                    "-C",
                    f"{user}@twin",
                    "-f",
                    str(layout.client_key),
                ],
                "ssh-keygen (client key)",
            )
        layout.authorized_keys.write_text(Path(f"{layout.client_key}.pub").read_text())
        layout.authorized_keys.chmod(0o644)
        public_keys = [
            Path(f"{layout.host_key(key_type)}.pub").read_text().split() for key_type in HOST_KEY_TYPES
        ]
        layout.known_hosts.write_text(
            "".join(f"[127.0.0.1]:{ports['sftp']} {key[0]} {key[1]}\n" for key in public_keys)
        )
        for directory in (layout.drop_dir, layout.processed_dir):
            directory.mkdir(exist_ok=True)
            if os.geteuid() == 0:
                entry = pwd.getpwnam(user)
                os.chown(directory, entry.pw_uid, entry.pw_gid)
            directory.chmod(0o775)
        _check_walkable(layout.drop_dir, user)
        host_keys = "\n".join(f"HostKey {layout.host_key(key_type)}" for key_type in HOST_KEY_TYPES)
        layout.config.write_text(
            f"""# Generated by local/twin.py on every start; edit local/services/servers/sftp.py.
Port {ports["sftp"]}
ListenAddress 127.0.0.1
{host_keys}
PidFile none
UsePAM no
PermitRootLogin {"prohibit-password" if user == "root" else "no"}
AllowUsers {user}
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile {layout.authorized_keys}
# The key files live in the twin's state dir, whose parents sshd would otherwise have to vet.
StrictModes no
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTTY no
PermitTunnel no
Subsystem sftp internal-sftp
ForceCommand internal-sftp -d {layout.drop_dir} -u 0022
LogLevel INFO
"""
        )

    def command(self, paths: Paths, ports: dict[str, int]) -> list[str]:
        # -D: stay in the foreground (the recorded pid is the listener); -e: log to the log file.
        return [str(SSHD_BIN), "-D", "-e", "-f", str(SftpLayout(paths).config)]

    def not_ready_reason(self, paths: Paths, ports: dict[str, int]) -> str | None:
        """A real login and directory listing with the OpenSSH client, host key verified."""
        layout = SftpLayout(paths)
        result = subprocess.run(
            sftp_client_command(layout, ports["sftp"]),
            input="ls\n",
            capture_output=True,
            text=True,
            check=False,
            timeout=20,
        )
        return None if result.returncode == 0 else f"sftp ls failed: {result.stderr.strip()[-300:]}"


def sftp_client_command(layout: SftpLayout, port: int) -> list[str]:
    """`sftp -b -` as the demo user: feed it batch commands on stdin."""
    return [
        "sftp",
        "-b",
        "-",
        "-P",
        str(port),
        "-i",
        str(layout.client_key),
        "-o",
        "BatchMode=yes",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        f"UserKnownHostsFile={layout.known_hosts}",
        "-o",
        "ConnectTimeout=5",
        f"{sftp_user()}@127.0.0.1",
    ]
