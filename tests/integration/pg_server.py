"""A PostgreSQL cluster of the test's own (initdb, pg_ctl), on a free port, that a test may restart.

The shared server the other tests use is never touched. As root, the cluster's programs run as the
`postgres` user (PostgreSQL refuses to run as root); its directory lives outside pytest's private
temporary folder so that user can reach it.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _free_port(first: int = 5440, last: int = 5480) -> int:
    for port in range(first, last):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port between {first} and {last}")


def postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    def __init__(self):
        self.bin = postgres_binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server programs (initdb, pg_ctl) are not installed")
        self.root = Path(tempfile.mkdtemp(prefix="pg-own-"))
        self.data, self.port = self.root / "data", _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def _run(self, program: str, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, str(self.bin / program), *args], check=True, cwd=self.root,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=240)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresServer:
        # fsync off: a crash of the server process (what the tests do) keeps what reached the kernel.
        # synchronous_commit stays on, as in production: with it off, a commit the application was
        # told about can still sit in the WAL buffers when the process is killed, and vanish.
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=on -c full_page_writes=off")
        # On a loaded machine crash recovery can outlast pg_ctl's default wait (60 s), and a start right
        # after an immediate stop can fail once: wait longer, try again, and say what the server logged.
        for attempt in range(3):
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                          "-t", "180", "-w", "start")
                return self
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise RuntimeError(f"PostgreSQL did not start; its log ends:\n{self.log_tail()}") from None
                time.sleep(2)
        return self

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.root / "server.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, mode: str = "fast") -> None:
        """`immediate`: the server dies at once, as in a crash (clients see their connection drop)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.root, ignore_errors=True)
