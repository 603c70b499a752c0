#!/usr/bin/python3
"""A client written the way the original app's client was: httpx, a streaming
POST to /api/audio/generate-script-stream, aiter_lines(), `data: ` lines
parsed as JSON and dispatched on `type`. Also calls the non-streaming
/api/audio/generate-script with an ordinary client timeout.

Usage: original_client.py BASE_URL KNOWLEDGE_ID MODEL
Prints one JSON object with what it saw; exits non-zero on a client error.
"""
import asyncio
import json
import sys

import httpx


async def stream_script(client, base, knowledge_id, model):
    tokens, complete, error, job_id, others = [], None, None, None, []
    payload = {"knowledge_id": knowledge_id, "model_name": model, "custom_prompt": ""}
    async with client.stream("POST", f"{base}/api/audio/generate-script-stream", json=payload) as response:
        headers = {"content-type": response.headers.get("content-type"),
                   "cache-control": response.headers.get("cache-control"),
                   "x-scribe-job-id": response.headers.get("x-scribe-job-id")}
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line[len("data: "):])
            kind = event.get("type")
            if kind == "token":
                tokens.append(event["content"])
            elif kind == "complete":
                complete = event
            elif kind == "error":
                error = event
            elif kind == "job":
                job_id = event["job_id"]
            else:
                others.append(kind)
    return {"status": response.status_code, "headers": headers, "text": "".join(tokens),
            "tokens": len(tokens), "complete": complete, "error": error, "job_id": job_id, "others": others}


async def plain_script(client, base, knowledge_id, model):
    payload = {"knowledge_id": knowledge_id, "model_name": model, "custom_prompt": ""}
    response = await client.post(f"{base}/api/audio/generate-script", json=payload)
    return {"status": response.status_code, "body": response.json()}


async def main():
    base, knowledge_id, model = sys.argv[1:4]
    # An ordinary client: a 10-second read timeout, shorter than the slow job.
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
        streamed = await stream_script(client, base, knowledge_id, model)
        plain = await plain_script(client, base, knowledge_id, model)
    print(json.dumps({"stream": streamed, "plain": plain}, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
