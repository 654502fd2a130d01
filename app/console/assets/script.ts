// The console's only script: draws the dashboard's charts with Chart.js (served from node_modules by our
// own route) from the JSON the page embeds. Pages without charts need no script at all.
export const CONSOLE_JS = `
(function () {
  var COLORS = ['#1664ff', '#f79009', '#12b76a', '#b42318', '#7a5af8', '#0ba5ec', '#ee46bc', '#667085', '#84caff', '#fdb022', '#039855', '#c4320a'];
  // Outcomes keep one colour everywhere: sent green, failed red, uncertain amber.
  var FIXED = { sent: '#12b76a', failed: '#b42318', uncertain: '#f79009', pending: '#1664ff', held: '#7a5af8', claimed: '#0ba5ec', sending: '#84caff' };
  function colour(key, i) { return FIXED[key] || COLORS[i % COLORS.length]; }
  function draw() {
    var el = document.getElementById('dash-data');
    if (!el || !window.Chart) return;
    var d = JSON.parse(el.textContent);
    var names = d.names || {};
    var name = function (k) { return names[k] || k; };
    function hourly(id, s, stacked) {
      var c = document.getElementById(id);
      if (!c) return;
      new Chart(c, {
        type: 'bar',
        data: { labels: s.hours.map(function (h) { return h.slice(5); }), datasets: s.series.map(function (x, i) { return { label: name(x.key), data: x.values, backgroundColor: colour(x.key, i) }; }) },
        options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: stacked, ticks: { maxTicksLimit: 12 } }, y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { position: 'bottom' } } }
      });
      c.setAttribute('data-drawn', String(s.series.length));
    }
    function bars(id, rows) {
      var c = document.getElementById(id);
      if (!c) return;
      new Chart(c, {
        type: 'bar',
        data: { labels: rows.map(function (r) { return name(r.k); }), datasets: [{ label: c.getAttribute('aria-label'), data: rows.map(function (r) { return r.v; }), backgroundColor: rows.map(function (r, i) { return colour(r.k, i); }) }] },
        options: { animation: false, maintainAspectRatio: false, indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } }
      });
      c.setAttribute('data-drawn', String(rows.length));
    }
    hourly('chart-interceptions', d.interceptions, true);
    hourly('chart-notices', d.notices, true);
    hourly('chart-otp', d.otp, true);
    bars('chart-reasons', d.reasons.map(function (r) { return { k: r.reason, v: r.count }; }));
    bars('chart-outbox', d.outbox.map(function (r) { return { k: r.state, v: r.count }; }));
    document.body.setAttribute('data-charts', 'drawn');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw); else draw();
})();
`;
