// Display board: live state by server-sent events (polling /board/state as the fallback) and
// spoken calls played one after another. Text is set with textContent only (never innerHTML).
(function () {
  "use strict";
  var body = document.body;
  var key = body.dataset.key;
  var lastSeen = parseInt(body.dataset.lastId, 10) || 0;  // calls before the page opened are not spoken
  var voiceOn = false, playing = false, queue = [], failures = 0, pollTimer = null;
  var live = document.getElementById("live");
  var q = "key=" + encodeURIComponent(key);

  function text(id, value) { document.getElementById(id).textContent = value; }

  // The hall's own time, whatever zone the TV's browser thinks it is in.
  var fmt = new Intl.DateTimeFormat("zh-CN", { timeZone: body.dataset.tz, hour: "2-digit",
                                               minute: "2-digit", second: "2-digit", hour12: false });
  function clock() { text("clock", fmt.format(new Date())); }

  function render(state) {
    var latest = state.calls[0];
    text("now-number", latest ? latest.number : "—");
    var where = document.getElementById("now-window");
    where.textContent = "";
    if (latest) {
      var strong = document.createElement("strong");
      strong.textContent = latest.window;
      where.append("请到 ", strong, " 窗口办理");
    } else { where.textContent = "暂无叫号"; }
    var tbody = document.getElementById("calls");
    tbody.textContent = "";
    state.calls.forEach(function (c) {
      var tr = document.createElement("tr"), a = document.createElement("td"),
          b = document.createElement("td"), s = document.createElement("small");
      a.className = "num"; a.textContent = c.number;
      s.textContent = c.window_name; b.append(c.window + " ", s);
      tr.append(a, b); tbody.append(tr);
    });
    var ul = document.getElementById("waiting");
    ul.textContent = "";
    state.categories.forEach(function (c) {
      var li = document.createElement("li"), n = document.createElement("b");
      n.textContent = c.waiting;
      li.append(c.name + "（" + c.prefix + "）等候 ", n, " 人");
      ul.append(li);
    });
    state.events.forEach(function (e) {
      if (e.id > lastSeen) { announce(e); lastSeen = e.id; }
    });
    body.dataset.lastId = lastSeen;
  }

  function announce(e) {
    var li = document.createElement("li");
    li.textContent = e.number + "→" + e.window + (e.recall ? "（重呼）" : "");
    document.getElementById("announced").append(li);
    var now = document.querySelector(".now");
    now.classList.remove("flash"); void now.offsetWidth; now.classList.add("flash");
    if (voiceOn) {
      queue.push("/board/voice.wav?" + q + "&number=" + encodeURIComponent(e.number) +
                 "&window=" + encodeURIComponent(e.window));
      next();
    }
  }

  function next() {
    if (playing || !queue.length) return;
    playing = true;
    var audio = new Audio(queue.shift());
    var done = function () { playing = false; next(); };
    audio.onended = done; audio.onerror = done;
    var p = audio.play();
    if (p && p.catch) p.catch(done);
  }

  function poll() {
    live.textContent = "定时刷新";
    var tick = function () {
      fetch("/board/state?" + q, { cache: "no-store" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (s) { render(s); live.textContent = "定时刷新"; })
        .catch(function () { live.textContent = "连接中断，正在重试…"; });
    };
    tick();
    pollTimer = setInterval(tick, 2000);
  }

  function stream() {
    var es = new EventSource("/board/events?" + q);
    es.addEventListener("state", function (m) {
      failures = 0; live.textContent = "实时"; render(JSON.parse(m.data));
    });
    es.onerror = function () {
      failures += 1; live.textContent = "连接中断，正在重试…";
      if (failures >= 3) { es.close(); poll(); }  // a proxy that buffers streams: poll instead
    };
  }

  document.getElementById("start-voice").addEventListener("click", function () {
    voiceOn = true;
    document.getElementById("unlock").classList.add("done");
    body.dataset.voice = "on";
    // Playing something inside the click is what unlocks audio for later announcements.
    var a = new Audio("data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAIlYAAESsAAACABAAZGF0YQAAAAA=");
    var p = a.play(); if (p && p.catch) p.catch(function () {});
  });

  clock(); setInterval(clock, 1000);
  if (body.dataset.mode === "poll" || !window.EventSource) poll(); else stream();
})();
