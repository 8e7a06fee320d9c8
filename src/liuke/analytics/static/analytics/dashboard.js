/* The RFM grid (Apache ECharts). Data from the page's json_script, labels from data-*
   attributes: no inline script, so the Content-Security-Policy stays strict. */
(function () {
  'use strict';
  function draw() {
    var holder = document.getElementById('rfm-chart');
    var source = document.getElementById('rfm-data');
    if (!holder || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    var scores = ['1', '2', '3', '4', '5'];
    chart.setOption({
      tooltip: { formatter: function (p) { var v = p.data; return v[4] + '<br>R' + (v[1] + 1) + ' F' + (v[0] + 1) + ': ' + v[2] + ' · ¥' + v[3].toLocaleString(); } },
      grid: { left: 60, right: 20, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: scores, name: holder.dataset.xLabel, nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'category', data: scores, name: holder.dataset.yLabel, nameLocation: 'middle', nameGap: 40 },
      visualMap: { min: 0, max: Math.max(data.max, 1), dimension: 2, show: false, inRange: { color: ['#fbeff2', '#e8a0b4', '#b8325a'] } },
      series: [{ type: 'heatmap', data: data.cells, label: { show: true, formatter: function (p) { return p.data[4] + '\n' + p.data[2] + ' · ¥' + p.data[3].toLocaleString(); } } }]
    });
    window.addEventListener('resize', function () { chart.resize(); });
  }
  document.addEventListener('DOMContentLoaded', draw);
})();
