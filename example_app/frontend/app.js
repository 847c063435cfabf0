// Runs each CORS scenario with fetch() and shows the browser's verdict.
"use strict";

const API = window.DEMO.api;
const ALLOWED = window.location.origin === window.DEMO.allowedOrigin;

// Each scenario: what it sends, and whether this page's origin should be allowed.
const SCENARIOS = [
  { id: "simple-get", what: "GET /api/todos/ (simple request)", allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`) },
  { id: "login", what: "POST /api/auth/login, JSON, credentials (preflight)", allowed: ALLOWED,
    run: () => fetch(`${API}/api/auth/login`, {
      method: "POST", credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: "ada", password: "demo" }) }) },
  { id: "json-post", what: "POST /api/todos/, JSON, credentials (preflight)", allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`, {
      method: "POST", credentials: "include",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: "write the docs" }) }) },
  { id: "put-custom-header", what: "PUT /api/todos/1 with X-Client, credentials", allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/1`, {
      method: "PUT", credentials: "include",
      headers: { "Content-Type": "application/json", "X-Client": "demo-page" },
      body: JSON.stringify({ done: true }) }) },
  { id: "credentialed-get", what: "GET /api/auth/me with the session cookie", allowed: ALLOWED,
    run: () => fetch(`${API}/api/auth/me`, { credentials: "include" }) },
  { id: "exposed-header", what: "GET /api/todos/, read X-Total-Count", allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`),
    read: (r) => `X-Total-Count: ${r.headers.get("X-Total-Count")}` },
  { id: "header-not-allowed", what: "GET /api/todos/ with X-Forbidden (not allowed)",
    allowed: false,
    run: () => fetch(`${API}/api/todos/`, { headers: { "X-Forbidden": "1" } }) },
  { id: "authorization-any-header", what: "GET /api/public/stats with Authorization (allow_headers='*')",
    allowed: true,
    run: () => fetch(`${API}/api/public/stats`, { headers: { Authorization: "Bearer demo" } }) },
  { id: "public-ping", what: "GET /public/ping (@cross_origin(origins='*'))", allowed: true,
    run: () => fetch(`${API}/public/ping`) },
  { id: "error-404", what: "GET /api/todos/999999 (404), credentials", allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/999999`, { credentials: "include" }) },
  { id: "error-400", what: "POST /api/todos/ without a title (400), credentials", allowed: ALLOWED,
    run: () => fetch(`${API}/api/todos/`, {
      method: "POST", credentials: "include",
      headers: { "Content-Type": "application/json" }, body: "{}" }) },
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
    const body = (await response.text()).slice(0, 80);
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

async function runAll() {
  document.body.dataset.state = "running";
  const tbody = document.getElementById("scenarios");
  tbody.textContent = "";
  for (const scenario of SCENARIOS) {
    const row = document.createElement("tr");
    row.dataset.scenario = scenario.id;
    row.dataset.expected = scenario.allowed ? "allowed" : "blocked";
    cell(row, scenario.id);
    cell(row, scenario.what);
    cell(row, scenario.allowed ? "allowed" : "blocked");
    cell(row, "…", "verdict");
    cell(row, "", "seen");
    tbody.appendChild(row);
    await runScenario(scenario, row);
  }
  document.body.dataset.state = "done";
}

document.getElementById("page-origin").textContent = window.location.origin;
document.getElementById("api-url").textContent = API;
document.getElementById("origin-note").textContent = ALLOWED
  ? "this origin is in the API's CORS_ORIGINS"
  : "this origin is NOT allowed: only the public endpoints answer it";
document.getElementById("run").addEventListener("click", runAll);
runAll();
