// 民生主题: the sparklines of the ranked list and the monthly trend of one theme (ECharts from static/vendor/).
(function () {
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function line(el, months, counts, small) {
    if (!window.echarts || !el) return;
    var chart = echarts.init(el);
    chart.setOption({
      animation: false, grid: small ? {left: 0, right: 0, top: 2, bottom: 2} : {left: 40, right: 16, top: 16, bottom: 30},
      xAxis: {type: "category", data: months, show: !small}, yAxis: {type: "value", show: !small, minInterval: 1},
      tooltip: small ? undefined : {trigger: "axis"},
      series: [{type: "line", data: counts, smooth: true, symbol: small ? "none" : "circle", areaStyle: small ? {} : undefined}]
    });
  }
  function draw() {
    var months = data("theme-months"), sparks = data("theme-sparklines");
    if (sparks) document.querySelectorAll(".sparkline").forEach(function (el) { line(el, months, sparks[el.dataset.theme] || [], true); });
    var trend = data("theme-trend-data");
    if (trend) line(document.getElementById("theme-trend"), trend.months, trend.counts, false);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
