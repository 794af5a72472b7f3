// 社区大脑 charts: the data comes from the json_script block "chart-data", the case list's address from
// data-cases-url on the source chart.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("chart-data");
    if (!holder || typeof echarts === "undefined") return;
    var data = JSON.parse(holder.textContent);
    var trendElement = document.getElementById("trend-chart"), sourceElement = document.getElementById("source-chart");
    var trend = echarts.init(trendElement);
    trend.setOption({tooltip: {trigger: "axis"}, legend: {}, xAxis: {type: "category", data: data.trend.months},
      yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      series: data.trend.series.map(function (s) { return {name: s.name, type: "line", data: s.data, connectNulls: true}; })});
    var source = echarts.init(sourceElement);
    source.setOption({tooltip: {trigger: "item"}, series: [
      {name: "来源", type: "pie", radius: ["0%", "35%"], data: data.source, label: {position: "inner", fontSize: 10}},
      {name: "类别", type: "pie", radius: ["45%", "70%"], data: data.category}]});
    // Every slice clicks through to the cases behind it, filtered.
    var casesUrl = sourceElement.getAttribute("data-cases-url");
    source.on("click", function (p) { window.location = casesUrl + "?" + p.data.filter + "&" + data.period; });
    window.addEventListener("resize", function () { trend.resize(); source.resize(); });
    window.chengyunCharts = {trend: trend, source: source};
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
