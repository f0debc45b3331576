// The pipeline graph: layout by dagre (@dagrejs/dagre), drawn as SVG; nodes coloured by their
// last status, quarantine (dashed outline, "Q" badge) and CDC ("CDC SCD n" badge) shown.
import dagre from "@dagrejs/dagre";

import type { Graph, GraphNode } from "./api";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS: Record<string, string> = {
  COMPLETED: "#c9f0d3",
  UP_TO_DATE: "#dff5e4",
  FULL_REFRESH: "#b6e8c3",
  RUNNING: "#cfe1ff",
  FAILED: "#ffd0d0",
  SKIPPED: "#ffe9b8",
  CANCELED: "#ffe9b8",
  NOT_RUN: "#eef0f4",
};

function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function drawGraph(graph: Graph, onSelect: (node: GraphNode) => void): SVGSVGElement {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(n.name, { width: 210, height: 64 });
  for (const e of graph.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const { width = 400, height = 200 } = g.graph();
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}` }) as SVGSVGElement;
  const defs = svg("defs", {});
  const marker = svg("marker", {
    id: "arrow",
    viewBox: "0 0 10 10",
    refX: 10,
    refY: 5,
    markerWidth: 8,
    markerHeight: 8,
    orient: "auto",
  });
  marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#7a8599" }));
  defs.append(marker);
  root.append(defs);
  for (const e of g.edges()) {
    const points = g.edge(e).points ?? [];
    const d = points.map((p, i) => `${i ? "L" : "M"}${p.x},${p.y}`).join(" ");
    root.append(svg("path", { class: "edge", d }));
  }
  for (const node of graph.nodes) {
    const pos = g.node(node.name);
    const group = svg("g", {
      class: `node${node.is_quarantined ? " quarantine" : ""}`,
      transform: `translate(${pos.x - pos.width / 2},${pos.y - pos.height / 2})`,
      "data-name": node.name,
      "data-status": node.status,
    });
    group.append(
      svg("rect", { width: pos.width, height: pos.height, fill: COLOURS[node.status] ?? "#eef0f4" }),
    );
    const title = svg("text", { x: 10, y: 20, "font-weight": 600 });
    title.textContent = node.destination;
    const sub = svg("text", { x: 10, y: 38 });
    sub.textContent = `${node.kind} · ${node.status}`;
    const tags = svg("text", { x: 10, y: 55 });
    const parts: string[] = [];
    if (node.is_quarantined) parts.push("Q quarantine");
    if (node.cdc) parts.push(`CDC SCD${node.scd_type ?? 1}`);
    const rows = node.metrics["num_output_rows"];
    if (typeof rows === "number") parts.push(`${rows} rows`);
    tags.textContent = parts.join(" · ");
    group.append(title, sub, tags);
    group.addEventListener("click", () => {
      root.querySelectorAll("g.node.selected").forEach((el) => el.classList.remove("selected"));
      group.classList.add("selected");
      onSelect(node);
    });
    root.append(group);
  }
  return root;
}
