// Small progressive enhancements; every page works without this file.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});
document.querySelectorAll("[data-chart]").forEach(function (el) {
  var source = document.getElementById(el.dataset.chart);
  if (!source || typeof echarts === "undefined") { return; }
  var chart = echarts.init(el);
  chart.setOption(JSON.parse(source.textContent));
  window.addEventListener("resize", function () { chart.resize(); });
});
