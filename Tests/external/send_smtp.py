#!/usr/bin/env python3
"""`bulletin send` against a real SMTP server (aiosmtpd) started here on loopback.

    send_smtp.py BULLETIN

- A proof of the example site's first issue, asked for by number, reaches the server
  with login: the envelope names the site's sender and both recipients; the message,
  parsed by Python's email package, has the same parts as the issue's email.eml and the
  same headers, but for a subject marked "[BAT] ", its own Date and Message-ID, and To.
- The same issue asked for by its folder's name is sent too.
- A refused recipient, a wrong password, a closed port, TLS spoken to a plain server,
  a server that never answers (--timeout 2), a password in the URL and no server at all
  each end with exit 1 and one line on standard error that says why, and no trace.
Exits 1 on any failure.
"""
import email
import email.policy
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def check(condition, what):
    print(("PASS: " if condition else "FAIL: ") + what)
    if not condition:
        failures.append(what)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Handler:
    def __init__(self):
        self.received = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refuse.example"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def refusing_logins(listener):
    """A server that refuses every login (aiosmtpd 1.4 never answers a refused one)."""
    while True:
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection, connection.makefile("rwb") as stream:
            stream.write(b"220 refusing.example ESMTP\r\n")
            stream.flush()
            for line in stream:
                verb = line.split(b" ")[0].strip().upper()
                if verb == b"EHLO":
                    stream.write(b"250-refusing.example\r\n250 AUTH PLAIN LOGIN\r\n")
                elif verb == b"AUTH":
                    stream.write(b"535 5.7.8 Authentication credentials invalid\r\n")
                elif verb == b"QUIT":
                    stream.write(b"221 Bye\r\n")
                    stream.flush()
                    break
                else:
                    stream.write(b"503 5.5.1 Log in first\r\n")
                stream.flush()


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"redaction" and auth_data.password == b"secret"
    return AuthResult(success=ok)


