/** The chat page served at "/": plain HTML, CSS and a little script; works on a phone screen. */
import { webStrings as s } from "./strings.ts";

export function chatPage(nonce?: string): string {
  const n = nonce ? ` nonce="${nonce}"` : "";
  const strings = JSON.stringify({ placeholder: s.placeholder, offline: s.offline, send: s.send });
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#b71c1c">
<title>${s.title}</title>
<style${n}>
  :root { --red:#b71c1c; --bg:#f4f1ec; --me:#fff3e0; --bot:#ffffff; --ink:#1d1d1f; --muted:#6b6b70; }
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); display: flex; justify-content: center; }
  .app { display: flex; flex-direction: column; width: 100%; max-width: 720px; height: 100dvh; background: var(--bg); }
  header { background: var(--red); color: #fff; padding: 12px 16px; display: flex; align-items: center; gap: 12px; }
  header .logo { width: 36px; height: 36px; border-radius: 50%; background: #ffd54f; color: var(--red); display: grid; place-items: center; font-weight: 800; }
  header h1 { font-size: 17px; margin: 0; }
  header p { font-size: 13px; margin: 0; opacity: .85; }
  header button { margin-left: auto; background: transparent; border: 1px solid rgba(255,255,255,.6); color: #fff; border-radius: 16px; padding: 6px 10px; font-size: 13px; cursor: pointer; }
  #log { flex: 1; overflow-y: auto; padding: 16px 12px; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 85%; padding: 9px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; box-shadow: 0 1px 1px rgba(0,0,0,.06); }
  .bot { background: var(--bot); align-self: flex-start; border-top-left-radius: 4px; }
  .me { background: var(--me); align-self: flex-end; border-top-right-radius: 4px; }
  .error { background: #ffebee; color: #b71c1c; align-self: center; font-size: 14px; }
  .choices { display: flex; flex-wrap: wrap; gap: 6px; align-self: flex-start; max-width: 95%; }
  .choices button { border: 1px solid var(--red); color: var(--red); background: #fff; border-radius: 18px; padding: 7px 12px; font: inherit; font-size: 15px; cursor: pointer; text-align: left; }
  .choices button:hover, .choices button:focus-visible { background: #ffebee; outline: none; }
  .choices.used button { opacity: .45; pointer-events: none; }
  form { display: flex; gap: 8px; padding: 10px 12px calc(10px + env(safe-area-inset-bottom)); background: #fff; border-top: 1px solid #e3ded6; }
  textarea { flex: 1; resize: none; border: 1px solid #d6d0c6; border-radius: 20px; padding: 10px 14px; font: inherit; max-height: 140px; }
  textarea:focus { outline: 2px solid #ef9a9a; }
  form button { background: var(--red); color: #fff; border: 0; border-radius: 20px; padding: 0 18px; font: inherit; font-weight: 600; cursor: pointer; }
  form button:disabled { opacity: .5; }
  .typing { color: var(--muted); font-size: 14px; align-self: flex-start; }
</style>
</head>
<body>
<div class="app">
  <header>
    <div class="logo" aria-hidden="true">HT</div>
    <div><h1>${s.header}</h1><p>${s.subheader}</p></div>
    <button id="reset" type="button">${s.newChat}</button>
  </header>
  <main id="log" aria-live="polite"></main>
  <form id="form" autocomplete="off">
    <textarea id="input" rows="1" maxlength="6000" placeholder="${s.placeholder}" aria-label="${s.placeholder}"></textarea>
    <button id="send" type="submit">${s.send}</button>
  </form>
</div>
<script${n}>
(() => {
  const S = ${strings};
  const log = document.getElementById("log");
  const form = document.getElementById("form");
  const input = document.getElementById("input");
  const sendBtn = document.getElementById("send");
  // The conversation is named by the server's HttpOnly cookie; the page keeps only what it showed.
  const HIST = "hopthu.history";
  let history = [];
  try { history = JSON.parse(localStorage.getItem(HIST) || "[]"); } catch { history = []; }

  function bubble(kind, text) {
    const div = document.createElement("div");
    div.className = "msg " + kind;
    div.textContent = text;
    log.appendChild(div);
    return div;
  }
  function choicesRow(choices, live) {
    const row = document.createElement("div");
    row.className = "choices" + (live ? "" : " used");
    for (const c of choices) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = c.label;
      b.dataset.id = c.id;
      b.addEventListener("click", () => { row.classList.add("used"); send(c.id, c.label); });
      row.appendChild(b);
    }
    log.appendChild(row);
  }
  function render() {
    log.innerHTML = "";
    history.forEach((h, i) => {
      bubble(h.who, h.text);
      if (h.choices) choicesRow(h.choices, i === history.length - 1);
    });
    log.scrollTop = log.scrollHeight;
  }
  function save() { localStorage.setItem(HIST, JSON.stringify(history.slice(-200))); }
  let busy = false;
  async function send(text, shown) {
    if (busy || !text.trim()) return;
    busy = true; sendBtn.disabled = true;
    history.push({ who: "me", text: shown || text }); save(); render();
    const typing = document.createElement("div"); typing.className = "typing"; typing.textContent = "…"; log.appendChild(typing);
    try {
      const res = await fetch("/api/chat/messages", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text }) });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(data.error || S.offline);
      for (const r of data.replies) history.push({ who: "bot", text: r.text, choices: r.choices });
    } catch (e) {
      history.push({ who: "error", text: e.message || S.offline });
    } finally {
      save(); render(); busy = false; sendBtn.disabled = false; input.focus();
    }
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); const t = input.value; input.value = ""; input.style.height = ""; send(t); });
  input.addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); } });
  input.addEventListener("input", () => { input.style.height = "auto"; input.style.height = Math.min(input.scrollHeight, 140) + "px"; });
  document.getElementById("reset").addEventListener("click", async () => {
    try { await fetch("/api/chat/session", { method: "POST" }); } catch {}
    history = []; save(); render(); send("/start", "Xin chào");
  });
  async function poll() {
    if (busy || document.hidden) return;
    try {
      const res = await fetch("/api/chat/notifications");
      if (!res.ok) return;
      const data = await res.json();
      if (data.replies && data.replies.length) {
        for (const r of data.replies) history.push({ who: "bot", text: r.text, choices: r.choices });
        save(); render();
      }
    } catch {}
  }
  setInterval(poll, 5000);
  render();
  if (!history.length) send("/start", "Xin chào");
})();
</script>
</body>
</html>`;
}
