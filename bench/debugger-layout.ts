// How fast the debugger page opens, measured in Chromium from the page's own performance
// marks: first paint (provisional layout drawn), ELK layout time (graphs fetched -> ELK
// done, worker start-up included), and first render of ELK's layout; all medians.
//   npx tsx bench/debugger-layout.ts [--runs N]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from '../api/load.js';
import type { Graph } from '../ir/graph.js';
import { startDebugServer } from '../debugger/web/server.js';
import { syntheticGraph } from '../test/debugger-graphs.js';
import { CHROMIUM, bertModel, buildDebuggerPage, hasChromium, launchChromium, repoRoot } from '../test/debugger-page.js';

interface Marks { data: number; firstPaint: number; layout: number; render: number }

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 3;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  if (!hasChromium) {
    console.log(`skipped: ${CHROMIUM} is missing`);
    return;
  }
  buildDebuggerPage();
  const models: [string, () => Graph][] = [['bert', () => load(bertModel())]];
  const llama = resolve(repoRoot, '../shared/models/llama_deep.eager.onnx');
  if (existsSync(llama)) models.push(['llama_deep', () => load(llama)]);
  else console.log('llama_deep: skipped (../shared/models is missing)');
  models.push(['synthetic 20k', () => syntheticGraph(40, 5, 100)]);

  const browser = await launchChromium();
  console.log(`times in ms, median of ${RUNS} fresh page loads; first paint and ELK render count from navigation start`);
  console.log('model            nodes  first paint  ELK layout  ELK render');
  try {
    for (const [name, make] of models) {
      const graph = make();
      const server = await startDebugServer({ graph });
      const marks: Marks[] = [];
      for (let r = 0; r < RUNS; r++) {
        // A fresh context each run: no cached worker script, no warm JIT.
        const context = await browser.newContext({ viewport: { width: 1500, height: 900 } });
        const page = await context.newPage();
        await page.goto(server.url);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
        // A string, not a function: tsx's helpers (__name) do not exist in the page.
        marks.push(await page.evaluate<Marks>(`(() => {
          const at = (n) => performance.getEntriesByName(n, 'mark')[0]?.startTime ?? NaN;
          return { data: at('solder:data'), firstPaint: at('solder:first-paint'), layout: at('solder:layout'), render: at('solder:render') };
        })()`));
        await context.close();
      }
      await server.close();
      const cols = [
        median(marks.map((m) => m.firstPaint)), median(marks.map((m) => m.layout - m.data)), median(marks.map((m) => m.render)),
      ].map((v, i) => v.toFixed(0).padStart([12, 11, 11][i] ?? 0));
      console.log(`${name.padEnd(15)} ${String(graph.nodes.length).padStart(6)} ${cols.join(' ')}`);
    }
  } finally {
    await browser.close();
  }
}

await main();
