#!/usr/bin/env python3
"""A fake LLM provider for Scribe's tests, on 127.0.0.1 only: speaks the Gemini
streaming API (streamGenerateContent?alt=sse) and OpenAI-compatible chat
completions (POST /v1/chat/completions, stream: true) byte for byte.

The scenario is chosen by the model id, "fake-<scenario>". The "script" a
request gets is a deterministic function of its document (GET
/fake/script?doc=... or POST /fake/script returns it), and a request that
carries a partial script as the model's turn gets exactly the rest of it.

Usage: fake_llm.py [--port 0] [--key test-key] [--tls-cert C --tls-key K]
Prints "fake provider listening on PORT" when ready.
"""
import argparse
import json
import re
import socket
import socketserver
import ssl
import sys
import threading
import time
from urllib.parse import urlparse, parse_qs

API_KEY = "test-key"
STATE = {"counts": {}, "requests": []}
LOCK = threading.Lock()


def script_for(document):
    """The full answer for a document: deterministic, multi-byte, ~1.3 KB."""
    words = re.findall(r"\w+", document)[:40] or ["nothing"]
    sentences = ["Welcome to this audio lesson — let’s begin."]
    for i, word in enumerate(words, 1):
        sentences.append(f"Point {i} is about «{word}», explained simply ✓.")
    sentences.append("That is all for today. Thanks for listening! 🎧\n")
    return " ".join(sentences)


def chunks_of(text, size=23):
    return [text[i:i + size] for i in range(0, len(text), size)]


def usage(prompt, out, thoughts=None):
    u = {"promptTokenCount": prompt, "candidatesTokenCount": out, "totalTokenCount": prompt + out + (thoughts or 0)}
    if thoughts is not None:
        u["thoughtsTokenCount"] = thoughts
    return u


def event(obj, crlf=True):
    # Google's serializer: ": " after keys, no space after commas, raw UTF-8.
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ": "))
    end = "\r\n\r\n" if crlf else "\n\n"
    return ("data: " + body + end).encode("utf-8")


def chunk_event(text, n, total, finish=None, thought=False, crlf=True, prompt=12):
    part = {"text": text}
    if thought:
        part["thought"] = True
    cand = {"content": {"parts": [part], "role": "model"}, "index": 0}
    if finish:
        cand["finishReason"] = finish
    return event({"candidates": [cand], "usageMetadata": usage(prompt, n, 5 if thought else None),
                  "modelVersion": "gemini-fake-001", "responseId": "fakeResponse1"}, crlf)


def error_body(code, status, message, details=None):
    err = {"code": code, "message": message, "status": status}
    if details is not None:
        err["details"] = details
    return json.dumps({"error": err}, indent=2, ensure_ascii=False).encode() + b"\n"


