// The operators' and billers' page: reads the JSON routes with the key entered here (kept in
// this tab's session storage, sent as x-api-key, never in a URL) and polls them. No build
// step, no library: the chart is a few SVG rectangles.
"use strict";

(function () {
  const base = location.pathname.replace(/\/console\/?$/, ""); // "/api" on a deployed stage
  const params = new URLSearchParams(location.search);
  const seconds = Math.min(300, Math.max(1, Number(params.get("poll")) || 30));
  const storage = window.sessionStorage;
  let timer = null;
  // "Today" as the service counts it (the AR report's as-of day), the browser's until known.
  let today = new Date().toISOString().slice(0, 10);

  const $ = (id) => document.getElementById(id);

  function text(value) {
    return document.createTextNode(value === null || value === undefined ? "" : String(value));
  }

  function row(cells, numeric) {
    const tr = document.createElement("tr");
    cells.forEach((value, i) => {
      const td = document.createElement("td");
      if (numeric && numeric.includes(i)) td.className = "num";
      td.appendChild(text(value));
      tr.appendChild(td);
    });
    return tr;
  }

  function fill(tableId, rows) {
    const body = $(tableId).querySelector("tbody");
    body.replaceChildren(...rows);
  }

  async function get(path) {
    const answer = await fetch(base + path, { headers: { "x-api-key": storage.getItem("key") } });
    if (!answer.ok) {
      let message = answer.status + "";
      try {
        message += " " + ((await answer.json()).message || "");
      } catch (ignored) {
        // not JSON: the status says enough
      }
      throw new Error(message);
    }
    return answer.json();
  }

  async function panel(noteId, load) {
    try {
      $(noteId).textContent = (await load()) || "";
    } catch (error) {
      $(noteId).textContent = "Not shown: " + error.message;
    }
  }

  async function runs() {
    const page = await get("/v1/runs");
    const todays = page.runs.filter((run) => run.startedAt.slice(0, 10) === today);
    fill(
      "runs",
      todays.map((run) => {
        const tr = row(
          [run.schedule, run.startedAt.slice(11, 19), run.trigger, run.examined, run.acted,
            run.failed, run.errors.map((e) => e.code || e.message).join(", ")],
          [3, 4, 5]
        );
        if (run.failed) tr.className = "failed";
        tr.dataset.runId = run.runId;
        return tr;
      })
    );
    return todays.length ? "" : "No run today yet.";
  }

  async function worklist() {
    const page = await get("/v1/worklist?limit=200");
    const now = Date.now();
    const kinds = {};
    page.items.forEach((item) => {
      const days = (now - Date.parse(item.since)) / 86400000;
      const counts = (kinds[item.kind] = kinds[item.kind] || [0, 0, 0]);
      counts[days <= 7 ? 0 : days <= 30 ? 1 : 2] += 1;
    });
    fill(
      "worklist",
      Object.keys(kinds).sort().map((kind) => {
        const c = kinds[kind];
        return row([kind, c[0], c[1], c[2], c[0] + c[1] + c[2]], [1, 2, 3, 4]);
      })
    );
  }

  async function aging() {
    const report = await get("/v1/reports/ar-aging");
    const values = report.buckets.map((name) => Number(report.totals[name]));
    const top = Math.max(1, ...values);
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 420 180");
    svg.setAttribute("width", "100%");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "open balance by age");
    report.buckets.forEach((name, i) => {
      const height = Math.round((values[i] / top) * 120);
      const bar = document.createElementNS(svg.namespaceURI, "rect");
      bar.setAttribute("x", 20 + i * 80);
      bar.setAttribute("y", 140 - height);
      bar.setAttribute("width", 56);
      bar.setAttribute("height", height);
      const label = document.createElementNS(svg.namespaceURI, "text");
      label.setAttribute("x", 20 + i * 80);
      label.setAttribute("y", 158);
      label.textContent = name + " days";
      const amount = document.createElementNS(svg.namespaceURI, "text");
      amount.setAttribute("x", 20 + i * 80);
      amount.setAttribute("y", 134 - height);
      amount.textContent = "$" + report.totals[name];
      svg.append(bar, label, amount);
    });
    $("aging").replaceChildren(svg);
    today = report.asOf;
    return "Open: $" + report.total + " (as of " + report.asOf + ")";
  }

  async function statuses() {
    const report = await get("/v1/reports/claims-by-status");
    fill("statuses", report.statuses.map((s) => row([s.status, s.claims, s.charges], [1, 2])));
  }

  async function poll() {
    if (!storage.getItem("key")) return;
    await panel("aging-note", aging); // first: it tells the service's day
    await Promise.all([
      panel("runs-note", runs),
      panel("worklist-note", worklist),
      panel("statuses-note", statuses),
    ]);
    $("status").textContent =
      "Updated " + new Date().toISOString().slice(11, 19) + " UTC; again every " + seconds + " s.";
  }

  function start() {
    if (timer) clearInterval(timer);
    poll();
    timer = setInterval(poll, seconds * 1000);
  }

  $("connect").addEventListener("submit", (event) => {
    event.preventDefault();
    storage.setItem("key", $("key").value.trim());
    $("key").value = "";
    start();
  });
  $("forget").addEventListener("click", () => {
    storage.removeItem("key");
    if (timer) clearInterval(timer);
    $("status").textContent = "Key forgotten.";
  });
  if (storage.getItem("key")) start();
})();
