"""A loopback proxy in front of `appsnap serve` that injects the faults a real network
and a busy service produce, so the client's retries can be tested without a real cloud.

usage: fault_proxy.py UPSTREAM_PORT MODE
  throttle-after:N  the first N requests reach the server, but their answers are replaced
                    by Throttling.User (the client never learns what happened: a create
                    must be retried with its ClientToken to make one group)
  cut               every answer is cut off mid-body: the connection closes early
Prints "listening PORT" once ready; every request is logged on stderr as "ACTION fault|pass".
"""
import http.client
import http.server
import json
import sys
import signal
import threading

# The test runner starts this with most signals blocked; unblock them so it can be stopped.
signal.pthread_sigmask(signal.SIG_UNBLOCK, signal.valid_signals())

upstream = int(sys.argv[1])
mode = sys.argv[2]
lock = threading.Lock()
count = {"n": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "content-length")}
        conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=60)
        conn.request(self.command, self.path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        conn.close()
        action = self.headers.get("x-acs-action") or "?"
        with lock:
            count["n"] += 1
            n = count["n"]
        if mode.startswith("throttle-after:") and n <= int(mode.split(":")[1]):
            sys.stderr.write(f"{action} fault\n")
            sys.stderr.flush()
            fault = json.dumps({"RequestId": f"FAULT-{n}", "HostId": "proxy", "Code": "Throttling.User",
                                "Message": "Request was denied due to user flow control.", "Recommend": ""}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(fault)))
            self.end_headers()
            self.wfile.write(fault)
            return
        if mode == "cut":
            sys.stderr.write(f"{action} cut\n")
            sys.stderr.flush()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data) + 1000))
            self.end_headers()
            self.wfile.write(data[: max(1, len(data) // 2)])
            self.wfile.flush()
            self.close_connection = True
            return
        sys.stderr.write(f"{action} pass\n")
        sys.stderr.flush()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.getheader("Content-Type") or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = relay
    do_POST = relay


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
