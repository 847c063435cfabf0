// Runs a generated module Worker under Node.js for the differential tests.
// Protocol, one JSON object a line: the test writes {"method", "url", "headers"}; the harness
// calls the Worker's fetch(request, env, ctx). When the Worker calls the global fetch (the
// upstream), the harness writes {"upstream": {...}} and reads the app's answer
// {"status", "headers", "body"}; finally it writes {"response": {"status", "headers"}}.
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function next() {
  const { value, done } = await lines.next();
  if (done) process.exit(0);
  return JSON.parse(value);
}

function write(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

function headerList(headers) {
  const out = [];
  headers.forEach((value, name) => out.push([name, value]));
  return out;
}

globalThis.fetch = async (input, init) => {
  const request = input instanceof Request ? input : new Request(input, init);
  write({ upstream: { method: request.method, url: request.url, headers: headerList(request.headers) } });
  const reply = await next();
  const empty = request.method === "HEAD" || [101, 204, 205, 304].includes(reply.status);
  return new Response(empty ? null : reply.body, { status: reply.status, headers: reply.headers });
};

const worker = (await import(pathToFileURL(process.argv[2]).href)).default;
for (;;) {
  const message = await next();
  const request = new Request(message.url, { method: message.method, headers: message.headers });
  const response = await worker.fetch(request, {}, { waitUntil() {}, passThroughOnException() {} });
  write({ response: { status: response.status, headers: headerList(response.headers) } });
}
