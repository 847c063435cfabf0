// Runs each CORS scenario with fetch() and shows the browser's verdict.
"use strict";

const API = window.DEMO.api;
// The API's effective origins (value, where it was set, and which origins it allows), as
// the API's own policy says: the page never guesses.
const ORIGINS = window.DEMO.origins;
const ALLOWED = ORIGINS.allows[window.location.origin] === true;
const state = { todoId: 1 };

const json = (method, body, extraHeaders = {}) => ({
  method, credentials: "include",
  headers: { "Content-Type": "application/json", ...extraHeaders },
  body: JSON.stringify(body),
});

// Each scenario: what it sends, and whether this page's origin should be allowed.
const SCENARIOS = [
  { id: "simple-get", what: "GET /api/todos/ (simple request, no preflight)", allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`) },
  { id: "login", what: "POST /api/auth/login: JSON, credentials (preflight)", allowed: ALLOWED,
    run: () => fetch(`${API}/api/auth/login`, json("POST", { username: "ada", password: "demo" })) },
  { id: "json-post", what: "POST /api/todos/: JSON, credentials (preflight, auth hook)",
    allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`, json("POST", { title: "write the docs" })),
    after: async (r) => { if (r.status === 201) state.todoId = (await r.clone().json()).id; } },
  { id: "put-custom-header", what: "PUT /api/todos/<id> with X-Client, credentials",
    allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/${state.todoId}`,
      json("PUT", { done: true }, { "X-Client": "demo-page" })) },
  { id: "credentialed-get", what: "GET /api/auth/me with the session cookie", allowed: ALLOWED,
    run: () => fetch(`${API}/api/auth/me`, { credentials: "include" }) },
  { id: "exposed-header", what: "GET /api/todos/, read the exposed X-Total-Count",
    allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`),
    read: (r) => `X-Total-Count: ${r.headers.get("X-Total-Count")}` },
  { id: "header-not-allowed", what: "GET /api/todos/ with X-Forbidden (not in allow_headers)",
    allowed: false,
    run: () => fetch(`${API}/api/todos/`, { headers: { "X-Forbidden": "1" } }) },
  { id: "authorization-any-header",
    what: "GET /api/public/stats with Authorization (Resource class, allow_headers='*')",
    allowed: true,
    run: () => fetch(`${API}/api/public/stats`, { headers: { Authorization: "Bearer demo" } }) },
  { id: "public-ping", what: "GET /public/ping (view with @cross_origin(origins='*'))",
    allowed: true,
    run: () => fetch(`${API}/public/ping`) },
  { id: "error-404", what: "GET /api/todos/999999: 404 from abort, credentials",
    allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/999999`, { credentials: "include" }) },
  { id: "error-400-abort", what: "GET /api/todos/?done=maybe: 400 from abort, credentials",
    allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/?done=maybe`, { credentials: "include" }) },
  { id: "error-400-validation", what: "POST /api/todos/ without a title: 400 from validation",
    allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`, json("POST", {})) },
];

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

async function runScenario(scenario, row) {
  let verdict;
  let seen;
  try {
    const response = await scenario.run();
    if (scenario.after) await scenario.after(response);
    const body = (await response.text()).replace(/\s+/g, " ").trim().slice(0, 70);
    verdict = "allowed";
    seen = scenario.read ? scenario.read(response) : `${response.status} ${body}`;
  } catch (error) {
    verdict = "blocked";
    seen = String(error);
  }
  row.dataset.verdict = verdict;
  row.dataset.match = (verdict === "allowed") === scenario.allowed ? "yes" : "no";
  row.querySelector(".verdict").textContent = verdict;
  row.querySelector(".seen").textContent = seen;
}

function addRow(scenario) {
  const row = document.createElement("tr");
  row.dataset.scenario = scenario.id;
  row.dataset.expected = scenario.allowed ? "allowed" : "blocked";
  cell(row, scenario.id);
  cell(row, scenario.what);
  cell(row, scenario.allowed ? "allowed" : "blocked");
  cell(row, "…", "verdict");
  cell(row, "", "seen");
  document.getElementById("scenarios").appendChild(row);
  return row;
}

async function runAll() {
  document.body.dataset.state = "running";
  document.getElementById("scenarios").textContent = "";
  for (const scenario of SCENARIOS) {
    await runScenario(scenario, addRow(scenario));
  }
  document.body.dataset.state = "done";
}

// Run one scenario again, by id (the browser tests use it to read one console message at a time).
window.runScenarioAgain = async (id) => {
  const row = document.querySelector(`tr[data-scenario="${id}"]`);
  await runScenario(SCENARIOS.find((s) => s.id === id), row);
  return { verdict: row.dataset.verdict, seen: row.querySelector(".seen").textContent };
};

document.getElementById("page-origin").textContent = window.location.origin;
document.getElementById("api-url").textContent = API;
document.getElementById("library").textContent = window.DEMO.library;
const shownOrigins = `${JSON.stringify(ORIGINS.value)}, set by ${ORIGINS.source}`;
document.getElementById("origin-note").textContent = ALLOWED
  ? `this origin is in the API's origins (${shownOrigins})`
  : `this origin is NOT in the API's origins (${shownOrigins}): ` +
    "only the public endpoints answer it" +
    (ORIGINS.allows[window.DEMO.allowedOrigin] === false
      ? `; the demo's page origin ${window.DEMO.allowedOrigin} is not in them either`
      : "");
document.getElementById("run").addEventListener("click", runAll);
runAll();
