// telcrm: small behaviours shared by every page. HTMX does the rest.
(function () {
  "use strict";
  // Close the global search dropdown on Escape or a click elsewhere.
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      var d = document.getElementById("search-dropdown");
      if (d) d.innerHTML = "";
    }
  });
  document.addEventListener("click", function (e) {
    var d = document.getElementById("search-dropdown");
    if (d && !e.target.closest("form[role=search]")) d.innerHTML = "";
  });
  // Keyboard shortcut "/" focuses the global search box.
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && !/input|textarea|select/i.test(document.activeElement.tagName)) {
      var box = document.getElementById("global-search");
      if (box) { e.preventDefault(); box.focus(); }
    }
  });
  // Live notifications over the websocket, when the server offers one (ASGI).
  if (document.body.dataset.websockets === "1" && document.getElementById("bell") && "WebSocket" in window) {
    try {
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(proto + location.host + "/ws/notifications/");
      ws.onmessage = function (msg) {
        var data = JSON.parse(msg.data);
        var bell = document.getElementById("bell");
        var badge = bell.querySelector(".badge");
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "position-absolute top-0 start-100 translate-middle badge rounded-pill bg-danger";
          badge.dataset.testid = "unread-count";
          badge.textContent = "0";
          bell.appendChild(badge);
        }
        badge.textContent = String(parseInt(badge.textContent || "0", 10) + 1);
        bell.title = data.title;
      };
    } catch (err) { /* websockets unavailable: the count refreshes on the next page */ }
  }
})();
