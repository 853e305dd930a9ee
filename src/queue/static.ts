/**
 * The queue's stylesheet and script, served as files (no inline script or style, so a strict
 * Content-Security-Policy can forbid them). Small on purpose: the pages work without the script;
 * it only refreshes the list when cases arrive and asks for confirmation before grave actions.
 */
export const QUEUE_CSS = `
:root{--fg:#1d232b;--muted:#5b6673;--bg:#f4f6f8;--card:#fff;--line:#dde3e9;--accent:#0b5cad;--accent-2:#e8f1fb;
--red:#b42318;--red-bg:#fdecea;--amber:#8a5300;--amber-bg:#fff4e0;--green:#1e6b3a;--green-bg:#e6f4ea;--grey-bg:#eceff2}
*{box-sizing:border-box}
html{font-size:16px;-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;color:var(--fg);background:var(--bg);line-height:1.45}
a{color:var(--accent)}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem 1.2rem;padding:.55rem 1rem;background:#0b3f75;color:#fff}
.top a{color:#fff;text-decoration:none}
.brand{font-weight:700;font-size:1.05rem;letter-spacing:.01em}
.top nav{display:flex;flex-wrap:wrap;gap:.2rem}
.top nav a{padding:.3rem .6rem;border-radius:6px}
.top nav a[aria-current=page],.top nav a:hover{background:rgba(255,255,255,.16)}
.who{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;gap:.1rem .6rem;font-size:.85rem}
.who-role{opacity:.8}
.who .link{color:#fff}
main{max-width:1280px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 .8rem}
h2{font-size:1.05rem;margin:0 0 .6rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem;margin-bottom:1rem}
.narrow{max-width:420px;margin:2rem auto}
.stack{display:flex;flex-direction:column;gap:.75rem}
label{display:flex;flex-direction:column;gap:.25rem;font-size:.9rem;color:var(--muted)}
input,select,textarea,button{font:inherit}
input,select,textarea{padding:.5rem .6rem;border:1px solid #b9c3cd;border-radius:6px;background:#fff;color:var(--fg);min-width:0}
textarea{min-height:5.5rem;resize:vertical}
button,.button{display:inline-block;padding:.5rem .9rem;border-radius:6px;border:1px solid #9fb0c2;background:#fff;color:var(--fg);cursor:pointer;text-decoration:none;font-size:.95rem}
button.primary,.button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{border-color:var(--red);color:var(--red)}
button.link{border:0;background:none;padding:0;color:var(--accent);text-decoration:underline}
form.inline{display:inline}
.flash{padding:.6rem .8rem;border-radius:8px;margin:.5rem 0}
.flash.ok{background:var(--green-bg);color:var(--green)}
.flash.error{background:var(--red-bg);color:var(--red)}
.flash.info{background:var(--accent-2);color:#0b3f75}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:.6rem;align-items:end}
.filters .search{grid-column:1/-1}
.filters .actions{display:flex;gap:.5rem;align-items:center}
.chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:.2rem 0 .8rem}
.chip{display:inline-flex;gap:.35rem;align-items:center;padding:.3rem .7rem;border-radius:999px;border:1px solid var(--line);background:#fff;text-decoration:none;color:var(--fg);font-size:.9rem}
.chip b{font-weight:600}
.chip[aria-current=true]{background:var(--accent);border-color:var(--accent);color:#fff}
.chip.red[aria-current=true]{background:var(--red);border-color:var(--red)}
.chip.amber[aria-current=true]{background:var(--amber);border-color:var(--amber)}
.count{font-variant-numeric:tabular-nums;opacity:.85}
.meta{color:var(--muted);font-size:.85rem}
table.cases{width:100%;border-collapse:collapse;background:#fff;border:1px solid var(--line);border-radius:10px;overflow:hidden}
.cases th,.cases td{text-align:left;padding:.55rem .6rem;border-bottom:1px solid var(--line);vertical-align:top;font-size:.93rem}
.cases th{background:#f0f3f6;font-weight:600;font-size:.82rem;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.cases tr:hover td{background:#f8fbff}
.cases tr.new td{animation:flash 3s ease-out}
@keyframes flash{from{background:#fff7cc}to{background:transparent}}
.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600;white-space:nowrap}
.excerpt{color:#333;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;max-width:48ch}
.badge{display:inline-block;padding:.12rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;white-space:nowrap}
.badge.overdue{background:var(--red-bg);color:var(--red)}
.badge.soon{background:var(--amber-bg);color:var(--amber)}
.badge.ok{background:var(--green-bg);color:var(--green)}
.badge.done{background:var(--grey-bg);color:var(--muted)}
.badge.kind{background:var(--accent-2);color:#0b3f75}
.badge.protected{background:#f3e8ff;color:#5b21b6}
.pager{display:flex;gap:.6rem;align-items:center;justify-content:space-between;margin:.8rem 0}
.newcases{position:sticky;top:0;z-index:5}
.grid{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem .9rem;margin:0}
dl.facts dt{color:var(--muted);font-size:.88rem}
dl.facts dd{margin:0}
.thread{display:flex;flex-direction:column;gap:.5rem}
.msg{max-width:85%;padding:.5rem .7rem;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}
.msg.in{align-self:flex-start;background:#eef2f6}
.msg.out{align-self:flex-end;background:var(--accent-2)}
.msg.redacted{font-style:italic;color:var(--muted)}
.msg .when{display:block;font-size:.75rem;color:var(--muted);margin-top:.2rem}
.photos{display:flex;flex-wrap:wrap;gap:.4rem}
.photos a{display:inline-block;padding:.2rem .5rem;border:1px solid var(--line);border-radius:6px;font-size:.85rem}
.photos img{max-width:160px;max-height:120px;border-radius:6px;display:block}
.photos a.thumb{padding:0;overflow:hidden}
ol.timeline{list-style:none;padding:0;margin:0}
ol.timeline li{padding:.35rem 0 .35rem .9rem;border-left:2px solid var(--line);font-size:.9rem}
details.action{border:1px solid var(--line);border-radius:8px;margin-bottom:.5rem;background:#fff}
details.action summary{cursor:pointer;padding:.55rem .75rem;font-weight:600}
details.action form{padding:0 .75rem .75rem}
.delivery{font-size:.78rem;color:var(--muted)}
.delivery.failed{color:var(--red)}
.similar li{margin-bottom:.3rem}
@media (max-width:800px){
  .grid{grid-template-columns:1fr}
  main{padding:.6rem}
  .cases thead{display:none}
  .cases,.cases tbody,.cases tr,.cases td{display:block;width:100%}
  .cases tr{border-bottom:1px solid var(--line);padding:.4rem 0}
  .cases td{border:0;padding:.15rem .6rem}
  .cases td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:.8rem}
  .excerpt{max-width:none}
  .who{margin-left:0}
}
`;

