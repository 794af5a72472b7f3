// 社区大脑 charts: the data comes from the json_script block "chart-data", the drill-down address from
// data-cases-url on the source chart. In wall mode (body.wall, navy) every text of the charts is light.
(function () {
  "use strict";
  var WALL_TEXT = "#e0e6ed", WALL_LINE = "#3a5878";
  function draw() {
    var holder = document.getElementById("chart-data");
    if (!holder || typeof echarts === "undefined") return;
    var data = JSON.parse(holder.textContent);
    var wall = document.body.classList.contains("wall");
    var text = wall ? {color: WALL_TEXT} : {};
    var axis = wall ? {axisLabel: {color: WALL_TEXT}, axisLine: {lineStyle: {color: WALL_LINE}},
                       splitLine: {lineStyle: {color: WALL_LINE}}} : {};
    var trendElement = document.getElementById("trend-chart"), sourceElement = document.getElementById("source-chart");
    var trend = echarts.init(trendElement);
    trend.setOption({textStyle: text, tooltip: {trigger: "axis"}, legend: {textStyle: text},
      xAxis: Object.assign({type: "category", data: data.trend.months}, axis),
      yAxis: Object.assign({type: "value", max: 100}, axis,
        {axisLabel: Object.assign({formatter: "{value}%"}, wall ? {color: WALL_TEXT} : {})}),
      series: data.trend.series.map(function (s) { return {name: s.name, type: "line", data: s.data, connectNulls: true}; })});
    var source = echarts.init(sourceElement);
    source.setOption({textStyle: text, tooltip: {trigger: "item"}, series: [
      {name: "来源", type: "pie", radius: ["0%", "35%"], data: data.source,
        label: {position: "inner", fontSize: 10, color: wall ? WALL_TEXT : undefined}},
      {name: "类别", type: "pie", radius: ["45%", "70%"], data: data.category, label: {color: wall ? WALL_TEXT : undefined}}]});
    // Every slice clicks through to the cases behind it: the same period, the same count.
    var casesUrl = sourceElement.getAttribute("data-cases-url");
    source.on("click", function (p) { window.location = casesUrl + "?" + data.period + "&measure=cases&" + p.data.filter; });
    window.addEventListener("resize", function () { trend.resize(); source.resize(); });
    window.chengyunCharts = {trend: trend, source: source};
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
