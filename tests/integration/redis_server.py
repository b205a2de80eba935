"""A redis-server of the test's own, on a free port from 6390, that a test may stop and start again."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


def _free_port(first: int = 6390, last: int = 6420) -> int:
    for port in range(first, last):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port between {first} and {last}")


class RedisServer:
    def __init__(self, directory: Path):
        if not shutil.which("redis-server"):
            raise RuntimeError("redis-server is not installed")
        self.directory, self.port = directory, _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.answering():
            if time.monotonic() > deadline:
                raise TimeoutError("redis-server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """SIGKILL: Redis gone at once, as when its host dies (no goodbye to the clients)."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def answering(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0
