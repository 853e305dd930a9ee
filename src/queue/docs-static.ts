/**
 * Stylesheet and script of the documents, walk-in, registers and administration pages (served as
 * files, like the queue's own, so no inline script or style is needed). The script only adds
 * comfort: print buttons, inserting a canned reply into the editor, confirmation before sending.
 */
export const DOCS_CSS = `
.row2{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:.7rem}
.field-error{color:var(--red);font-size:.85rem}
label.check{flex-direction:row;align-items:center;gap:.5rem;color:var(--fg)}
fieldset{border:1px solid var(--line);border-radius:8px;padding:.7rem .9rem;margin:0}
legend{padding:0 .3rem;color:var(--muted);font-size:.9rem}
.actions-row{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}
.tabs{display:flex;gap:.4rem;margin-bottom:.8rem;flex-wrap:wrap}
.tabs a{padding:.4rem .8rem;border-radius:8px;border:1px solid var(--line);background:#fff;text-decoration:none;color:var(--fg)}
.tabs a[aria-current=page]{background:var(--accent);border-color:var(--accent);color:#fff}
.register-wrap{overflow-x:auto}
table.register{border-collapse:collapse;background:#fff;min-width:100%;font-size:.88rem}
.register th,.register td{border:1px solid var(--line);padding:.4rem .5rem;vertical-align:top;text-align:left;white-space:pre-line}
.register th{background:#f0f3f6;font-weight:600;color:#333}
.register td.col-ma,.register td.col-ngay,.register td.col-han,.register td.col-ngaykt{white-space:nowrap}
.register td.col-noidung{min-width:22rem}
.register td.col-nguoi,.register td.col-huong,.register td.col-ketqua{min-width:12rem}
.paper{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1.4rem 1.6rem;font-family:"Times New Roman",Times,serif;font-size:1.05rem;color:#000;max-width:52rem}
.paper .head{display:grid;grid-template-columns:42% 58%;text-align:center;gap:.5rem;margin-bottom:1rem}
.paper .head b{display:block}
.paper .title{text-align:center;font-weight:700;margin:.6rem 0 0}
.paper .subject{text-align:center;font-weight:700;margin:0 0 .6rem}
.paper .date{font-style:italic}
.paper .to{text-align:center}
.paper .head span{display:block}
.paper textarea{width:100%;min-height:24rem;font-family:inherit;font-size:1rem;line-height:1.5}
.receipt .code-big{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:2rem;font-weight:700;letter-spacing:.08em;text-align:center;border:2px dashed #333;padding:.5rem;margin:.8rem 0}
.receipt dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem .8rem;margin:.6rem 0}
.receipt dt{font-weight:600}
.receipt .sign{display:grid;grid-template-columns:1fr 1fr;text-align:center;margin-top:1.4rem;min-height:6rem}
.blank-warning{background:var(--amber-bg);color:var(--amber);padding:.5rem .7rem;border-radius:6px}
.canned{display:flex;flex-wrap:wrap;gap:.4rem}
.muted{color:var(--muted)}
table.admin{border-collapse:collapse;width:100%;background:#fff}
.admin th,.admin td{border-bottom:1px solid var(--line);padding:.4rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
.admin tr.inactive td{color:var(--muted);text-decoration:line-through}
.onetime{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.2rem;background:#fff;padding:.3rem .6rem;border:1px solid var(--line);border-radius:6px}
@media print{
  .top,.no-print,.flash,.skip{display:none!important}
  body{background:#fff}
  main{padding:0;max-width:none}
  .paper{border:0;padding:0;max-width:none}
  .card{border:0;padding:0}
}
`;

export const DOCS_JS = `
(function(){
  document.addEventListener("click", function(e){
    var t = e.target;
    if (t && t.closest && t.closest("[data-print]")) { e.preventDefault(); window.print(); }
    var b = t && t.closest && t.closest("[data-insert]");
    if (b) {
      e.preventDefault();
      var area = document.getElementById(b.getAttribute("data-target"));
      if (area) { area.value = b.getAttribute("data-insert"); area.focus(); }
    }
  });
})();
`;
