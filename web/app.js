// Scribe's viewer: submit a document, watch its script stream in, and never
// lose your place. The page holds the byte offset of the last event it got;
// after any drop it resumes from exactly there (EventSource sends it back as
// Last-Event-ID, or the page reopens the stream with ?offset=).
"use strict";

const $ = (id) => document.getElementById(id);
const view = {
  job: null,          // id of the job on screen
  source: null,       // the EventSource
  offset: 0,          // byte offset just after the text on screen
  text: "",
  chunkTimes: [],     // arrival times of recent token events, for the rate
  startedAt: 0,
  follow: true,       // keep the end of the script in view
  reconnects: 0,
  retryTimer: null,
  tick: null,
};

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(data && data.error ? data.error.message : response.statusText);
    error.status = response.status;
    throw error;
  }
  return data;
}

// ---- signing in (only when the host requires API keys)

// Resolves true when the page may use the API; otherwise shows the sign-in
// form. The key goes to the host once and comes back as an HttpOnly cookie.
async function checkSession() {
  try {
    const session = await api("GET", "/api/session");
    if (session.key_id) {
      $("who-key").textContent = session.key_id;
      $("who").hidden = false;
    }
    return true;
  } catch (e) {
    if (e.status !== 401) throw e;
    document.body.classList.add("signed-out");
    $("signin").hidden = false;
    $("api-key").focus();
    return false;
  }
}

async function signIn(event) {
  event.preventDefault();
  try {
    await api("POST", "/api/session", { key: $("api-key").value });
    location.reload();
  } catch (e) {
    $("signin-error").textContent = e.message;
    $("signin-error").hidden = false;
  }
}

// ---- submitting

let providers = [];

function chooseProvider() {
  const provider = providers.find((p) => p.name === $("provider").value);
  if (!provider) return;
  $("models").replaceChildren(...(provider.models || []).map((m) => new Option(m.label, m.id)));
  $("model").value = provider.default_model || "";
  $("prompt").value = provider.default_prompt || "";
  $("temperature").disabled = provider.name === "offline";
}

function chooseSource() {
  const source = document.querySelector("input[name=source]:checked").value;
  $("content").hidden = source !== "paste";
  $("file").hidden = source !== "file";
  $("stored").hidden = source !== "stored";
}

async function loadChoices() {
  providers = (await api("GET", "/api/providers")).providers;
  $("provider").replaceChildren(...providers.map((p) => {
    const option = new Option(p.name + (p.configured === false ? " (not configured)" : ""), p.name);
    option.disabled = p.configured === false;
    return option;
  }));
  $("provider").value = providers.some((p) => p.name === "offline") ? "offline" : providers[0]?.name;
  chooseProvider();
  const documents = (await api("GET", "/api/documents?limit=100")).documents;
  $("stored").replaceChildren(...documents.map((d) => new Option(`${d.title || "untitled"} (${d.id})`, d.id)));
}

