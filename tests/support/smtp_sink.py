#!/usr/bin/env python3
"""A real SMTP server for Assay's email tests (aiosmtpd).

    smtp_sink.py PORT FOLDER [--reject "451 4.3.0 Try again later"]
                             [--refuse-rcpt ADDRESS "550 5.1.1 No such user"]

Listens on 127.0.0.1:PORT. Each accepted message is written to FOLDER as
<n>.eml (the raw bytes as received) and <n>.json (the envelope: mail_from and
rcpt_tos). With --reject, every message is refused at DATA with that reply
and nothing is written. With --refuse-rcpt, that one recipient is refused at
RCPT TO with the given reply; others are accepted. Runs until it is killed.
"""

import argparse
import json
import os
import signal
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, reject, refuse_rcpt):
        self.folder = folder
        self.reject = reject
        self.refuse_rcpt = refuse_rcpt
        self.lock = threading.Lock()
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt and address.lower() == self.refuse_rcpt[0].lower():
            return self.refuse_rcpt[1]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reject:
            return self.reject
        with self.lock:
            self.count += 1
            name = f"{time.time_ns()}-{self.count:05d}"
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
        # The envelope last, written whole: the test reads a message once
        # its .json exists.
        with open(os.path.join(self.folder, name + ".eml"), "wb") as f:
            f.write(raw)
        tmp = os.path.join(self.folder, name + ".json.partial")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(meta, f)
        os.rename(tmp, os.path.join(self.folder, name + ".json"))
        return "250 2.0.0 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("folder")
    parser.add_argument("--reject", help="refuse every message with this SMTP reply")
    parser.add_argument("--refuse-rcpt", nargs=2, metavar=("ADDRESS", "REPLY"),
                        help="refuse this one recipient with this SMTP reply")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    controller = Controller(Sink(args.folder, args.reject, args.refuse_rcpt), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"listening on 127.0.0.1:{args.port}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
