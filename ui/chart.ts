// Charts in the view: the shared chart layout (src/charts) serialised to SVG and parsed into the page. Colours
// come from the stylesheet's rules by class (--series-1 … --series-8), so the light/dark themes and host styles
// apply without re-rendering; nothing is fetched.
import { chartScene, type ChartOptions } from '../src/charts/chart.js';
import type { ChartData } from '../src/charts/plan.js';
import { sceneToSvg } from '../src/charts/svg.js';

/** An <svg class="chart" data-kind="…"> for the data; the caller puts it into the DOM. */
export function renderChart(data: ChartData, options: Omit<ChartOptions, 'kind'> & { kind: 'line' | 'area' | 'bar' }): SVGSVGElement {
  const markup = sceneToSvg(chartScene(data, options));
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml').documentElement;
  return document.importNode(parsed, true) as unknown as SVGSVGElement;
}
