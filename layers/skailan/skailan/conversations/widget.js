/* Skailan web chat widget. Embed:
 *   <script src="<api>/public/webchat/widget.js" data-widget="<widget id>" data-api="<api>" async></script>
 * Talks only to the widget API: describe → pre-chat form → session (token in localStorage) →
 * send (client_message_id, so a retried POST is one message) and poll for replies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var widgetId = script.getAttribute("data-widget");
  var api = (script.getAttribute("data-api") || "").replace(/\/$/, "");
  if (!widgetId || !api) return;
  var base = api + "/public/webchat/widgets/" + encodeURIComponent(widgetId);
  var storeKey = "skailan-chat-" + widgetId;
  var state = JSON.parse(localStorage.getItem(storeKey) || "{}");
  var seen = {};
  var lang = (navigator.language || "es").slice(0, 2) === "en" ? "en" : "es";
  var t = {
    es: { title: "Chatea con nosotros", start: "Empezar", send: "Enviar", name: "Nombre", email: "Correo", phone: "Teléfono", placeholder: "Escribe tu mensaje…", error: "No se pudo enviar; reintentando." },
    en: { title: "Chat with us", start: "Start", send: "Send", name: "Name", email: "E-mail", phone: "Phone", placeholder: "Type your message…", error: "Could not send; retrying." }
  }[lang];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  function request(method, path, body) {
    var headers = { "content-type": "application/json" };
    if (state.token) headers.authorization = "Bearer " + state.token;
    return fetch(base + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { return r.ok ? (r.status === 204 ? null : r.json()) : Promise.reject(r.status); });
  }

  var box = el("div", { style: "position:fixed;bottom:16px;right:16px;width:320px;font:14px sans-serif;z-index:2147483000;background:#fff;border:1px solid #ccc;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15)" });
  var header = el("div", { style: "padding:10px;background:#1d4ed8;color:#fff;border-radius:8px 8px 0 0;cursor:pointer" }, t.title);
  var body = el("div", { style: "display:none;padding:8px" });
  var log = el("div", { style: "height:260px;overflow-y:auto;margin-bottom:8px" });
  header.onclick = function () { body.style.display = body.style.display === "none" ? "block" : "none"; };
  box.appendChild(header); box.appendChild(body);

  function show(message) {
    if (seen[message.id]) return;
    seen[message.id] = true;
    var mine = message.direction === "in";
    var line = el("div", { style: "margin:4px 0;text-align:" + (mine ? "right" : "left") });
    var bubble = el("span", { style: "display:inline-block;padding:6px 8px;border-radius:6px;background:" + (mine ? "#dbeafe" : "#f3f4f6") }, message.text || "📎");
    line.appendChild(bubble); log.appendChild(line); log.scrollTop = log.scrollHeight;
  }
  function poll() {
    if (!state.token) return;
    request("GET", "/messages" + (state.after ? "?after=" + encodeURIComponent(state.after) : ""))
      .then(function (page) {
        page.items.forEach(show);
        if (page.after) { state.after = page.after; localStorage.setItem(storeKey, JSON.stringify(state)); }
      })
      .catch(function (status) { if (status === 401) { state = {}; localStorage.removeItem(storeKey); render(); } })
      .then(function () { setTimeout(poll, 3000); });
  }
  function send(text, clientId, attempt) {
    request("POST", "/messages", { text: text, client_message_id: clientId })
      .catch(function () { if (attempt < 5) setTimeout(function () { send(text, clientId, attempt + 1); }, 1000 * (attempt + 1)); });
  }
  function chat() {
    body.innerHTML = ""; body.appendChild(log);
    var input = el("input", { placeholder: t.placeholder, style: "width:70%" });
    var button = el("button", {}, t.send);
    button.onclick = function () {
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      send(text, "w" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8), 0);
    };
    input.onkeydown = function (e) { if (e.key === "Enter") button.onclick(); };
    body.appendChild(input); body.appendChild(button);
    poll();
  }
  function prechat(fields) {
    body.innerHTML = "";
    var inputs = {};
    fields.forEach(function (field) {
      inputs[field] = el("input", { placeholder: t[field] || field, style: "display:block;width:95%;margin:4px 0" });
      body.appendChild(inputs[field]);
    });
    var start = el("button", {}, t.start);
    start.onclick = function () {
      var data = {};
      fields.forEach(function (f) { if (inputs[f].value.trim()) data[f] = inputs[f].value.trim(); });
      request("POST", "/sessions", data).then(function (session) {
        state = { token: session.token, conversation: session.conversation_id };
        localStorage.setItem(storeKey, JSON.stringify(state));
        chat();
      });
    };
    body.appendChild(start);
  }
  function render() {
    if (state.token) return chat();
    request("GET", "").then(function (widget) { prechat(widget.prechat_fields || []); });
  }
  document.body.appendChild(box);
  render();
})();