ERRORS = {
    "400-key": (400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                  "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}]),
    "400": (400, "INVALID_ARGUMENT", "The input token count (1300000) exceeds the maximum number of tokens allowed (1048576).", None),
    "403": (403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", None),
    "404": (404, "NOT_FOUND", "models/fake-404 is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.", None),
    "429-quota": (429, "RESOURCE_EXHAUSTED", "Your prepayment credits are depleted. Please go to AI Studio to manage your project and billing.", None),
    "500": (500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", None),
    "503": (503, "UNAVAILABLE", "The model is overloaded. Please try again later.", None),
    "504": (504, "DEADLINE_EXCEEDED", "The request timed out. Please try again.", None),
}


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.sock = self.request
        self.sock.settimeout(30)
        self.buf = b""

    def read_request(self):
        while b"\r\n\r\n" not in self.buf:
            got = self.sock.recv(65536)
            if not got:
                return None
            self.buf += got
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            got = self.sock.recv(65536)
            if not got:
                return None
            rest += got
        return method, target, headers, rest[:length]

    def send(self, data, delay=0.0):
        self.sock.sendall(data)
        if delay:
            time.sleep(delay)

    def respond(self, status, body, content_type="application/json"):
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
                  500: "Internal Server Error", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "X")
        self.send(f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}; charset=UTF-8\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)

    def start_stream(self):
        self.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                  b"x-gemini-service-tier: standard\r\nConnection: close\r\n\r\n")

    def chunk(self, data, delay=0.0):
        if data:
            self.send(f"{len(data):x}\r\n".encode() + data + b"\r\n", delay)

    def end_stream(self):
        self.send(b"0\r\n\r\n")

    def handle(self):
        try:
            request = self.read_request()
        except (socket.timeout, ConnectionError, ValueError):
            return
        if request is None:
            return
        method, target, headers, body = request
        url = urlparse(target)
        if url.path == "/fake/script":
            doc = body.decode("utf-8") if method == "POST" else parse_qs(url.query).get("doc", [""])[0]
            return self.respond(200, script_for(doc).encode("utf-8"), "text/plain")
        if url.path == "/fake/requests":
            with LOCK:
                return self.respond(200, json.dumps(STATE["requests"]).encode())
        if url.path == "/v1/chat/completions" and method == "POST":
            return self.openai(headers, body)
        match = re.fullmatch(r"/v1beta/models/([^/:]+):streamGenerateContent", url.path)
        if method != "POST" or not match:
            return self.respond(404, error_body(404, "NOT_FOUND", "no such route"))
        model = match.group(1)
        try:
            payload = json.loads(body)
        except ValueError:
            return self.respond(400, error_body(400, "INVALID_ARGUMENT", "Invalid JSON payload received."))
        with LOCK:
            STATE["counts"][model] = STATE["counts"].get(model, 0) + 1
            nth = STATE["counts"][model]
            STATE["requests"].append({"model": model, "query": url.query, "headers": headers, "body": payload})
        if headers.get("x-goog-api-key") != API_KEY:
            return self.respond(400, error_body(*ERRORS["400-key"]))
        if parse_qs(url.query).get("alt") != ["sse"]:
            return self.respond(400, error_body(400, "INVALID_ARGUMENT", "this fake only streams with alt=sse"))
        contents = payload.get("contents", [])
        document = contents[0]["parts"][0]["text"] if contents else ""
        prefix = contents[1]["parts"][0]["text"] if len(contents) > 2 else ""
        full = script_for(document)
        rest = full[len(prefix):] if full.startswith(prefix) else full
        self.scenario(model[len("fake-"):] if model.startswith("fake-") else "normal", nth, rest, bool(prefix))

    def stream_text(self, text, crlf=True, delay=0.0, finish="STOP", writer=None):
        # Nothing left to say (a continuation of a finished script): one empty
        # final chunk, as Gemini answers then.
        pieces = chunks_of(text) or [""]
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            data = chunk_event(piece, i + 1, len(pieces), finish if last else None, crlf=crlf)
            (writer or self.chunk)(data, delay)

    def scenario(self, name, nth, rest, continuing):
        if name in ERRORS:
            return self.respond(ERRORS[name][0], error_body(*ERRORS[name]))
        if name == "429-retry" or (name == "ratelimit-once" and nth == 1):
            return self.respond(429, error_body(429, "RESOURCE_EXHAUSTED",
                                                "You exceeded your current quota, please check your plan and billing details.\nPlease retry in 1.2s.",
                                                [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}]))
        m = re.fullmatch(r"flaky-(\d+)", name)
        if m and nth <= int(m.group(1)):
            return self.respond(*(lambda e: (e[0], error_body(*e)))(ERRORS["503"]))
        self.start_stream()
        if name in ("normal", "ratelimit-once") or m:
            self.stream_text(rest)
        elif name == "thoughts":
            self.chunk(chunk_event("**Planning**\n\nThe user wants a script.", 0, 0, thought=True))
            self.chunk(chunk_event("Considering the listener.", 0, 0, thought=True))
            self.stream_text(rest)
        elif name == "empty-final":
            self.stream_text(rest, finish=None)
            self.chunk(chunk_event("", 99, 99, finish="STOP"))
        elif name == "no-candidates":
            self.chunk(event({"usageMetadata": usage(12, 0), "modelVersion": "gemini-fake-001"}))
            self.stream_text(rest)
        elif name == "max-tokens":
            half = rest[: len(rest) // 2]
            self.stream_text(half, finish="MAX_TOKENS")
        elif name == "safety":
            self.chunk(event({"candidates": [{"finishReason": "SAFETY", "index": 0,
                                              "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True}]}],
                              "usageMetadata": usage(12, 0), "modelVersion": "gemini-fake-001"}))
        elif name == "blocked":
            self.chunk(event({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
                              "usageMetadata": usage(12, 0), "modelVersion": "gemini-fake-001", "responseId": "r"}))
        elif name == "midstream-error":
            if continuing:
                self.stream_text(rest)
            else:
                self.stream_text(rest[: len(rest) // 3], finish=None)
                self.chunk(event({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}))
        elif name == "no-finish":
            self.stream_text(rest, finish=None)
        elif (m := re.fullmatch(r"cut-(\d+)", name)):
            if continuing:
                self.stream_text(rest)
            else:
                self.stream_text(rest[: len(rest) * int(m.group(1)) // 100], finish=None)
                self.sock.shutdown(socket.SHUT_RDWR)  # cut: no chunked terminator
                return
        elif (m := re.fullmatch(r"silent-(\d+)", name)):
            time.sleep(int(m.group(1)))
            self.stream_text(rest)
        elif (m := re.fullmatch(r"stall-(\d+)", name)):
            if continuing:
                self.stream_text(rest)
            else:
                self.stream_text(rest[: len(rest) // 2], finish=None)
                time.sleep(int(m.group(1)))
                return
        elif (m := re.fullmatch(r"slow-(\d+)-(\d+)", name)):
            # Silent for the first number of seconds, then streams over the second.
            time.sleep(int(m.group(1)))
            pieces = chunks_of(rest)
            self.stream_text(rest, delay=int(m.group(2)) / max(1, len(pieces)))
        elif name == "bigline":
            # A 200 KB single line: a thought signature, as Gemini 3 sends them.
            signature = ("QmlnU2lnbmF0dXJl" * 13000)[:200000]
            self.chunk(event({"candidates": [{"content": {"parts": [{"text": "", "thoughtSignature": signature}],
                                                          "role": "model"}, "index": 0}],
                              "usageMetadata": usage(12, 0), "modelVersion": "gemini-fake-001"}))
            self.stream_text(rest)
        elif name == "utf8-split":
            data = b"".join(chunk_event(p, i, 0, "STOP" if i == len(chunks_of(rest)) - 1 else None)
                            for i, p in enumerate(chunks_of(rest)))
            cut = 0
            while cut < len(data):
                nxt = min(len(data), cut + 7)
                self.chunk(data[cut:nxt], 0.001)  # 7-byte writes split characters and CRLFs
                cut = nxt
        elif name == "bytewise":
            data = b"".join(chunk_event(p, i, 0, "STOP" if i == len(chunks_of(rest)) - 1 else None)
                            for i, p in enumerate(chunks_of(rest)))
            for b in data:
                self.chunk(bytes([b]))
        elif name == "lf":
            self.stream_text(rest, crlf=False)
        else:
            self.stream_text(rest)
        self.end_stream()


    # ---- OpenAI-compatible chat completions

    def openai_error(self, status, message, type_, code, extra_headers=""):
        body = json.dumps({"error": {"message": message, "type": type_, "param": None, "code": code}}).encode()
        reason = {401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable"}.get(status, "X")
        self.send(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{extra_headers}"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)

    def openai(self, headers, body):
        try:
            payload = json.loads(body)
        except ValueError:
            return self.openai_error(400, "bad json", "invalid_request_error", None)
        model = payload.get("model", "")
        with LOCK:
            STATE["counts"][model] = STATE["counts"].get(model, 0) + 1
            nth = STATE["counts"][model]
            STATE["requests"].append({"model": model, "path": "/v1/chat/completions", "headers": headers, "body": payload})
        auth = headers.get("authorization")
        if auth is not None and auth != "Bearer " + API_KEY:
            # Echoes the key it got, as some OpenAI-compatible servers do: the host must redact it.
            return self.openai_error(401, f"Incorrect API key provided: {auth[len('Bearer '):]}. You can find your API key at https://platform.openai.com/account/api-keys.",
                                     "invalid_request_error", "invalid_api_key")
        messages = payload.get("messages", [])
        document = messages[1]["content"] if len(messages) > 1 else ""
        prefix = messages[2]["content"] if len(messages) > 3 and messages[2].get("role") == "assistant" else ""
        full = script_for(document)
        rest = full[len(prefix):] if full.startswith(prefix) else full
        name = model[len("fake-"):] if model.startswith("fake-") else "normal"
        if name == "401":
            return self.openai_error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
        if name == "404":
            return self.openai_error(404, f"The model `{model}` does not exist or you do not have access to it.",
                                     "invalid_request_error", "model_not_found")
        if name == "ollama-404":
            return self.respond(404, json.dumps({"error": f"model '{model}' not found"}).encode())
        if name == "429-quota":
            return self.openai_error(429, "You exceeded your current quota, please check your plan and billing details.",
                                     "insufficient_quota", "insufficient_quota")
        if name == "ratelimit-once" and nth == 1:
            return self.openai_error(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded",
                                     "retry-after: 1\r\n")
        if name == "503":
            return self.openai_error(503, "The server is overloaded.", "server_error", None)
        self.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")

        def data(obj):
            self.chunk(b"data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n")

        def delta(d, finish=None):
            data({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1760000000, "model": "fake-model-001",
                  "system_fingerprint": "fp_1", "choices": [{"index": 0, "delta": d, "logprobs": None, "finish_reason": finish}],
                  "usage": None})

        def content(text, finish="stop", done=True):
            delta({"role": "assistant", "content": ""})
            for piece in chunks_of(text):
                delta({"content": piece})
            if finish:
                delta({}, finish)
            data({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1760000000, "model": "fake-model-001",
                  "choices": [], "usage": {"prompt_tokens": 21, "completion_tokens": len(chunks_of(text)), "total_tokens": 21 + len(chunks_of(text)),
                                           "completion_tokens_details": {"reasoning_tokens": 4 if name == "reasoning" else 0}}})
            if done:
                self.chunk(b"data: [DONE]\n\n")

        if name == "reasoning":
            delta({"role": "assistant", "content": "", "reasoning_content": "Let me think about the listener."})
            delta({"reasoning_content": " Short sentences."})
            content(rest)
        elif name == "no-done":
            content(rest, done=False)
        elif name == "length":
            content(rest[: len(rest) // 2], finish="length")
        elif name == "content-filter":
            content("", finish="content_filter")
        elif name == "midstream-error" and not prefix:
            delta({"role": "assistant", "content": ""})
            for piece in chunks_of(rest[: len(rest) // 3]):
                delta({"content": piece})
            data({"error": {"message": "The server had an error while processing your request.", "type": "server_error", "param": None, "code": 503}})
            self.chunk(b"data: [DONE]\n\n")
        elif name == "llamacpp-error":
            self.chunk(b'error: {"code":400,"message":"the request exceeds the available context size","type":"exceed_context_size_error"}\n')
            self.chunk(b"data: [DONE]\n\n")
        elif (m := re.fullmatch(r"cut-(\d+)", name)) and not prefix:
            delta({"role": "assistant", "content": ""})
            for piece in chunks_of(rest[: len(rest) * int(m.group(1)) // 100]):
                delta({"content": piece})
            self.sock.shutdown(socket.SHUT_RDWR)
            return
        else:
            content(rest)
        self.end_stream()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global API_KEY
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default="test-key")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args()
    API_KEY = args.key
    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"fake provider listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
