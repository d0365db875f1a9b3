// The annual summary's charts: drawn with ECharts (static/vendor/echarts) from the page's JSON (json_script
// "summary-charts", built by union_portal/summary/charts.py). No inline script: the CSP forbids it.
// Each chart is bars over categories; a bar's data carry the text the page shows for it and the URL of its
// list, so a click on a bar opens the same list as the link in the chart's table below it.
// Drawn as SVG: a printed chart is sharp. When printing starts the charts are drawn again at their printed widths
// (summary.css lays them out for A4); a viewBox scales them to the page where a browser prints without telling.
(function () {
  "use strict";
  var source = document.getElementById("summary-charts");
  if (!source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var COLOURS = ["#b71c1c", "#e08a1e", "#3f6fa8", "#5a8f5a", "#7b5ea7"];
  var drawn = [];

  function encode(text) { return window.echarts.format.encodeHTML(String(text)); }

  function tooltip(chart) {
    return function (params) {
      var index = params[0].dataIndex;
      var lines = ["<strong>" + encode(chart.categories[index]) + "</strong>"];
      params.forEach(function (p) { lines.push(p.marker + encode(p.seriesName) + "：" + encode(p.data.text)); });
      if (chart.stacked) { lines.push(encode(data.total_label) + "：" + encode(chart.totals[index].text)); }
      return lines.join("<br>");
    };
  }

  function categoryAxis(chart, width) {
    var axis = { type: "category", data: chart.categories, axisTick: { alignWithLabel: true } };
    if (chart.horizontal) {
      axis.inverse = true;  // the first town at the top, as in the town table
      axis.axisLabel = { interval: 0 };
    } else {
      // Long names break over lines instead of hiding each other.
      var room = Math.max(40, Math.floor((width - 80) / Math.max(chart.categories.length, 1)) - 6);
      axis.axisLabel = { interval: 0, width: room, overflow: "break", lineHeight: 14 };
    }
    return axis;
  }

  function valueAxis(chart) {
    // The unit is in the chart's caption; numbers without grouping, as the page writes them.
    var axis = { type: "value", axisLabel: { formatter: function (value) { return String(value); } } };
    if (!chart.money) { axis.minInterval = 1; }
    return axis;
  }

  function series(chart) {
    var labelled = chart.series.length === 1;  // a single series shows each bar's value; a stack shows its total
    return chart.series.map(function (one, position) {
      var last = position === chart.series.length - 1;
      return {
        name: one.name,
        type: "bar",
        stack: chart.stacked ? "total" : undefined,
        barMaxWidth: 36,
        cursor: "pointer",
        emphasis: { focus: "series" },
        data: one.cells.map(function (cell) { return { value: cell.value, url: cell.url, text: cell.text }; }),
        label: {
          show: labelled || (chart.stacked && last),
          position: chart.horizontal ? "right" : "top",
          fontSize: 11,
          formatter: function (p) { return chart.stacked ? chart.totals[p.dataIndex].text : p.data.text; }
        }
      };
    });
  }

  function legend(chart) {
    if (chart.series.length < 2) { return undefined; }
    if (chart.headline) {  // a small chart: its parts one a line under it, their names in full
      return { bottom: 0, left: 0, orient: "vertical", itemHeight: 10, itemGap: 4, textStyle: { fontSize: 11 } };
    }
    return { top: 0 };
  }

  function grid(chart) {
    var parts = chart.series.length;
    var below = chart.headline && parts > 1 ? parts * 16 + 8 : 8;
    var above = !chart.headline && parts > 1 ? 40 : 24;
    return { left: 8, right: chart.horizontal ? 48 : 16, top: above, bottom: below, containLabel: true };
  }

  function option(chart, width) {
    var category = categoryAxis(chart, width);
    var value = valueAxis(chart);
    return {
      animation: false,  // a chart printed straight after the page loads is complete
      color: COLOURS,
      textStyle: { fontFamily: "inherit" },
      aria: { enabled: false },  // the chart's table below it is the text alternative
      legend: legend(chart),
      grid: grid(chart),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, formatter: tooltip(chart) },
      xAxis: chart.horizontal ? value : category,
      yAxis: chart.horizontal ? category : value,
      series: series(chart)
    };
  }

  function fitViewBox(instance, element) {
    // ECharts draws its SVG at fixed pixels; a viewBox lets the print styles scale it to the page's width.
    var svg = element.querySelector("svg");
    if (svg) {
      svg.setAttribute("viewBox", "0 0 " + instance.getWidth() + " " + instance.getHeight());
      svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
    }
  }

  function draw(chart) {
    var element = document.querySelector('[data-chart="' + chart.id + '"]');
    if (!element) { return; }
    if (chart.horizontal) {  // a bar per town: as tall as the towns need
      element.style.height = Math.max(240, chart.categories.length * 24 + 80) + "px";
    } else if (chart.headline && chart.series.length > 1) {  // room for the parts' names under the bars
      element.style.height = element.clientHeight + chart.series.length * 16 + "px";
    }
    var instance = window.echarts.init(element, null, { renderer: "svg" });
    instance.setOption(option(chart, element.clientWidth));
    instance.on("click", function (p) {
      if (p.data && p.data.url) { window.location.href = p.data.url; }
    });
    fitViewBox(instance, element);
    element.setAttribute("data-drawn", "true");
    drawn.push({ chart: chart, instance: instance, element: element, height: instance.getHeight() });
  }

  var printing = window.matchMedia("print");

  function redraw() {
    // While printing, the print styles size each chart (see toPrint); a resize then must not draw it again.
    if (printing.matches) { return; }
    drawn.forEach(function (one) {
      one.instance.setOption(option(one.chart, one.element.clientWidth));
      one.instance.resize();
      fitViewBox(one.instance, one.element);
    });
  }

  function toPrint() {
    // The print styles lay the charts out for A4 (summary.css): draw each at its printed width, the height it had,
    // so that its text prints at its size. Where a browser prints without telling, the viewBox scales it instead.
    drawn.forEach(function (one) {
      var width = one.element.clientWidth;
      if (!width) { return; }
      one.instance.setOption(option(one.chart, width));
      one.instance.resize({ width: width, height: one.height });
      fitViewBox(one.instance, one.element);
    });
  }

  data.year.concat(data.years).forEach(draw);
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(redraw, 150);
  });
  printing.addEventListener("change", function () { if (printing.matches) { toPrint(); } else { redraw(); } });
})();
