// ECharts (the vendored UMD bundle, the global `echarts`) for the trend and
// the light distribution. SVG renderer: crisp on a 大屏 and in print.
import { LIGHTS, LIGHT_ORDER, monthWords, fixed1 } from './format.js';

/**
 * Resolves once ECharts is loaded. The script is added from here, not by a
 * `defer` tag in the shell: a deferred script runs before any module, so
 * the page's GraphQL request would wait for 660 KB of ECharts to be
 * parsed; this way the request is on its way while ECharts parses (the
 * shell preloads the file, so its download starts at once).
 */
export const echartsReady = new Promise((resolve, reject) => {
  if (window.echarts) return resolve();
  const script = document.createElement('script');
  script.src = new URL('../vendor/echarts/echarts.common.min.js', import.meta.url).pathname;
  script.onload = () => resolve();
  script.onerror = () => reject(new Error('图表组件加载失败，请刷新页面重试。'));
  document.head.append(script);
});
echartsReady.catch(() => {});

const charts = new Set();

/** Resolves after the next frame: ECharts (no animation) draws within
 * setOption; this waits for the browser to paint it. */
export function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}

function chartOn(el, dark) {
  const existing = echarts.getInstanceByDom(el);
  if (existing) existing.dispose();
  // A page that redraws (the dashboard, live) leaves its old charts'
  // elements behind: their instances go with them.
  for (const c of charts) {
    if (c.isDisposed() || !c.getDom().isConnected) {
      if (!c.isDisposed()) c.dispose();
      charts.delete(c);
    }
  }
  const chart = echarts.init(el, dark ? 'dark' : null, { renderer: 'svg' });
  charts.add(chart);
  return chart;
}

/** Resizes every chart (window resize, before printing). */
export function resizeCharts() {
  for (const c of charts) if (!c.isDisposed()) c.resize();
}
window.addEventListener('resize', resizeCharts);
window.addEventListener('beforeprint', resizeCharts);

/**
 * The monthly trend of completion against the 序时 line.
 * `points`: TrendPoint[] from the API ({ date, completionPercent, expectedPercent, light }).
 */
export function trendChart(el, points, { dark = false, big = false } = {}) {
  const chart = chartOn(el, dark);
  const font = big ? 18 : 12;
  chart.setOption({
    backgroundColor: 'transparent',
    animation: false,
    aria: { enabled: true, label: { description: '完成率与序时进度的月度走势图' } },
    grid: { left: big ? 70 : 48, right: 24, top: big ? 56 : 40, bottom: big ? 40 : 30 },
    legend: { top: 0, textStyle: { fontSize: font }, data: ['完成率', '序时进度'] },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (v === null || v === undefined ? '—' : fixed1(v) + '%'),
    },
    xAxis: {
      type: 'category',
      data: points.map((p) => monthWords(p.date)),
      axisLabel: { fontSize: font },
    },
    yAxis: { type: 'value', min: 0, axisLabel: { formatter: '{value}%', fontSize: font } },
    series: [
      {
        name: '完成率',
        type: 'line',
        data: points.map((p) => ({
          value: p.completionPercent,
          itemStyle: { color: LIGHTS[p.light].color },
        })),
        symbolSize: big ? 12 : 8,
        lineStyle: { width: big ? 4 : 3, color: '#b71c1c' },
        itemStyle: { color: '#b71c1c' },
        // A month that repeats the month before says nothing new: its
        // label is left off (flat months printed "43.3%43.3%" on the 大屏),
        // and labels that would still touch are hidden by ECharts.
        label: {
          show: true,
          fontSize: font,
          formatter: (p) => {
            const text = fixed1(p.value) + '%';
            const before = p.dataIndex > 0 ? points[p.dataIndex - 1].completionPercent : null;
            return before !== null && fixed1(before) + '%' === text ? '' : text;
          },
        },
        labelLayout: { hideOverlap: true },
      },
      {
        name: '序时进度',
        type: 'line',
        data: points.map((p) => p.expectedPercent),
        symbol: 'none',
        lineStyle: { type: 'dashed', width: 2, color: dark ? '#c0cad6' : '#6b7280' },
        itemStyle: { color: dark ? '#c0cad6' : '#6b7280' },
      },
    ],
  });
  return chart;
}

/** The light distribution: a ring with each light's word and count. */
export function lightsChart(el, counts, { dark = false, big = false } = {}) {
  const chart = chartOn(el, dark);
  const font = big ? 20 : 13;
  const data = LIGHT_ORDER.map((l) => ({
    name: LIGHTS[l].name,
    word: LIGHTS[l].word,
    value: counts[l.toLowerCase()],
    itemStyle: { color: LIGHTS[l].color },
  }));
  chart.setOption({
    backgroundColor: 'transparent',
    animation: false,
    aria: { enabled: true },
    tooltip: { trigger: 'item', formatter: '{b}：{c} 项（{d}%）' },
    series: [{
      type: 'pie',
      radius: ['40%', '80%'],
      center: ['50%', '52%'],
      minAngle: 12,
      // Inside the ring, word and count: nothing to cut off in a narrow card.
      label: { position: 'inside', formatter: (p) => `${p.data.word} ${p.value}`, fontSize: font, color: '#fff', fontWeight: 'bold' },
      data: data.filter((d) => d.value > 0),
    }],
  });
  return chart;
}
