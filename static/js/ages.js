// Ages ("12m ago") keep counting on pages left open: every <time data-age="suffix"> is rewritten
// from its datetime attribute every 10 s, and as soon as htmx or a live update brings it in.
// The server renders the same text, so pages read the same without JavaScript.
(function () {
  "use strict";
  var UNITS = [["d", 86400], ["h", 3600], ["m", 60]];

  function age(seconds) {
    for (var i = 0; i < UNITS.length; i++) {
      if (seconds >= UNITS[i][1]) return Math.floor(seconds / UNITS[i][1]) + UNITS[i][0];
    }
    return seconds + "s";
  }

  function refresh(root) {
    var now = Date.now();
    var times = (root || document).querySelectorAll("time[data-age]");
    for (var i = 0; i < times.length; i++) {
      var at = Date.parse(times[i].getAttribute("datetime"));
      if (isNaN(at)) continue;
      var text = age(Math.max(0, Math.floor((now - at) / 1000))) + times[i].getAttribute("data-age");
      if (times[i].textContent !== text) times[i].textContent = text;
    }
  }

  window.stargateAges = refresh;
  setInterval(refresh, 10000);
  document.addEventListener("htmx:load", function (event) { refresh(event.target); });
  document.addEventListener("DOMContentLoaded", function () { refresh(); });
})();
