// The ticket page: live by server-sent events, polling /q/<token>/state as the fallback.
// textContent only (never innerHTML).
(function () {
  "use strict";
  var base = "/q/" + encodeURIComponent(document.body.dataset.token);
  var failures = 0;

  function show(id, on) { document.getElementById(id).hidden = !on; }
  function text(id, value) { document.getElementById(id).textContent = value; }

  function render(s) {
    text("number", s.number);
    var status = document.getElementById("status");
    status.textContent = s.status_zh;
    status.className = "status s-" + s.status;
    show("ahead-box", s.ahead !== null);
    if (s.ahead !== null) text("ahead", s.ahead);
    show("wait-box", s.wait_minutes !== null);
    if (s.wait_minutes !== null) text("wait", s.wait_minutes ? "约 " + s.wait_minutes + " 分钟" : "即将叫到您");
    show("window-box", !!s.window);
    if (s.window) text("window", s.window);
    text("serving", s.serving.length ? s.serving.join("、") : "暂无");
    text("updated", s.updated);
    document.body.dataset.status = s.status;
  }

  function poll() {
    var tick = function () {
      fetch(base + "/state", { cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(render).catch(function () {});
    };
    tick();
    setInterval(tick, 5000);
  }

  if (!window.EventSource || location.search.indexOf("poll=1") >= 0) { poll(); return; }
  var es = new EventSource(base + "/events");
  es.addEventListener("state", function (m) { failures = 0; render(JSON.parse(m.data)); });
  es.onerror = function () { failures += 1; if (failures >= 3) { es.close(); poll(); } };
})();
