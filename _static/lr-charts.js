/* The book's plotly charts, for screen readers and phones (loaded only on pages with a chart).
 *
 * - The drawing is exposed as one image named by the chart's one-sentence description (the
 *   <span class="lr-chart-desc"> in its caption); the SVG layers behind it are hidden from
 *   assistive technology, while the chart's toolbar buttons stay reachable by keyboard.
 * - On a narrow screen (< 640 px) the layout is re-laid for the width: horizontal date ticks,
 *   fewer of them, axis labels shortened (the hover and the data table keep them in full),
 *   margins that fit the labels, colour bars below the plot, and top labels that would overlap
 *   another one hidden.
 */
(function () {
  "use strict";
  var NARROW = 640;
  var SHORT = 16;

  function label(gd) {
    var box = gd.closest(".lr-chart");
    var desc = box && box.getAttribute("data-desc-id");
    if (!desc) return;
    gd.querySelectorAll("svg.main-svg").forEach(function (svg, i) {
      if (i === 0) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-labelledby", desc);
        svg.removeAttribute("aria-hidden");
      } else {
        svg.setAttribute("aria-hidden", "true");
      }
    });
  }

  function shorten(text) {
    var s = String(text);
    return s.length > SHORT ? s.slice(0, SHORT - 1).trim() + "…" : s;
  }

  function overlapping(a, b) {
    return !(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top);
  }

  function hideOverlappingAnnotations(gd) {
    var notes = gd.querySelectorAll(".annotation");
    var shown = [], hide = {};
    notes.forEach(function (el) {
      var i = Number(el.getAttribute("data-index"));
      var r = el.getBoundingClientRect();
      if (!r.width) return;
      if (shown.some(function (s) { return overlapping(s, r); })) hide["annotations[" + i + "].visible"] = false;
      else shown.push(r);
    });
    if (Object.keys(hide).length) return window.Plotly.relayout(gd, hide);
  }

  function narrow(gd) {
    if (gd.__lrNarrow || gd.clientWidth >= NARROW || !gd._fullLayout) return;
    gd.__lrNarrow = true;
    var full = gd._fullLayout, upd = {"margin.l": 8, "margin.r": 8};
    Object.keys(full).forEach(function (k) {
      if (!/^[xy]axis\d*$/.test(k) || !full[k] || full[k].visible === false) return;
      var ax = full[k];
      upd[k + ".automargin"] = true;
      if (k[0] === "x") {
        upd[k + ".tickangle"] = ax.type === "date" ? 0 : -45;
        if (ax.type === "date") upd[k + ".nticks"] = 4;
      }
      if (ax.tickmode === "array" && ax.ticktext) {
        upd[k + ".ticktext"] = ax.ticktext.map(shorten);
      } else if (ax.type === "category" && ax._categories && ax._categories.length) {
        upd[k + ".tickmode"] = "array";
        upd[k + ".tickvals"] = ax._categories.slice();
        upd[k + ".ticktext"] = ax._categories.map(shorten);
      }
    });
    var bars = [];
    gd.data.forEach(function (t, i) { if (t.type === "heatmap") bars.push(i); });
    var p = window.Plotly.relayout(gd, upd);
    if (bars.length) {
      p = p.then(function () {
        return window.Plotly.restyle(gd, {"colorbar.orientation": "h", "colorbar.y": -0.2, "colorbar.yanchor": "top",
                                          "colorbar.x": 0, "colorbar.xanchor": "left", "colorbar.len": 0.6,
                                          "colorbar.thickness": 12}, bars);
      });
    }
    return p.then(function () { return hideOverlappingAnnotations(gd); });
  }

  function setup(gd) {
    if (gd.__lrSetup) return;
    gd.__lrSetup = true;
    label(gd);
    if (gd.on) gd.on("plotly_afterplot", function () { label(gd); });
    narrow(gd);
  }

  function all() {
    document.querySelectorAll(".lr-chart .js-plotly-plot").forEach(function (gd) {
      if (gd._fullLayout) setup(gd);
    });
  }

  window.addEventListener("load", all);
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      document.querySelectorAll(".lr-chart .js-plotly-plot").forEach(narrow);
    }, 250);
  });
})();
