/* The complaints-by-cause bar chart (Apache ECharts, vendored by the analytics app). The data
   is read from the page's own table (#by-cause): no inline script, so the Content-Security-Policy
   stays strict, and the table remains the accessible version of the chart. */
(function () {
  'use strict';
  function draw() {
    var holder = document.getElementById('cause-chart');
    var table = document.getElementById('by-cause');
    if (!holder || !table || !window.echarts) { return; }
    var labels = [];
    var values = [];
    table.querySelectorAll('tbody tr').forEach(function (row) {
      var cells = row.querySelectorAll('td');
      if (cells.length < 2) { return; }
      labels.push(cells[0].textContent.trim());
      values.push(parseInt(cells[1].textContent, 10) || 0);
    });
    if (!labels.length) { return; }
    holder.style.height = Math.max(160, labels.length * 28 + 40) + 'px';
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: {},
      grid: { left: 10, right: 30, top: 10, bottom: 10, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: labels.reverse(), axisTick: { show: false } },
      series: [{ type: 'bar', data: values.reverse(), itemStyle: { color: '#b8325a' },
                 label: { show: true, position: 'right' }, name: holder.dataset.title }]
    });
    window.addEventListener('resize', function () { chart.resize(); });
  }
  document.addEventListener('DOMContentLoaded', draw);
})();
