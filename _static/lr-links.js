/* Chart points open their source: a point whose plotly customdata is an address in the book
 * (written by libyareport/render/figure.py link(): "05_sources_and_method.html#q-<claim>" or
 * "…#ref-<reference>") opens it on click. Works offline: the address is relative to the page,
 * and nothing else is fetched. Other customdata (numbers, hover text) is left alone. */
(function () {
  "use strict";
  var ADDRESS = /^[A-Za-z0-9_.-]+\.html#[A-Za-z0-9_:.-]+$/;

  function target(point) {
    var cd = point && point.customdata;
    if (Array.isArray(cd)) cd = cd[0];
    return typeof cd === "string" && ADDRESS.test(cd) ? cd : null;
  }

  function attach(gd) {
    if (gd.__lrLinks || typeof gd.on !== "function") return;
    gd.__lrLinks = true;
    gd.on("plotly_click", function (ev) {
      var url = ev && ev.points && ev.points.length ? target(ev.points[0]) : null;
      if (url) window.location.href = url;
    });
    gd.on("plotly_hover", function (ev) {
      if (ev && ev.points && target(ev.points[0])) gd.style.cursor = "pointer";
    });
    gd.on("plotly_unhover", function () { gd.style.cursor = ""; });
  }

  function all() { document.querySelectorAll(".js-plotly-plot").forEach(attach); }
  window.addEventListener("load", function () { all(); setTimeout(all, 1000); });
})();
