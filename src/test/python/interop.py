"""The Python service of tracebee's interop test, run under `opentelemetry-instrument` (no tracing code here).

    GET /start?go=HOST:PORT  calls the Go service's /fetch?url=http://<this service>/leaf with requests
                             and answers with what came back
    GET /leaf                answers "leaf traceparent=<the traceparent header it received>"

Prints exactly one line, "listening on 127.0.0.1:<port>", once it is bound to a free port.
"""
import requests
from flask import Flask, request
from werkzeug.serving import make_server

app = Flask(__name__)


@app.get("/start")
def start():
    go = request.args["go"]
    r = requests.get(f"http://{go}/fetch?url=http://{request.host}/leaf", timeout=10)
    return r.text, r.status_code


@app.get("/leaf")
def leaf():
    return "leaf traceparent=" + request.headers.get("traceparent", "")


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"listening on 127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()
