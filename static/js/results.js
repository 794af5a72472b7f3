// Questionnaire results: one ECharts chart per select question, from the page's #result-charts JSON.
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("result-charts");
    if (!holder || typeof echarts === "undefined") return;
    JSON.parse(holder.textContent).forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) return;
      var chart = echarts.init(el);
      var option = c.kind === "pie"
        ? { tooltip: { trigger: "item" }, series: [{ type: "pie", radius: "60%",
            data: c.labels.map(function (l, i) { return { name: l, value: c.values[i] }; }) }] }
        : { tooltip: {}, grid: { left: 100, right: 20, top: 10, bottom: 20 }, xAxis: { type: "value" },
            yAxis: { type: "category", data: c.labels, inverse: true }, series: [{ type: "bar", data: c.values }] };
      chart.setOption(option);
      el.setAttribute("data-rendered", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
