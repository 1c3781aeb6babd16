"""A tiny recording HTTP server for tests: fixed answers per path, every request kept."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]
PAGE: Answer = (200, {"Content-Type": "text/html"}, b"<html><h1>Module 1</h1></html>")


@dataclass
class Recorder:
    answers: dict[str, Answer] = field(default_factory=dict)
    default: Answer = PAGE
    seen: list[tuple[str, str]] = field(default_factory=list)  # (Host header, path)


def serve(recorder: Recorder, address: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start a server on `address` answering from `recorder`; call `.shutdown()` when done."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one connection per request

        def do_GET(self) -> None:
            recorder.seen.append((self.headers.get("Host", ""), self.path))
            status, headers, body = recorder.answers.get(self.path, recorder.default)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def port_of(server: ThreadingHTTPServer) -> int:
    return int(server.server_address[1])


def own_private_address() -> str | None:
    """This machine's address on its default route, when it is a private (non-loopback) one."""
    import ipaddress

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("10.255.255.255", 1))  # no packet is sent
        except OSError:
            return None
        address = str(sock.getsockname()[0])
    ip = ipaddress.ip_address(address)
    return address if ip.is_private and not ip.is_loopback and not ip.is_link_local else None