def main():
    # aiosmtpd's own complaints (the TLS test's bytes, its deprecations) are not ours.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    bulletin = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="bulletin-send-")
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False)
    controller.start()
    # A server that takes the connection and never says a word.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    silent_port = silent.getsockname()[1]
    held = []
    threading.Thread(target=lambda: [held.append(silent.accept()) for _ in range(5)], daemon=True).start()
    refusing = socket.socket()
    refusing.bind(("127.0.0.1", 0))
    refusing.listen(5)
    threading.Thread(target=refusing_logins, args=(refusing,), daemon=True).start()
    try:
        def send(issue, to, smtp, password="secret", extra=()):
            environment = dict(os.environ, BULLETIN_SMTP_PASSWORD=password)
            environment.pop("BULLETIN_SMTP_URL", None)
            command = [bulletin, "send", issue, "--to", to, "--source", ROOT, "--output", os.path.join(work, "output"),
                       "--cache", os.path.join(work, "cache")] + (["--smtp", smtp] if smtp else []) + list(extra)
            started = time.monotonic()
            run = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=120)
            return run, time.monotonic() - started

        smtp = "smtp://redaction@127.0.0.1:%d" % port
        run, _ = send("40", "redaction@example.fr, maire@example.fr", smtp)
        check(run.returncode == 0, "a proof is sent (exit %d: %s)" % (run.returncode, run.stderr.strip()[-300:]))
        check(len(handler.received) == 1, "the server received one message (%d)" % len(handler.received))
        eml_path = os.path.join(work, "output", "issues", "2023-07-lettre-ete", "email.eml")
        if handler.received and os.path.exists(eml_path):
            sender, recipients, raw = handler.received[0]
            check(sender == "lettre@parc-artois-flandres.fr", "the envelope's sender is email_from's address (%s)" % sender)
            check(recipients == ["redaction@example.fr", "maire@example.fr"], "the envelope names both recipients (%s)" % recipients)
            proof = email.message_from_bytes(raw, policy=email.policy.default)
            # Both parsed from bytes: a file object would be read with universal newlines,
            # and its quoted-printable parts would decode to LF where the proof's have CRLF.
            with open(eml_path, "rb") as handle:
                original = email.message_from_bytes(handle.read(), policy=email.policy.default)
            check(str(proof["subject"]) == "[BAT] " + str(original["subject"]),
                  "the subject is marked: %r" % str(proof["subject"]))
            check(str(proof["to"]) == "redaction@example.fr, maire@example.fr", "To names the recipients (%r)" % str(proof["to"]))
            check(proof["message-id"] != original["message-id"] and "@" in str(proof["message-id"]),
                  "the proof has a message id of its own (%s)" % proof["message-id"])
            check(proof["date"].datetime is not None and abs(time.time() - proof["date"].datetime.timestamp()) < 300,
                  "the proof is dated now (%s)" % proof["date"])
            changed = {"subject", "to", "date", "message-id"}
            same = [(key.lower(), str(value)) for key, value in original.items() if key.lower() not in changed]
            kept = [(key.lower(), str(value)) for key, value in proof.items() if key.lower() not in changed]
            check(same == kept, "every other header is the .eml's, in order (%s)" % [key for key, _ in kept])
            check("list-unsubscribe" in dict(kept), "List-Unsubscribe travels with the proof")
            parts = [(part.get_content_type(), part.get_content()) for part in proof.iter_parts()]
            expected = [(part.get_content_type(), part.get_content()) for part in original.iter_parts()]
            check(parts == expected and len(parts) == 2, "the same text and HTML parts as email.eml")

        run, _ = send("2023-07-lettre-ete", "redaction@example.fr", smtp)
        check(run.returncode == 0 and len(handler.received) == 2, "an issue named by its folder is sent (%s)" % run.stderr.strip()[-200:])

        def refused(what, run, *words):
            lines = [line for line in run.stderr.strip().splitlines() if line]
            last = lines[-1] if lines else ""
            clean = not any(trace in run.stderr for trace in ("Traceback", "Fatal error", "Stack dump", "Current stack trace"))
            said = all(word.lower() in last.lower() for word in words)
            check(run.returncode == 1 and clean and last.startswith("error: ") and said,
                  "%s: exit %d, %r" % (what, run.returncode, last))

        count = len(handler.received)
        run, _ = send("40", "personne@refuse.example", smtp)
        refused("a refused recipient", run, "550", "127.0.0.1:%d" % port)
        run, _ = send("40", "redaction@example.fr", "smtp://redaction@127.0.0.1:%d" % refusing.getsockname()[1], password="wrong")
        refused("a wrong password", run, "login")
        run, _ = send("40", "redaction@example.fr", "smtp://127.0.0.1:%d" % free_port())
        refused("a closed port", run, "connect")
        run, _ = send("40", "redaction@example.fr", "smtps://127.0.0.1:%d" % port)
        refused("TLS spoken to a plain server", run, "SSL")
        run, seconds = send("40", "redaction@example.fr", "smtp://127.0.0.1:%d" % silent_port, extra=["--timeout", "2"])
        refused("a server that never answers", run, "timeout")
        check(seconds < 30, "the silent server is given up on in time (%.1f s, build included)" % seconds)
        run, _ = send("40", "redaction@example.fr", "smtp://redaction:secret@127.0.0.1:%d" % port)
        refused("a password in the URL", run, "BULLETIN_SMTP_PASSWORD")
        run, _ = send("40", "redaction@example.fr", None)
        refused("no server", run, "BULLETIN_SMTP_URL")
        run, _ = send("999", "redaction@example.fr", smtp)
        refused("an issue that does not exist", run, "999")
        check(len(handler.received) == count, "nothing more was delivered")
    finally:
        controller.stop()
        silent.close()
        refusing.close()
        subprocess.run(["rm", "-rf", work])
    print("send_smtp: %d failure(s)" % len(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