async function submit(event) {
  event.preventDefault();
  const error = $("submit-error");
  error.hidden = true;
  try {
    const body = { provider: $("provider").value, model: $("model").value, prompt: $("prompt").value };
    if (!$("temperature").disabled) body.temperature = Number($("temperature").value);
    const source = document.querySelector("input[name=source]:checked").value;
    if (source === "stored") {
      body.document_id = $("stored").value;
    } else if (source === "file") {
      const file = $("file").files[0];
      if (!file) throw new Error("Choose a .txt or .md file first.");
      body.content = await file.text();
      body.title = file.name.replace(/\.(txt|md)$/i, "");
    } else {
      body.content = $("content").value;
    }
    const job = await api("POST", "/api/jobs", body);
    history.pushState({}, "", "/jobs/" + job.id);
    openJob(job.id);
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
}

// ---- watching

function setState(state) {
  $("state").textContent = state;
  const running = state === "queued" || state === "running" || state === "interrupted";
  $("cancel").hidden = !running;
  if (running) {
    $("outcome").hidden = true;
    for (const id of ["continue", "use-partial", "retry"]) $(id).hidden = true;
  }
}

function append(text) {
  if (!text) return;
  view.text += text;
  $("script").append(document.createTextNode(text));
  $("chars").textContent = view.text.length.toLocaleString();
  if (view.follow) $("script").scrollTop = $("script").scrollHeight;
}

function showConnection(lost) {
  $("connection").hidden = !lost;
  if (lost) document.body.dataset.reconnects = String(++view.reconnects);
}

function connect() {
  clearTimeout(view.retryTimer);
  if (view.source) view.source.close();
  const source = new EventSource(`/api/jobs/${view.job}/events?offset=${view.offset}`);
  view.source = source;
  const read = (handler) => (event) => {
    // A connection failure is also an "error" event, without data: onerror's.
    if (source !== view.source || event.data === undefined) return;
    if (event.lastEventId) view.offset = Number(event.lastEventId);
    handler(JSON.parse(event.data));
  };
  source.addEventListener("token", read((data) => {
    view.chunkTimes.push(performance.now());
    append(data.content);
  }));
  source.addEventListener("status", read((data) => setState(data.status)));
  for (const kind of ["complete", "error", "cancelled"]) {
    source.addEventListener(kind, read((data) => {
      source.close();
      finish(kind, data);
    }));
  }
  source.onopen = () => showConnection(false);
  source.onerror = () => {
    if (source !== view.source || $("state").dataset.final) return;
    showConnection(true);
    // EventSource retries by itself after a network error; after an HTTP
    // error it gives up, so reopen from our offset.
    if (source.readyState === EventSource.CLOSED) view.retryTimer = setTimeout(connect, 1500);
  };
}

function finish(kind, data) {
  $("state").dataset.final = kind;
  api("GET", "/api/jobs/" + view.job).then((job) => {
    if (job.started_at && job.finished_at) {
      $("elapsed").textContent = Math.round((Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000) + " s";
    }
  }).catch(() => {});
  showConnection(false);
  const outcome = $("outcome");
  outcome.hidden = false;
  $("cancel").hidden = true;
  $("retry").hidden = false;
  if (kind === "complete") {
    setStateText("succeeded");
    outcome.className = "ok";
    outcome.textContent = `Done: ${view.text.length.toLocaleString()} characters from ${data.model_used || "the model"}.`;
  } else {
    setStateText(kind === "error" ? "failed" : "cancelled");
    outcome.className = "bad";
    outcome.textContent = kind === "error"
      ? `Generation failed (${data.code}): ${data.message}` + (data.partial ? " The partial script is kept above." : "")
      : "Cancelled. The partial script is kept above.";
    $("continue").hidden = false;
    $("use-partial").hidden = !view.text;
  }
}

function setStateText(state) {
  $("state").textContent = state;
}

async function openJob(id) {
  if (view.source) view.source.close();
  Object.assign(view, { job: id, offset: 0, text: "", chunkTimes: [], follow: true });
  delete $("state").dataset.final;
  $("script").replaceChildren();
  $("chars").textContent = "0";
  $("viewer").hidden = false;
  $("job-id").textContent = id;
  document.title = "Scribe — " + id;
  try {
    const job = await api("GET", "/api/jobs/" + id);
    view.startedAt = Date.parse(job.started_at || job.created_at);
    setState(job.state);
  } catch (e) {
    $("outcome").hidden = false;
    $("outcome").className = "bad";
    $("outcome").textContent = e.message;
    return;
  }
  connect();
}

async function act(path) {
  try {
    return await api("POST", path);
  } catch (e) {
    $("outcome").hidden = false;
    $("outcome").className = "bad";
    $("outcome").textContent = e.message;
    return null;
  }
}

function updateStats() {
  const now = performance.now();
  view.chunkTimes = view.chunkTimes.filter((t) => now - t < 5000);
  $("rate").textContent = (view.chunkTimes.length / 5).toFixed(1);
  if (view.startedAt && !$("state").dataset.final) {
    $("elapsed").textContent = Math.max(0, Math.round((Date.now() - view.startedAt) / 1000)) + " s";
  }
}

// ---- recent jobs

function age(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return Math.round(s) + " s";
  if (s < 3600) return Math.round(s / 60) + " min";
  if (s < 86400) return Math.round(s / 3600) + " h";
  return Math.round(s / 86400) + " d";
}

function size(bytes) {
  return bytes < 1024 ? bytes + " B" : bytes < 1048576 ? (bytes / 1024).toFixed(1) + " KiB"
                                                        : (bytes / 1048576).toFixed(1) + " MiB";
}

async function loadJobs() {
  try {
    const jobs = (await api("GET", "/api/jobs?limit=20")).jobs;
    $("job-rows").replaceChildren(...jobs.map((job) => {
      const row = document.createElement("tr");
      const link = Object.assign(document.createElement("a"), { href: "/jobs/" + job.id, textContent: job.id });
      link.addEventListener("click", (e) => {
        e.preventDefault();
        history.pushState({}, "", link.href);
        openJob(job.id);
      });
      const cells = [link, job.state, `${job.provider} ${job.model}`, size(job.output_bytes), age(job.created_at)];
      row.replaceChildren(...cells.map((c) => {
        const td = document.createElement("td");
        td.append(c);
        return td;
      }));
      return row;
    }));
  } catch {
    // The host may be restarting; the next refresh catches up.
  }
}

// ---- start

function route() {
  const match = location.pathname.match(/^\/jobs\/([A-Za-z0-9_]+)$/);
  if (match) openJob(match[1]);
}

document.addEventListener("DOMContentLoaded", async () => {
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", () => api("DELETE", "/api/session").finally(() => location.reload()));
  if (!(await checkSession().catch(() => true))) return;
  $("submit-form").addEventListener("submit", submit);
  $("provider").addEventListener("change", chooseProvider);
  for (const radio of document.querySelectorAll("input[name=source]")) radio.addEventListener("change", chooseSource);
  $("script").addEventListener("scroll", () => {
    const pre = $("script");
    view.follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 24;
  });
  $("cancel").addEventListener("click", () => act(`/api/jobs/${view.job}/cancel`));
  $("continue").addEventListener("click", async () => {
    if (await act(`/api/jobs/${view.job}/continue`)) {
      delete $("state").dataset.final;
      setState("queued");
      connect();
    }
  });
  $("use-partial").addEventListener("click", () => {
    $("outcome").className = "ok";
    $("outcome").textContent = `Using the partial script (${view.text.length.toLocaleString()} characters).`;
    $("continue").hidden = true;
    $("use-partial").hidden = true;
    document.body.dataset.usingPartial = "true";
  });
  $("retry").addEventListener("click", async () => {
    const job = await act(`/api/jobs/${view.job}/retry`);
    if (job) {
      history.pushState({}, "", "/jobs/" + job.id);
      openJob(job.id);
    }
  });
  $("copy").addEventListener("click", () => navigator.clipboard.writeText(view.text).catch(() => {}));
  $("download").addEventListener("click", () => {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([view.text], { type: "text/plain;charset=utf-8" }));
    link.download = `${view.job || "script"}.txt`;
    link.click();
    URL.revokeObjectURL(link.href);
  });
  window.addEventListener("popstate", route);
  loadChoices().catch((e) => {
    $("submit-error").textContent = e.message;
    $("submit-error").hidden = false;
  });
  loadJobs();
  setInterval(loadJobs, 5000);
  setInterval(updateStats, 500);
  chooseSource();
  route();
});
