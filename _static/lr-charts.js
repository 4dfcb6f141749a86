/* The book's plotly charts, for screen readers and phones (loaded only on pages with a chart).
 *
 * - The drawing is exposed as one image named by the chart's one-sentence description (the
 *   <span class="lr-chart-desc"> in its caption); the SVG layers behind it are hidden from
 *   assistive technology, while the chart's toolbar buttons stay reachable by keyboard.
 * - On a narrow screen (< 640 px) the layout is re-laid for the width: horizontal date ticks,
 *   fewer of them, axis labels shortened (the hover and the data table keep them in full),
 *   margins that fit the labels, heatmaps without their colour bar, top labels that would overlap another one
 *   hidden, legends below the plot stacked one under another (the figure grown to hold them),
 *   and whatever the figure itself asks for (layout.meta.narrow: {layout, traces}).
 * - <html data-lr-charts="ready"> says the charts are laid out (see settle).
 */
(function () {
  "use strict";
  var NARROW = 640;
  var SHORT = 16;
  var DAY = 86400000;

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

  function legendsToEdge(gd) {
    // a long horizontal legend below the plot runs off the right side of a phone: one entry a line
    var full = gd._fullLayout, upd = {};
    ["legend", "legend2", "legend3"].forEach(function (k) {
      var lg = full[k];
      if (!lg || lg.orientation !== "h" || !(lg.y < 0)) return;
      var box = gd.querySelector("g." + k + " .bg, g.legend .bg");
      var el = gd.querySelector("g." + (k === "legend" ? "legend" : k));
      if (el && el.getBoundingClientRect().right > gd.getBoundingClientRect().right + 1) upd[k + ".orientation"] = "v";
    });
    if (Object.keys(upd).length) return window.Plotly.relayout(gd, upd);
  }

  function stackLegends(gd) {
    // the legends below the plot, one under the other, and the figure as tall as they need: a
    // legend turned upright is taller than the space the figure kept for it, and plotly neither
    // grows the figure nor moves the next legend (entries were drawn over or cut off)
    var full = gd._fullLayout, size = full._size;
    var below = ["legend", "legend2", "legend3"].filter(function (k) {
      var lg = full[k];
      return lg && lg.visible !== false && (lg.yref || "paper") === "paper" && lg.y < 0 && gd.querySelector("g." + k);
    });
    if (!below.length) return;
    var box = gd.getBoundingClientRect(), top = size.t + size.h;
    gd.querySelectorAll(".xaxislayer-above text, .g-xtitle text").forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.height) top = Math.max(top, r.bottom - box.top);
    });
    top += 10;
    var heights = below.map(function (k) { return gd.querySelector("g." + k).getBoundingClientRect().height; });
    var end = top + heights.reduce(function (a, h) { return a + h + 8; }, 0);
    var height = Math.max(full.height, Math.ceil(end + 4)), upd = {height: height, "margin.b": height - size.t - size.h};
    var y = top;
    below.forEach(function (k, i) {
      upd[k + ".yref"] = "container";
      upd[k + ".yanchor"] = "top";
      upd[k + ".y"] = 1 - y / height;
      y += heights[i] + 8;
    });
    // the chart's box (plotly's wrapper div has a fixed height) grows with it: the caption below moves down
    if (gd.parentElement && gd.parentElement.style.height) gd.parentElement.style.height = height + "px";
    return window.Plotly.relayout(gd, upd);
  }

  function wrap(text, width) {
    var lines = [], line = "";
    text.split(" ").forEach(function (w) {
      if (line && (line + " " + w).length > width) { lines.push(line); line = w; } else { line = line ? line + " " + w : w; }
    });
    if (line) lines.push(line);
    return lines.join("<br>");
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
        var cats = (ax._categories || []).length;
        // slanted labels need a line's height between them; upright when there are too many for that
        upd[k + ".tickangle"] = ax.type === "date" ? 0 : (cats * 18 > gd.clientWidth * 0.6 ? -90 : -45);
        if (ax.type !== "date") upd[k + ".tickfont.size"] = 10;
        if (ax.type === "date") {
          if (ax.tickmode === "linear") upd[k + ".tickmode"] = "auto";  // a day-by-day axis thins out too
          upd[k + ".nticks"] = 4;
          // dates need no axis title on a phone; it would collide with a legend placed below the axis
          if (ax.title && ax.title.text) upd[k + ".title.text"] = "";
          var span = ax.range ? new Date(ax.range[1]) - new Date(ax.range[0]) : 0;
          if (span > 90 * DAY) upd[k + ".tickformat"] = "%b '%y";  // "Apr '19": four fit on a phone
        }
      }
      if (ax.tickmode === "array" && ax.ticktext) {
        upd[k + ".ticktext"] = ax.ticktext.map(shorten);
      } else if (ax.type === "category" && ax._categories && ax._categories.length) {
        upd[k + ".tickmode"] = "array";
        upd[k + ".tickvals"] = ax._categories.slice();
        upd[k + ".ticktext"] = ax._categories.map(shorten);
      }
    });
    var title = full.title && full.title.text;
    if (title && title.indexOf("<br>") < 0 && title.length > 34) {  // wrapped, not cut at the edge; the plot moves down
      upd["title.text"] = wrap(title, 34);
      upd["margin.t"] = (full.margin.t || 80) + 20 * (upd["title.text"].split("<br>").length - 1);
    }
    var bars = [];
    gd.data.forEach(function (t, i) { if (t.type === "heatmap") bars.push(i); });
    var own = (full.meta && full.meta.narrow) || {};  // a figure's own narrow-screen layout (figures.py)
    Object.keys(own.layout || {}).forEach(function (k) { upd[k] = own.layout[k]; });
    var p = window.Plotly.relayout(gd, upd);
    if (own.traces) p = p.then(function () { return window.Plotly.restyle(gd, own.traces); });
    if (bars.length) {
      p = p.then(function () {
        // the colour scale gives way to the cells: each cell's value is in its hover and the data table
        return window.Plotly.restyle(gd, {showscale: false}, bars);
      });
    }
    return p.then(function () { return legendsToEdge(gd); })
            .then(function () { return stackLegends(gd); })
            .then(function () { return hideOverlappingAnnotations(gd); });
  }

  function setup(gd) {
    if (gd.__lrSetup) return;
    gd.__lrSetup = true;
    label(gd);
    if (gd.on) gd.on("plotly_afterplot", function () { label(gd); });
    return narrow(gd);
  }

  // <html data-lr-charts="ready"> once every chart is laid out for the screen's width ("busy"
  // while a resize re-lays them): what printing and the browser tests wait for.
  function settle(work) {
    var root = document.documentElement;
    root.setAttribute("data-lr-charts", "busy");
    var ps = [];
    document.querySelectorAll(".lr-chart .js-plotly-plot").forEach(function (gd) {
      if (gd._fullLayout) ps.push(Promise.resolve(work(gd)));
    });
    var done = function () { root.setAttribute("data-lr-charts", "ready"); };
    Promise.all(ps).then(done, done);
  }

  window.addEventListener("load", function () { settle(setup); });
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    document.documentElement.setAttribute("data-lr-charts", "busy");
    timer = setTimeout(function () { settle(narrow); }, 250);
  });
})();
