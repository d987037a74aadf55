// Dead letters from the command API (scope admin): why each failed, its record, and a resend (as it was, or corrected).

import { ApiError, command } from "../api.js";
import { h, message, replace, when } from "../dom.js";

const LIMIT = 100;

export async function deadLettersView(context) {
  const params = { topic: "", ...context.params };
  const list = h("div", { id: "deadletter-list" }, message("info", "Loading…"));
  const load = async () => {
    const found = await command("/deadletters", { params: { topic: params.topic, limit: LIMIT } });
    replace(list, found.data.length ? found.data.reverse().map(deadLetter) : message("info", "No dead letters."),
      found.unreadable ? message("info", `${found.unreadable} record(s) on the topic are not dead letters.`) : null);
  };
  const topic = h("input", { type: "search", id: "deadletter-topic", value: params.topic, placeholder: "source topic, e.g. orders.commands" });
  const form = h("form", { class: "search", onsubmit: (event) => {
    event.preventDefault();
    params.topic = topic.value.trim();
    context.remember(params);
    load().catch((error) => replace(list, message("error", error.message)));
  } }, topic, h("button", { type: "submit" }, "Show"));
  replace(context.root, h("h2", {}, "Dead letters"),
    h("p", { class: "muted" }, `The newest ${LIMIT}, newest first. A resend produces the record to its source topic with its original key.`),
    form, list);
  await load();
}

function deadLetter(letter) {
  const value = h("textarea", { class: "value", rows: 4, spellcheck: "false" }, letter.value);
  const force = h("input", { type: "checkbox", class: "force" });
  const outcome = h("div", { class: "outcome" });
  const button = h("button", { type: "button", class: "resend" }, "Resend");
  button.addEventListener("click", async () => {
    button.disabled = true;
    replace(outcome, message("info", "Sending…"));
    try {
      const landed = await command(`/deadletters/${letter.handle}/resend`, { method: "POST", body: resendBody(letter, value.value, force.checked) });
      replace(outcome, message("ok", `Resent to ${landed.topic} partition ${landed.partition} offset ${landed.offset}.`));
    } catch (error) {
      replace(outcome, message("error", error instanceof ApiError ? error.message : String(error)));
    } finally {
      button.disabled = false;
    }
  });
  return h("article", { class: "card deadletter", dataset: { handle: letter.handle, key: letter.key ?? "" } },
    h("h3", {}, `${letter.handle} `, h("span", { class: "muted" },
      `from ${letter.source_topic}/${letter.partition}/${letter.offset} · key ${letter.key ?? "–"} · ${when(letter.dead_at)}`)),
    h("p", { class: "reason" }, h("strong", {}, "Reason: "), letter.error),
    h("label", {}, `Record (${letter.value_encoding === "base64" ? "base64" : "text"}); correct it before resending if needed:`),
    value,
    h("div", { class: "actions" }, button, h("label", {}, force, " send even if the worker would refuse it")),
    outcome);
}

// Unchanged: the original record is sent as it was; edited: the text is the corrected record.
function resendBody(letter, text, force) {
  const edited = text !== letter.value;
  return { force, ...(edited ? { value: text, value_encoding: letter.value_encoding === "base64" ? "base64" : "utf-8" } : {}) };
}
