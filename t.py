import socket, json, urllib.request, time, sys
port=18555
doc="# T\n\n"+"".join(f"## Part {i}\n\nThis part explains idea number {i}, which builds on the earlier ones and adds a twist. It is written so that it can be read aloud, with sentences that are long enough to be split into shorter ones by the narrator.\n\n- First point\n- Second point\n\n" for i in range(4000))
req=urllib.request.Request(f"http://127.0.0.1:{port}/api/jobs",data=json.dumps({"content":doc,"provider":"offline","params":{"chunks_per_second":0}}).encode(),headers={"Content-Type":"application/json"})
jid=json.load(urllib.request.urlopen(req))["id"]
socks=[]
for i in range(100):
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048); s.connect(("127.0.0.1",port))
    s.send(f"GET /api/jobs/{jid}/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n".encode()); socks.append(s)
time.sleep(4)
print("done", flush=True)
time.sleep(30)
