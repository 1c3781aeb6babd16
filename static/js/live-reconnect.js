// A live socket that comes back (its web process restarted, the network blipped) may have
// missed updates while it was down. The htmx ws extension reconnects by itself; on that
// reconnect this refetches the page and swaps in its live parts: the outermost elements with an
// id inside the ws-connect element, except forms and whatever holds the focus (a half-typed
// filter or reason is kept). Loaded as a file: no inline script under the CSP.
(function () {
  "use strict";

  function liveParts(root) {
    var parts = [];
    var all = root.querySelectorAll("[id]");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      var outer = el.parentElement.closest("[id]");
      if (outer && outer !== root && root.contains(outer)) continue;
      if (el.tagName === "FORM" || el.contains(document.activeElement)) continue;
      parts.push(el);
    }
    return parts;
  }

  function swapIn(root, html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var parts = liveParts(root);
    for (var i = 0; i < parts.length; i++) {
      var next = fresh.getElementById(parts[i].id);
      if (!next) continue;
      next = document.importNode(next, true);
      parts[i].replaceWith(next);
      window.htmx.process(next);
      if (window.stargateAges) window.stargateAges(next);
    }
    root.dispatchEvent(new CustomEvent("stargate:liveRefetched", { bubbles: true }));
  }

  function refetch(root) {
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("refetch answered " + response.status);
        return response.text();
      })
      .then(function (html) { swapIn(root, html); })
      .catch(function (error) { console.warn("live refetch failed", error); });
  }

  document.addEventListener("htmx:wsClose", function (event) {
    event.detail.elt.setAttribute("data-ws-lost", "");
  });
  document.addEventListener("htmx:wsOpen", function (event) {
    var root = event.detail.elt;
    if (!root.hasAttribute("data-ws-lost")) return;
    root.removeAttribute("data-ws-lost");
    refetch(root);
  });
})();
