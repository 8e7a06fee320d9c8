/* The analytics dashboards (Apache ECharts) and the refresh progress bar. Data come from the
   page's json_script elements, labels from data-* attributes: no inline script, so the
   Content-Security-Policy stays strict. Money arrives as exact yuan strings made on the server
   from integer fen ("1234.50"); they are plotted as given and never added up here. */
(function () {
  'use strict';
  var PALETTE = ['#b8325a', '#e8a0b4', '#6b8fb3', '#9bbf85', '#e0b35a'];

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function chart(holder, option) {
    var c = window.echarts.init(holder);
    option.color = option.color || PALETTE;
    option.animation = false;
    c.setOption(option);
    window.addEventListener('resize', function () { c.resize(); });
    holder.setAttribute('data-drawn', '1');
    return c;
  }

  function rfm(holder) {
    var d = data('rfm-data');
    var scores = ['1', '2', '3', '4', '5'];
    chart(holder, {
      tooltip: { formatter: function (p) { var v = p.data; return v[4] + '<br>R' + (v[1] + 1) + ' F' + (v[0] + 1) + ': ' + v[2] + ' · ¥' + v[3].toLocaleString(); } },
      grid: { left: 60, right: 20, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: scores, name: holder.dataset.xLabel, nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'category', data: scores, name: holder.dataset.yLabel, nameLocation: 'middle', nameGap: 40 },
      visualMap: { min: 0, max: Math.max(d.max, 1), dimension: 2, show: false, inRange: { color: ['#fbeff2', '#e8a0b4', '#b8325a'] } },
      series: [{ type: 'heatmap', data: d.cells, label: { show: true, formatter: function (p) { return p.data[4] + '\n' + p.data[2] + ' · ¥' + p.data[3].toLocaleString(); } } }]
    });
  }

  function revenue(holder) {
    var d = data('revenue-data');
    var ds = holder.dataset;
    chart(holder, {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return '¥' + v; } },
      legend: { top: 0 },
      grid: { left: 80, right: 20, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: d.months },
      yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      series: [
        { name: ds.salesLabel, type: 'bar', stack: 'm', data: d.sales },
        { name: ds.refundsLabel, type: 'bar', stack: 'm', data: d.refunds },
        { name: ds.netLabel, type: 'line', data: d.net, symbolSize: 6,
          label: { show: d.months.length <= 13, position: 'top', formatter: function (p) { return '¥' + d.net_labels[p.dataIndex]; } } }
      ]
    });
  }

  function rates(holder) {
    var d = data(holder.dataset.source);
    var ds = holder.dataset;
    chart(holder, {
      tooltip: { trigger: 'axis', valueFormatter: function (v) { return v === null ? '—' : v + ' %'; } },
      legend: { top: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 70 },
      xAxis: { type: 'category', data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 5 ? 30 : 0 } },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value} %' } },
      series: [
        { name: ds.repeatLabel, type: 'bar', data: d.repeat },
        { name: ds.rebookingLabel, type: 'bar', data: d.rebooking }
      ]
    });
  }

  function cohorts(holder) {
    var d = data('cohort-data');
    var ds = holder.dataset;
    var rows = d.cohorts.map(function (m, i) { return m + ' (' + d.sizes[i] + ')'; });
    chart(holder, {
      tooltip: { formatter: function (p) { return rows[p.data[1]] + ' +' + (p.data[0] + 1) + ': ' + p.data[2] + ' % (' + p.data[3] + ' ' + ds.sizeLabel + ')'; } },
      grid: { left: 110, right: 20, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: d.offsets, name: ds.xLabel, nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'category', data: rows, name: ds.yLabel, inverse: true },
      visualMap: { min: 0, max: 100, dimension: 2, show: false, inRange: { color: ['#fbeff2', '#e8a0b4', '#b8325a'] } },
      series: [{ type: 'heatmap', data: d.cells, label: { show: true, formatter: function (p) { return p.data[2] + '%'; } } }]
    });
  }

  function value(holder) {
    var d = data('value-data');
    var ds = holder.dataset;
    chart(holder, {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 70 },
      xAxis: { type: 'category', data: d.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: 'value', name: ds.yLabel },
      series: [
        { name: ds.modelLabel, type: 'bar', data: d.model },
        { name: ds.ruleLabel, type: 'bar', data: d.rule }
      ]
    });
  }

  function referrals(holder) {
    var d = data('referral-data');
    var nodes = d.nodes.map(function (n) {
      return { id: n.id, name: n.name, category: n.category, value: n.value,
        symbolSize: n.category === 0 ? Math.min(12 + 4 * n.referred, 48) : 8 };
    });
    chart(holder, {
      tooltip: { formatter: function (p) { return p.dataType === 'node' ? p.data.name + ' · ' + holder.dataset.worthLabel + p.data.value.toLocaleString() : ''; } },
      legend: [{ data: d.categories, top: 0 }],
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true,
        categories: d.categories.map(function (name) { return { name: name }; }),
        data: nodes, links: d.links,
        label: { show: true, position: 'right', formatter: function (p) { return p.data.category === 0 ? p.data.name : ''; } },
        force: { repulsion: 80, edgeLength: 40 },
        lineStyle: { color: 'source', opacity: 0.6 }
      }]
    });
  }

  var DRAW = { revenue: revenue, rates: rates, cohorts: cohorts, value: value, referrals: referrals };

  function draw() {
    if (window.echarts) {
      var rfmHolder = document.getElementById('rfm-chart');
      if (rfmHolder && document.getElementById('rfm-data')) { rfm(rfmHolder); }
      document.querySelectorAll('[data-chart]').forEach(function (holder) {
        var f = DRAW[holder.dataset.chart];
        if (f) { f(holder); }
      });
    }
    poll();
  }

  /* The refresh: the page polls the job's row and moves the bar; when the job is done the
     page reloads to show the new figures. */
  function poll() {
    var bar = document.getElementById('refresh');
    if (!bar || bar.dataset.active !== '1') { return; }
    var meter = document.getElementById('refresh-meter');
    var percent = document.getElementById('refresh-percent');
    function tick() {
      fetch(bar.dataset.statusUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          meter.value = job.percent;
          meter.textContent = job.percent + ' %';
          percent.textContent = job.percent;
          if (job.status === 'queued' || job.status === 'running') {
            window.setTimeout(tick, 1000);
          } else {
            window.location.reload();
          }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }

  document.addEventListener('DOMContentLoaded', draw);
})();