export const QUEUE_JS = `
(function(){
  "use strict";
  // Grave actions ask first: <form data-confirm="…">.
  document.addEventListener("submit", function(e){
    var f = e.target;
    if (f && f.getAttribute && f.getAttribute("data-confirm") && !window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
  });
  // The list refreshes itself when cases arrive or change (no reload, no lost scroll position).
  var list = document.getElementById("results");
  if (!list) return;
  var stamp = list.getAttribute("data-stamp") || "";
  var busy = false;
  function refresh(){
    if (busy || document.hidden) return;
    busy = true;
    var url = "/queue/api/stamp" + window.location.search;
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function(r){ return r.ok ? r.json() : null; })
      .then(function(s){
        if (!s || s.stamp === stamp) return null;
        var sep = window.location.search ? "&" : "?";
        return fetch(window.location.pathname + window.location.search + sep + "fragment=1", {credentials: "same-origin"})
          .then(function(r){ return r.ok ? r.text() : null; })
          .then(function(html){
            if (html === null) return;
            var seen = {};
            list.querySelectorAll("tr[data-id]").forEach(function(tr){ seen[tr.getAttribute("data-id")] = true; });
            var box = document.createElement("div");
            box.innerHTML = html;
            var fresh = box.querySelector("#results");
            if (!fresh) return;
            fresh.querySelectorAll("tr[data-id]").forEach(function(tr){ if (!seen[tr.getAttribute("data-id")]) tr.classList.add("new"); });
            list.replaceWith(fresh);
            list = fresh;
            stamp = fresh.getAttribute("data-stamp") || s.stamp;
          });
      })
      .catch(function(){})
      .then(function(){ busy = false; });
  }
  var every = Number(list.getAttribute("data-poll") || "15000");
  setInterval(refresh, every);
  document.addEventListener("visibilitychange", function(){ if (!document.hidden) refresh(); });
})();
`;
