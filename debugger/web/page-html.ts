// The page shell and its stylesheet. Fixed text: nothing from a model is ever put in here;
// the page's script fills everything in through DOM text nodes.

import { PAGE_MODULES } from './assets.js';

// Every module is preloaded at once, rather than discovered import by import.
const PRELOADS = PAGE_MODULES.map((m) => `<link rel="modulepreload" href="/page/${m}.js">`).join('\n');

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>solder debug</title>
<link rel="stylesheet" href="/style.css">
${PRELOADS}
</head>
<body>
<header>
  <span class="brand">solder debug</span>
  <input id="search" type="search" placeholder="Search node name or op type" autocomplete="off" spellcheck="false">
  <button id="jump" type="button" hidden>Jump to first divergence</button>
  <label id="numerics-label" hidden><input id="numerics-toggle" type="checkbox" checked> numerics overlay</label>
  <span id="legend"></span>
  <span id="status">loading…</span>
</header>
<main>
  <div id="panes"></div>
  <aside id="sidebar">
    <section id="results" hidden></section>
    <section id="details"><p class="hint">Click a node to see its details. Click a module box to open it.</p></section>
    <section id="explain" hidden></section>
  </aside>
</main>
<script type="module" src="/page/main.js"></script>
</body>
</html>
`;

export const PAGE_CSS = `
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 13px/1.4 system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
body { display: flex; flex-direction: column; }
header { display: flex; gap: 12px; align-items: center; padding: 6px 12px; background: #232a36; color: #eef1f6; }
header .brand { font-weight: 600; letter-spacing: .02em; }
#search { width: 320px; padding: 4px 8px; border-radius: 4px; border: 1px solid #556; font: inherit; }
header button { font: inherit; padding: 3px 10px; border-radius: 4px; border: 1px solid #c33; background: #fbe9e9; color: #811; cursor: pointer; }
#status { margin-left: auto; opacity: .8; }
#legend { display: flex; gap: 10px; font-size: 12px; }
#legend .swatch { display: inline-block; width: 10px; height: 10px; border: 1px solid #999; margin-right: 4px; vertical-align: -1px; }
main { flex: 1; display: flex; min-height: 0; }
#panes { flex: 1; display: flex; min-width: 0; }
.pane { flex: 1; display: flex; flex-direction: column; min-width: 0; border-right: 1px solid #d6d9e0; }
.pane-title { padding: 4px 10px; background: #e8ebf0; font-weight: 600; display: flex; gap: 8px; }
.pane-title .count { font-weight: 400; opacity: .7; }
.pane-title .fit { margin-left: auto; font: inherit; font-size: 12px; padding: 0 8px; border: 1px solid #aab; border-radius: 3px; background: #fff; cursor: pointer; }
.pane svg { flex: 1; width: 100%; height: 100%; cursor: grab; background: #fbfbfc; user-select: none; }
.pane svg.dragging { cursor: grabbing; }
#sidebar { width: 380px; overflow: auto; background: #fff; border-left: 1px solid #d6d9e0; padding: 0 12px 12px; }
#sidebar h2 { font-size: 14px; margin: 12px 0 6px; }
#sidebar h3 { font-size: 12px; margin: 10px 0 4px; text-transform: uppercase; letter-spacing: .05em; color: #667; }
#sidebar table { border-collapse: collapse; width: 100%; }
#sidebar td { padding: 2px 4px; vertical-align: top; border-bottom: 1px solid #eef0f3; overflow-wrap: anywhere; }
.port { padding: 3px 0; border-bottom: 1px solid #eef0f3; overflow-wrap: anywhere; }
.port .type { color: #475; margin-left: 8px; }
.port-links { padding-left: 12px; font-size: 12px; }
.port-links > * { margin-right: 8px; }
#sidebar td.key { color: #667; white-space: nowrap; word-break: normal; }
#sidebar .mono, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
#sidebar ul { list-style: none; padding: 0; margin: 0; }
#results li { padding: 3px 6px; cursor: pointer; border-radius: 3px; display: flex; gap: 8px; }
#results li:hover { background: #eef3ff; }
#results li .op { color: #557; min-width: 80px; }
#results li .side { color: #999; font-size: 11px; }
.hint { color: #778; }
.link { color: #1a5cff; cursor: pointer; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.link:hover { text-decoration: underline; }
#sidebar details { margin-top: 10px; }
#sidebar summary { cursor: pointer; color: #667; }
.explain-item { border-left: 3px solid #bbb; padding: 2px 8px; margin: 4px 0; }
.explain-item.matched { border-color: #2a9d4b; }
.explain-item.failed { border-color: #d9822b; }
g.node rect { fill: #ffffff; stroke: #7b8496; stroke-width: 1; }
g.node text, g.group text { font-size: 11px; fill: #1d2330; pointer-events: none; }
g.node text.op { font-weight: 600; }
g.node text.name, g.group text.sub { fill: #667085; font-size: 10px; }
g.node { cursor: pointer; }
g.node.added rect { fill: #d9f5df; stroke: #2a9d4b; }
g.node.removed rect { fill: #fbe1e1; stroke: #c0392b; }
g.node.fused rect { fill: #efe4fb; stroke: #7d3cc8; stroke-width: 2; }
g.node.num-ok rect { fill: #e3f4e6; }
g.node.num-warn rect { fill: #fdf0d2; }
g.node.num-bad rect { fill: #f9c9c4; }
g.node.num-first rect { stroke: #b00020; stroke-width: 3; }
g.node.related rect { stroke: #e08a00; stroke-width: 3; }
g.node.selected rect { stroke: #1a5cff; stroke-width: 3; }
g.node.hit rect { stroke-dasharray: 4 2; stroke: #1a5cff; }
g.group > rect.box { fill: #eef1f7; stroke: #9aa3b5; }
g.group.collapsed { cursor: pointer; }
g.group.collapsed > rect.box { fill: #dde4f2; }
g.group.changed > rect.box { stroke: #7d3cc8; stroke-width: 2; }
g.group.num-bad > rect.box { fill: #f9d7d3; }
g.group.expanded > rect.header { fill: #d3dbea; cursor: pointer; }
g.group text.title { font-weight: 600; }
path.edge { fill: none; stroke: #98a2b3; stroke-width: 1.2; marker-end: url(#arrow); }
path.edge.stub { stroke: #b07cd6; stroke-dasharray: 3 2; stroke-width: 1.5; }
`;
