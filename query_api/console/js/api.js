// The two APIs as any client calls them: the query API on this page's origin, the command API on its own
// (it allows this origin through CORS). One API key for both, kept for this browser tab only.

const KEY_STORAGE = "orderflow.apiKey";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status; // null when the service could not be reached
  }
}

let config = null;

export async function loadConfig() {
  const response = await reach("query API", "/console/config", {});
  config = await response.json();
  return config;
}

export function settings() {
  return config;
}

export function commandApiUrl() {
  return config.command_api_url || `${location.protocol}//${location.hostname}:${config.command_api_port}`;
}

export function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

// GET from the query API; `params` values that are empty are left out, arrays repeat the name.
export function query(path, params = {}) {
  return call("query API", path + queryString(params), {});
}

// A call to the command API: GET by default, a JSON body when given.
export function command(path, { method = "GET", body, params = {} } = {}) {
  const init = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "content-type": "application/json" };
  }
  return call("command API", commandApiUrl() + path + queryString(params), init);
}

export function queryString(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const each of Array.isArray(value) ? value : [value]) {
      if (each !== undefined && each !== null && each !== "") search.append(name, each);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function call(service, url, init) {
  const key = apiKey();
  const headers = { ...(init.headers || {}), ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const response = await reach(service, url, { ...init, headers });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(explain(service, response.status, body), response.status);
  return body;
}

async function reach(service, url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    const where = service === "command API" ? ` at ${commandApiUrl()}` : "";
    const cors = service === "command API" ? " (or it does not allow this page's origin: ORDERFLOW_CONSOLE_ORIGINS)" : "";
    throw new ApiError(`The ${service}${where} cannot be reached: is it running?${cors}`, null);
  }
}

function explain(service, status, body) {
  const detail = describeDetail(body && body.detail);
  if (status === 401) {
    return apiKey()
      ? `The ${service} does not know this API key (${detail}). Enter another one above.`
      : `The ${service} needs an API key: enter one above.`;
  }
  if (status === 403) return `Not allowed: ${detail}.`;
  if (status === 404) return `Not found: ${detail}.`;
  if (status === 422) return `The ${service} refused the request: ${detail}.`;
  if (status === 503) return `The ${service} cannot answer now: ${detail}.`;
  return `The ${service} answered ${status}: ${detail}.`;
}

function describeDetail(detail) {
  if (Array.isArray(detail)) return detail.map((error) => `${error.field}: ${error.reason}`).join("; ");
  return detail ? String(detail) : "no details";
}
