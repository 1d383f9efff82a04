// Settings: the org's keys (create or rotate, the new key shown once), Azure OpenAI endpoint and deployment mapping.
"use strict";
(function (L) {
  const h = L.h;
  L.views = L.views || {};

  function field(label, name, value, placeholder) {
    return h("label", { class: "field" }, h("span", {}, label),
      h("input", { name, value: value || "", placeholder: placeholder || "", required: true, spellcheck: "false" }));
  }

  function form(id, fields, button, submit) {
    const message = h("p", { class: "form-message", role: "status" });
    const el = h("form", { id, class: "settings-form" }, fields, h("button", { type: "submit", class: "primary" }, button), message);
    el.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values = Object.fromEntries(new FormData(el).entries());
      try {
        message.className = "form-message ok";
        message.textContent = await submit(values);
      } catch (err) {
        message.className = "form-message error";
        message.textContent = err.message;
      }
    });
    return el;
  }

  function reveal(revealed, result) {
    const copy = h("button", { type: "button", class: "link", onclick: () => navigator.clipboard && navigator.clipboard.writeText(result.key) }, "Copy");
    revealed.replaceChildren(h("p", { class: "warn-text" }, result.message), h("div", { class: "secret" }, h("code", { id: "new-key-value" }, result.key), copy));
    revealed.className = "revealed";
  }

  function keys(d) {
    const revealed = h("div", { id: "new-key", class: "hidden" });
    const create = h("button", { type: "button", id: "create-key" }, "Create another key");
    create.addEventListener("click", async () => {
      const result = await L.post("/api/v1/keys");
      reveal(revealed, result);
      fingerprints.append(h("li", {}, h("code", {}, result.fingerprint + "…"), " (new)"));
    });
    const rotate = h("button", { type: "button", id: "rotate-key", class: "danger" }, "Rotate key");
    rotate.addEventListener("click", async () => {
      if (!window.confirm("Create a new key? The current key stops working at once, in every application that uses it.")) return;
      const result = await L.post("/api/v1/keys/rotate");
      reveal(revealed, result);
      fingerprints.replaceChildren(h("li", {}, h("code", {}, result.fingerprint + "…"), " (new, in use by this session)"));
    });
    const fingerprints = h("ul", { class: "keys" }, d.keys.map((k) => h("li", {}, h("code", {}, k.fingerprint + "…"), k.current ? " (used by this session)" : "")));
    return L.section("Org keys",
      h("p", {}, "Organisation ", h("strong", {}, d.org.name), ". Keys are stored only as hashes; these are their fingerprints. ",
        "Rotating replaces every key of the org with one new key."),
      fingerprints, h("div", { class: "actions" }, create, " ", rotate), revealed);
  }

  function azure(d) {
    const a = d.azure;
    const rows = h("div", { id: "deployments" }, deploymentsTable(a.deployments));
    return L.section("Azure OpenAI",
      h("p", { class: "muted" }, "Requests with X-Lectr-Provider: azure go to {endpoint}/openai/deployments/{deployment}/chat/completions."),
      form("azure-form", [field("Endpoint", "endpoint", a.endpoint, "https://my-resource.openai.azure.com"),
        field("API version", "api_version", a.api_version, "2024-02-01")], "Save endpoint",
      async (v) => { const r = await L.post("/api/v1/settings/azure", v); return "Saved: " + r.endpoint + " (api-version " + r.api_version + ")."; }),
      h("h3", {}, "Deployments"),
      h("p", { class: "muted" }, "Price each Azure deployment as the model it runs."),
      rows,
      form("deployment-form", [field("Deployment", "deployment", "", "my-gpt4o"), field("Model", "model", "", "gpt-4o")], "Map deployment",
        async (v) => {
          const r = await L.post("/api/v1/settings/azure/deployments", v);
          const fresh = await L.get("/api/v1/settings");
          rows.replaceChildren(deploymentsTable(fresh.azure.deployments));
          document.getElementById("deployment-form").reset();
          return "Deployment " + r.deployment + " is priced as " + r.model + ".";
        }));
  }

  function deploymentsTable(deployments) {
    if (!deployments.length) return h("p", { class: "muted" }, "No deployments mapped yet.");
    return L.table([{ label: "Deployment", value: (x) => h("code", {}, x.deployment) }, { label: "Priced as", value: (x) => h("code", {}, x.model) }], deployments);
  }

  function quickstart(d) {
    return L.section("Connect an application",
      h("p", {}, "Base URL for the OpenAI, Groq and Anthropic SDKs: ", h("code", {}, d.base_url + "/v1"), ". Send your org key in the X-Lectr-Key header."),
      h("p", { class: "muted" }, "AzureOpenAI client: azure_endpoint=", h("code", {}, d.base_url), "; other clients add the header X-Lectr-Provider: azure."),
      h("pre", { class: "code" }, L.curlExample(d.base_url)));
  }

  L.views.settings = async function () {
    const d = await L.get("/api/v1/settings");
    return h("div", { class: "settings" }, keys(d), azure(d), quickstart(d));
  };
})(window.Lectr);
