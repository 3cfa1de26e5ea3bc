/*! Haven web chat widget. Apache-2.0. Embed with one tag:
 * <script src="https://BOT/webhooks/webchat/widget.js" data-lang="ar" data-title="Haven"
 *         data-color="#0b5d4b" async></script>
 * Optional: data-server (default: where this script comes from), data-open="true".
 * Plain JavaScript, no build step, no cookies. The conversation is kept in localStorage.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__havenWebchat) return;
  window.__havenWebchat = true;
  var data = script.dataset;
  var server = (data.server || new URL(script.src).origin).replace(/\/+$/, "");
  var base = server + "/webhooks/webchat";
  var storeKey = "haven-webchat:" + server;
  var RTL = ["ar", "fa", "ps"];
  var MAX_HISTORY = 100;
  var S = {
    title: "Haven", open: "Open the chat", close: "Close the chat", send: "Send",
    placeholder: "Type your question", typing: "Haven is writing…", forget: "Delete my conversation",
    offline: "The chat server cannot be reached. Please try again later.",
    privacy: "Privacy: your conversation is kept under a random number, not your name."
  };

  function newSession() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function load() {
    try { var s = JSON.parse(localStorage.getItem(storeKey)); if (s && s.session) return s; } catch (e) { /* private mode */ }
    return { session: newSession(), history: [], open: false };
  }
  var state = load();
  var lang = state.lang || data.lang || (document.documentElement.lang || "").slice(0, 2) || null;
  function save() {
    state.history = state.history.slice(-MAX_HISTORY);
    state.lang = lang;
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* storage full or blocked */ }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  // Text with web links made clickable; never parsed as HTML.
  function linkified(text) {
    var frag = document.createDocumentFragment();
    text.split(/(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/).forEach(function (part, i) {
      if (i % 2) frag.appendChild(el("a", { href: part, target: "_blank", rel: "noopener noreferrer" }, part));
      else if (part) frag.appendChild(document.createTextNode(part));
    });
    return frag;
  }

  var host = el("div", { id: "haven-webchat" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.innerHTML =
    "<style>" +
    ":host{all:initial}*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI','Noto Sans','Noto Naskh Arabic',Tahoma,sans-serif}" +
    ".launch{position:fixed;bottom:16px;inset-inline-end:16px;z-index:2147483000;border:0;border-radius:28px;padding:14px 20px;font-size:16px;background:var(--accent);color:#fff;cursor:pointer;box-shadow:0 2px 8px #0004}" +
    ".panel{position:fixed;bottom:16px;inset-inline-end:16px;z-index:2147483001;width:min(380px,calc(100vw - 32px));height:min(600px,calc(100vh - 32px));display:flex;flex-direction:column;background:#fff;color:#1a1a1a;border-radius:12px;box-shadow:0 4px 24px #0005;overflow:hidden;font-size:16px}" +
    ".panel[hidden],.launch[hidden]{display:none}" +
    "header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:var(--accent);color:#fff}" +
    "h2{margin:0;font-size:18px}header button{background:none;border:0;color:#fff;font-size:24px;line-height:1;cursor:pointer;min-width:44px;min-height:44px}" +
    ".privacy{margin:0;padding:8px 14px;font-size:13px;background:#f4f4f0;color:#333;border-bottom:1px solid #ddd}" +
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}" +
    ".msg{max-width:85%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.45}" +
    ".bot{align-self:flex-start;background:#eef1f4}.user{align-self:flex-end;background:var(--accent);color:#fff}.user a{color:#fff}" +
    ".buttons{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}.buttons button{border:1px solid var(--accent);background:#fff;color:var(--accent);border-radius:16px;padding:8px 12px;font-size:15px;cursor:pointer;min-height:40px}" +
    ".msg img{max-width:100%}.status{padding:0 14px;font-size:13px;color:#555;min-height:18px}" +
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #ddd}" +
    "input{flex:1;min-width:0;font-size:16px;padding:10px;border:1px solid #999;border-radius:8px}" +
    "form button{border:0;border-radius:8px;padding:0 16px;background:var(--accent);color:#fff;font-size:16px;cursor:pointer;min-height:44px}" +
    ".forget{background:none;border:0;color:#555;text-decoration:underline;font-size:13px;padding:0 14px 8px;cursor:pointer;text-align:start}" +
    "button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #f3b200;outline-offset:2px}" +
    "@media (max-width:480px){.panel{inset:0;width:100vw;height:100vh;border-radius:0}}" +
    "</style>" +
    "<button class='launch' type='button' aria-haspopup='dialog' aria-expanded='false' aria-controls='haven-panel'></button>" +
    "<section class='panel' id='haven-panel' role='dialog' aria-modal='false' aria-labelledby='haven-title' hidden>" +
    "<header><h2 id='haven-title'></h2><button class='close' type='button'>×</button></header>" +
    "<p class='privacy' dir='auto'></p>" +
    "<div class='log' role='log' aria-live='polite' aria-relevant='additions' tabindex='0'></div>" +
    "<div class='status' role='status' aria-live='polite'></div>" +
    "<form><input name='q' type='text' autocomplete='off' dir='auto' maxlength='1000' required><button type='submit'></button></form>" +
    "<button class='forget' type='button'></button>" +
    "</section>";
  var $ = function (sel) { return root.querySelector(sel); };
  var launch = $(".launch"), panel = $(".panel"), log = $(".log"), status = $(".status");
  var form = $("form"), input = $("input");
  host.style.setProperty("--accent", data.color || "#0b5d4b");

  function applyStrings() {
    var dir = RTL.indexOf(lang) >= 0 ? "rtl" : "ltr";
    panel.setAttribute("dir", dir);
    launch.setAttribute("dir", dir);
    if (lang) panel.setAttribute("lang", lang);
    var title = data.title || S.title;
    launch.textContent = "💬 " + title;
    launch.setAttribute("aria-label", S.open);
    $("h2").textContent = title;
    $(".close").setAttribute("aria-label", S.close);
    $(".privacy").textContent = S.privacy;
    input.placeholder = S.placeholder;
    input.setAttribute("aria-label", S.placeholder);
    $("form button").textContent = S.send;
    $(".forget").textContent = S.forget;
  }

  function render(entry) {
    var bubble = el("div", { "class": "msg " + entry.from, dir: entry.dir || "auto" });
    if (entry.lang) bubble.setAttribute("lang", entry.lang);
    if (entry.text) bubble.appendChild(linkified(entry.text));
    if (entry.image && /^https?:/.test(entry.image)) bubble.appendChild(el("img", { src: entry.image, alt: "" }));
    if (entry.buttons && entry.buttons.length) {
      var group = el("div", { "class": "buttons", role: "group" });
      entry.buttons.forEach(function (b) {
        var button = el("button", { type: "button", dir: "auto" }, b.title);
        button.addEventListener("click", function () { send(b.title, b.payload); });
        group.appendChild(button);
      });
      bubble.appendChild(group);
    }
    log.appendChild(bubble);
    log.scrollTop = log.scrollHeight;
  }
  function add(entry) { state.history.push(entry); save(); render(entry); }

  function post(path, body) {
    return fetch(base + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().then(function (j) {
          if (!r.ok) { var e = new Error(j.error || r.status); e.fromServer = !!j.error; throw e; }
          return j;
        });
      });
  }
  function send(text, payload) {
    text = (text || "").trim();
    if (!text) return;
    add({ from: "user", text: text, dir: "auto" });
    status.textContent = S.typing;
    return post("/webhook", { session_id: state.session, message: payload || text, ui_language: lang })
      .then(function (reply) {
        var before = lang;
        reply.messages.forEach(function (m) {
          if (m.language) lang = m.language;
          add({ from: "bot", text: m.text, buttons: m.buttons, image: m.image, dir: m.dir, lang: m.language });
        });
        status.textContent = "";
        if (lang !== before) { save(); loadLabels(); }
      })
      .catch(function (e) { status.textContent = e && e.fromServer ? e.message : S.offline; });
  }

  function setOpen(open, focus) {
    state.open = open;
    save();
    panel.hidden = !open;
    launch.hidden = open;
    launch.setAttribute("aria-expanded", String(open));
    if (focus) (open ? input : launch).focus();
  }

  launch.addEventListener("click", function () { setOpen(true, true); });
  $(".close").addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") setOpen(false, true); });
  form.addEventListener("submit", function (e) { e.preventDefault(); var t = input.value; input.value = ""; send(t); });
  $(".forget").addEventListener("click", function () {
    post("/webhook", { session_id: state.session, message: "/forget_me", ui_language: lang }).catch(function () {});
    state = { session: newSession(), history: [], open: true };
    save();
    log.textContent = "";
  });

  // Labels in the interface language; fetched again when the conversation changes language.
  function loadLabels() {
    return fetch(base + "/config?lang=" + encodeURIComponent(lang || ""))
      .then(function (r) { return r.json(); })
      .then(function (c) { Object.keys(c.strings || {}).forEach(function (k) { S[k] = c.strings[k]; }); applyStrings(); })
      .catch(function () { /* keep the labels we have */ });
  }
  loadLabels();

  applyStrings();
  state.history.forEach(render);
  (document.body || document.documentElement).appendChild(host);
  setOpen(state.open || data.open === "true", false);
  window.HavenWebchat = { open: function () { setOpen(true, true); }, send: send };
})();
