// The console's shell: API key entry, service health, and the hash routes of the views.

import { ApiError, apiKey, commandApiUrl, loadConfig, setApiKey, settings } from "./api.js";
import { h, message, replace } from "./dom.js";
import { customerView } from "./views/customer.js";
import { deadLettersView } from "./views/deadletters.js";
import { orderView } from "./views/order.js";
import { searchView } from "./views/search.js";
import { statsView } from "./views/stats.js";
import { stockView } from "./views/stock.js";

const ROUTES = [
  [/^\/orders\/([^/]+)$/, orderView],
  [/^\/customers\/([^/]+)$/, customerView],
  [/^\/orders$/, searchView],
  [/^\/stats$/, statsView],
  [/^\/stock$/, stockView],
  [/^\/deadletters$/, deadLettersView],
];

let current = null; // the shown view's context: its timers stop when another view is shown

// What a view gets: where to draw, its parameters, and live refreshes that end with the view.
class ViewContext {
  constructor(root, params) {
    this.root = root;
    this.params = params;
    this.timers = [];
    this.cleanups = [];
  }

  onClose(cleanup) {
    this.cleanups.push(cleanup);
  }

  // Run `refresh` now and then every refresh_s seconds while this view is shown and the tab is visible; it
  // replaces the view's earlier one. A failed refresh says why in `problems` until one succeeds again.
  live(refresh, problems) {
    const status = document.getElementById("live");
    const run = async () => {
      if (document.hidden) return;
      try {
        await refresh();
        replace(problems);
        replace(status, `live · updated ${new Date().toLocaleTimeString("en-GB")}`);
        status.className = "live";
      } catch (error) {
        replace(problems, message("error", error.message));
        replace(status, "live · not updated");
        status.className = "live live-error";
      }
    };
    this.timers.forEach(clearInterval);
    this.timers = [setInterval(run, settings().refresh_s * 1000)];
    return run();
  }

  // Replace the parameters in the address without drawing the view again.
  remember(params) {
    this.params = params;
    history.replaceState(null, "", `#${location.hash.slice(1).split("?")[0]}${queryOf(params)}`);
  }

  close() {
    this.timers.forEach(clearInterval);
    this.cleanups.forEach((cleanup) => cleanup());
    const status = document.getElementById("live");
    replace(status);
    status.className = "";
  }
}

function queryOf(params) {
  const text = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== "" && value != null)).toString();
  return text ? `?${text}` : "";
}

async function show() {
  if (!location.hash || location.hash === "#" || location.hash === "#/") {
    location.replace("#/orders");
    return;
  }
  const [path, search] = location.hash.slice(1).split("?");
  const root = document.getElementById("view");
  current?.close();
  const found = ROUTES.map(([pattern, view]) => [path.match(pattern), view]).find(([match]) => match);
  highlightNav(path);
  if (!found) {
    replace(root, message("error", `There is no page at ${path}.`));
    return;
  }
  const [match, view] = found;
  const context = new ViewContext(root, Object.fromEntries(new URLSearchParams(search || "")));
  current = context;
  replace(root, message("info", "Loading…"));
  try {
    await view(context, ...match.slice(1).map(decodeURIComponent));
  } catch (error) {
    if (current === context) replace(root, message("error", error instanceof ApiError ? error.message : String(error)));
  }
}

function highlightNav(path) {
  for (const item of document.querySelectorAll("nav a")) {
    item.classList.toggle("active", path.startsWith(item.getAttribute("href").slice(1)));
  }
}

function keyBar() {
  const input = h("input", { type: "password", id: "api-key", placeholder: "API key", value: apiKey(), autocomplete: "off" });
  const use = () => {
    setApiKey(input.value.trim());
    show();
  };
  input.addEventListener("keydown", (event) => event.key === "Enter" && use());
  return h("form", { class: "key", onsubmit: (event) => { event.preventDefault(); use(); } },
    h("label", { for: "api-key" }, "API key"), input, h("button", { type: "submit" }, "Use"));
}

async function healthOf(name, url) {
  try {
    const response = await fetch(url);
    const body = await response.json().catch(() => ({}));
    return response.ok ? [name, "up", "ok"] : [name, "down", describeProblems(body)];
  } catch {
    return [name, "down", "cannot be reached"];
  }
}

function describeProblems(body) {
  if (body.problems) return Object.entries(body.problems).map(([part, text]) => `${part}: ${text}`).join("; ");
  return body.status || "unhealthy";
}

async function showHealth() {
  const checks = await Promise.all([healthOf("query API", "/health"), healthOf("command API", `${commandApiUrl()}/health`)]);
  replace(document.getElementById("health"), checks.map(([name, state, detail]) =>
    h("span", { class: `health health-${state}`, title: detail }, `${name}: ${state === "up" ? "up" : detail}`)));
}

async function start() {
  try {
    await loadConfig();
  } catch (error) {
    replace(document.getElementById("view"), message("error", error.message));
    return;
  }
  if (settings().keys_required) document.getElementById("toolbar").prepend(keyBar());
  window.addEventListener("hashchange", show);
  showHealth();
  setInterval(showHealth, settings().refresh_s * 1000);
  await show();
}

start();
