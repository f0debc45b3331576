// The web UI of `dls serve`: hash routes over the REST API.
//   #/                       pipelines
//   #/pipeline/P             its graph (click a node for its metrics), updates, start/cancel
//   #/update/P/ID            an update: each dataset's rows, dropped and quarantined counts
//   #/quality/P              data-quality history per rule (charts)
//   #/entities, #/entity/ID  entities; versions (SCD2) with field diffs, enable/disable
//   #/tables, #/table/NAME   tables: schema, history, sample rows
import { Chart, registerables } from "chart.js";

import { api, ApiError, setToken, streamUpdate, token } from "./api";
import type { GraphNode, Json } from "./api";
import { badge, h, table, text } from "./dom";
import { drawGraph } from "./graph";

Chart.register(...registerables);

const app = document.getElementById("app") as HTMLElement;
let cleanup: (() => void)[] = [];

function show(...children: (Node | string)[]): void {
  app.replaceChildren(...children);
}

function failure(e: unknown): HTMLElement {
  const message = e instanceof Error ? e.message : String(e);
  return h("p", { class: "error", role: "alert" }, message);
}

function seconds(ms: Json | undefined): string {
  return typeof ms === "number" ? `${(ms / 1000).toFixed(1)} s` : "";
}

// "orders: 3 batches, 1200 rows read from 4 files, 2.5 s, ETA 10.0 s" (a batch committed) or
// "orders: 42% of the current query, 8.1 s, ETA 11.0 s".
function progressLine(e: Record<string, Json>): string {
  const parts: string[] = [];
  const m = e["metrics"];
  if (m && typeof m === "object" && !Array.isArray(m)) {
    parts.push(`${text(m["num_batches"])} batches, ${text(m["num_input_rows"])} rows read from ${text(m["num_input_files"])} files`);
  }
  if (typeof e["query_percent"] === "number") parts.push(`${Math.floor(e["query_percent"])}% of the current query`);
  parts.push(seconds(e["elapsed_ms"]));
  if (typeof e["eta_ms"] === "number") parts.push(`ETA ${seconds(e["eta_ms"])}`);
  return `${text(e["dataset"])}: ${parts.join(", ")}`;
}

function loginView(message?: string): void {
  const input = h("input", { id: "token", type: "password", size: 70, placeholder: "token" }) as HTMLInputElement;
  show(
    h(
      "form",
      {
        id: "login",
        onsubmit: ((ev: Event) => {
          ev.preventDefault();
          setToken(input.value.trim());
          void route();
        }) as EventListener,
      },
      h("h1", {}, "dls serve"),
      h("p", {}, "Paste the API token (printed by the first 'dls serve'; in <warehouse>/.dls-serve-token)."),
      input,
      " ",
      h("button", { type: "submit" }, "Sign in"),
      message ? h("p", { class: "error" }, message) : null,
    ),
  );
}

async function pipelinesView(): Promise<void> {
  const { pipelines } = await api.pipelines();
  show(
    h("h1", {}, "Pipelines"),
    table(
      ["pipeline", "group", "datasets", "running update", ""],
      pipelines.map((p) => [
        h("a", { href: `#/pipeline/${p.name}` }, p.name),
        p.group ?? "",
        p.datasets,
        p.running_update ?? "",
        p.has_event_log ? h("a", { href: `#/quality/${p.name}` }, "quality") : "",
      ]),
    ),
  );
}

function metricsPanel(node: GraphNode): HTMLElement {
  const m = node.metrics;
  return h(
    "div",
    { class: "panel", id: "node-panel" },
    h("h2", {}, node.destination),
    h("p", {}, badge(node.status), node.kind, node.is_quarantined ? " · quarantine" : "", node.cdc ? ` · CDC SCD${node.scd_type ?? 1}` : ""),
    table(
      ["metric", "value"],
      Object.keys(m).map((k) => [k, text(m[k])]),
      new Set(["value"]),
    ),
    h("p", {}, "entity ", h("a", { href: `#/entity/${node.entity_id}` }, node.entity_id), " · table ", h("a", { href: `#/table/${node.name}` }, node.name)),
    node.last_update_id ? h("p", {}, "last update ", h("a", { href: `#/update/${location.hash.split("/")[2]}/${node.last_update_id}` }, node.last_update_id.slice(0, 8))) : null,
  );
}

async function pipelineView(p: string): Promise<void> {
  const [graph, updates] = await Promise.all([
    api.graph(p),
    api.updates(p).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? { updates: [] } : Promise.reject(e))),
  ]);
  const side = h("div", { class: "panel", id: "node-panel" }, "Click a dataset for its metrics.");
  const layout = h("div", { class: "layout" });
  const graphBox = h("div", { id: "graph" });
  const progress = h("div", { class: "progress", id: "progress" });
  const render = (g: typeof graph): void => {
    graphBox.replaceChildren(
      drawGraph(g, (node) => {
        const panel = metricsPanel(node);
        side.replaceWith(panel);
        layout.replaceChild(panel, layout.lastChild as Node);
      }),
    );
  };
  render(graph);
  layout.append(graphBox, side);
  const cancel = h("button", { id: "cancel-update", type: "button", disabled: !graph.running_update }, "Cancel update") as HTMLButtonElement;
  const start = h("button", { id: "start-update", type: "button", disabled: !!graph.running_update }, "Start update") as HTMLButtonElement;
  let running = graph.running_update;
  const controller = new AbortController();
  cleanup.push(() => controller.abort());
  const watch = (id: string): void => {
    running = id;
    start.disabled = true;
    cancel.disabled = false;
    progress.append(h("div", {}, `update ${id.slice(0, 8)} running`));
    void streamUpdate(
      p,
      id,
      (e: Record<string, Json>) => {
        const line =
          e["type"] === "dataset"
            ? `${text(e["dataset"])}: ${text(e["status"])}${e["metrics"] ? ` ${text(e["metrics"])}` : ""}`
            : e["type"] === "progress"
              ? progressLine(e)
              : `${text(e["type"])}: ${text(e["status"] ?? e["datasets"])}`;
        progress.append(h("div", { class: "event", "data-type": text(e["type"]) }, line));
        progress.scrollTop = progress.scrollHeight;
        // Progress events change no dataset's status: the graph is fetched again only on the others.
        if (e["type"] !== "progress") void api.graph(p).then(render).catch(() => undefined);
        if (e["type"] === "update") {
          running = null;
          start.disabled = false;
          cancel.disabled = true;
          progress.append(h("div", { id: "update-finished", "data-status": text(e["status"]) }, `update ${text(e["status"])}`));
        }
      },
      controller.signal,
    ).catch(() => undefined);
  };
  start.addEventListener("click", () => {
    api.startUpdate(p).then((r) => watch(r.update_id), (e: unknown) => progress.append(failure(e)));
  });
  cancel.addEventListener("click", () => {
    if (running) api.cancelUpdate(p, running).catch((e: unknown) => progress.append(failure(e)));
  });
  show(
    h("h1", {}, `Pipeline ${p}`, " ", h("small", {}, `target ${graph.target}`)),
    h("p", {}, start, " ", cancel, " ", h("a", { href: `#/quality/${p}` }, "data quality")),
    layout,
    h("h2", {}, "Progress"),
    progress,
    h("h2", {}, "Updates"),
    table(
      ["update", "started", "status", "completed", "failed", "skipped", "rows", "failed rows", "ms"],
      updates.updates
        .slice()
        .reverse()
        .map((u) => [
          h("a", { href: `#/update/${p}/${u.update_id}` }, u.update_id.slice(0, 8)),
          u.started,
          badge(u.status),
          u.completed,
          u.failed,
          u.skipped,
          u.rows_written,
          u.failed_records,
          u.duration_ms,
        ]),
      new Set(["completed", "failed", "skipped", "rows", "failed rows", "ms"]),
    ),
  );
  if (graph.running_update) watch(graph.running_update);
}

async function updateView(p: string, id: string): Promise<void> {
  const u = await api.update(p, id);
  const num = (v: Json | undefined): string => (typeof v === "number" ? String(v) : "");
  show(
    h("h1", {}, `Update ${id.slice(0, 8)} of `, h("a", { href: `#/pipeline/${p}` }, p), " ", badge(u.status)),
    h("p", {}, `started ${u.started ?? ""}`),
    table(
      ["dataset", "status", "rows read", "rows written", "dropped", "quarantined", "rules failed", "error"],
      u.datasets.map((d) => [
        d.dataset ?? "",
        badge(d.status),
        num(d.metrics["num_input_rows"]),
        num(d.metrics["num_output_rows"]),
        num(d.metrics["dropped_records"]),
        num(d.metrics["num_quarantined_rows"]),
        d.expectations.filter((x) => x.failed_records > 0).map((x) => `${x.name}: ${x.failed_records}`).join(", "),
        d.error ?? "",
      ]),
      new Set(["rows read", "rows written", "dropped", "quarantined"]),
    ),
  );
}

async function qualityView(p: string): Promise<void> {
  const { rules } = await api.quality(p);
  const byRule = new Map<string, typeof rules>();
  for (const r of rules) {
    const key = `${r.dataset ?? ""} · ${r.rule ?? ""}`;
    byRule.set(key, [...(byRule.get(key) ?? []), r]);
  }
  const grid = h("div", { class: "charts" });
  show(h("h1", {}, "Data quality of ", h("a", { href: `#/pipeline/${p}` }, p)), rules.length ? grid : h("p", {}, "No expectation has run yet."));
  for (const [key, points] of byRule) {
    const canvas = h("canvas", { width: 400, height: 220 }) as HTMLCanvasElement;
    grid.append(h("div", { class: "chart", "data-rule": key }, h("h3", {}, key), canvas));
    const chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: points.map((r) => `${r.started.slice(5, 19)} ${r.update_id.slice(0, 6)}`),
        datasets: [
          { label: "passed", data: points.map((r) => r.passed ?? 0), backgroundColor: "#5cb87a" },
          { label: "failed", data: points.map((r) => r.failed ?? 0), backgroundColor: "#e05a5a" },
        ],
      },
      options: { animation: false, responsive: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    });
    cleanup.push(() => chart.destroy());
  }
}

async function entitiesView(): Promise<void> {
  const where = new URLSearchParams(location.hash.split("?")[1] ?? "").get("where") ?? "";
  const input = h("input", { id: "where", size: 60, value: where, placeholder: "by_group('main.sales') & ~by_has_tag('pii')" }) as HTMLInputElement;
  const list = await api.entities(where || undefined);
  show(
    h("h1", {}, "Entities"),
    h(
      "form",
      { onsubmit: ((ev: Event) => { ev.preventDefault(); location.hash = `#/entities?where=${encodeURIComponent(input.value)}`; }) as EventListener },
      input,
      " ",
      h("button", { type: "submit" }, "Filter"),
    ),
    table(
      ["entity", "group", "source", "destination", "enabled"],
      list.entities.map((e) => [h("a", { href: `#/entity/${e.entity_id}` }, e.entity_id), text(e["group"]), text(e["source"]), text(e["destination"]), text(e["is_enabled"])]),
    ),
  );
}

async function entityView(id: string): Promise<void> {
  const { versions } = await api.entityVersions(id);
  const latest = versions[0]?.entity;
  const enabled = latest?.["is_enabled"] === true;
  const cascade = h("div", { id: "cascade" });
  const toggle = h("button", { id: enabled ? "disable" : "enable", type: "button" }, enabled ? "Disable…" : "Enable…");
  toggle.addEventListener("click", () => {
    api.setEnabled(id, !enabled, true).then((preview) => {
      const confirm = h("button", { id: "confirm", type: "button" }, `Confirm: ${preview.action} ${preview.affected.length} entities`);
      confirm.addEventListener("click", () => {
        api.setEnabled(id, !enabled, false).then(() => route(), (e: unknown) => cascade.append(failure(e)));
      });
      cascade.replaceChildren(
        h("p", {}, `${preview.action === "disable" ? "Disabling" : "Enabling"} ${id} also ${preview.action}s (cascade):`),
        h("ul", { id: "affected" }, preview.affected.map((a) => h("li", {}, a))),
        confirm,
      );
    }, (e: unknown) => cascade.append(failure(e)));
  });
  show(
    h("h1", {}, `Entity ${id} `, badge(enabled ? "ENABLED" : "DISABLED")),
    h("p", {}, toggle),
    cascade,
    h("h2", {}, "Versions (SCD type 2, newest first)"),
    ...versions.map((v) =>
      h(
        "section",
        { class: "version" },
        h("h3", {}, `version ${v.version}`, " ", h("small", {}, `${text(v.entity["created_ts"])} by ${text(v.entity["created_by"])}${v.entity["is_latest"] ? " (latest)" : ""}`)),
        v.changes.length
          ? table(["field", "from", "to"], v.changes.map((c) => [c.field, h("span", { class: "diff-from" }, text(c.from)), h("span", { class: "diff-to" }, text(c.to))]))
          : h("p", {}, v.version === 1 ? "first version" : "no change to the metadata"),
      ),
    ),
    h("h2", {}, "Latest"),
    h("pre", {}, JSON.stringify(latest, null, 2)),
  );
}

async function tablesView(): Promise<void> {
  const { tables } = await api.tables();
  show(h("h1", {}, "Tables"), h("ul", {}, tables.map((t) => h("li", {}, h("a", { href: `#/table/${t}` }, t)))));
}

async function tableView(name: string): Promise<void> {
  const [d, history, rows] = await Promise.all([api.table(name), api.tableHistory(name), api.tableRows(name)]);
  show(
    h("h1", {}, `Table ${d.name}`),
    h("p", {}, `version ${d.version} · ${d.num_files} files · ${d.size_bytes} bytes · ${d.num_records ?? "?"} records`),
    h("h2", {}, "Schema"),
    table(["column", "type", "nullable"], d.schema.map((f) => [f.name + (d.partition_columns.includes(f.name) ? " (partition)" : ""), f.type, f.nullable ? "yes" : "no"])),
    h("h2", {}, "History"),
    table(["version", "timestamp", "operation", "metrics"], history.history.map((e) => [e.version, e.timestamp, e.operation ?? "", text(e.operation_metrics)])),
    h("h2", {}, "Sample rows"),
    h("div", { id: "rows" }, table(rows.columns, rows.rows.map((r) => r.map((c) => text(c))))),
  );
}

async function route(): Promise<void> {
  for (const f of cleanup) f();
  cleanup = [];
  if (!token()) {
    loginView();
    return;
  }
  const [path] = location.hash.replace(/^#/, "").split("?");
  const parts = (path ?? "").split("/").filter(Boolean).map(decodeURIComponent);
  try {
    switch (parts[0]) {
      case "pipeline":
        await pipelineView(parts[1] ?? "");
        break;
      case "update":
        await updateView(parts[1] ?? "", parts[2] ?? "");
        break;
      case "quality":
        await qualityView(parts[1] ?? "");
        break;
      case "entities":
        await entitiesView();
        break;
      case "entity":
        await entityView(parts[1] ?? "");
        break;
      case "tables":
        await tablesView();
        break;
      case "table":
        await tableView(parts[1] ?? "");
        break;
      default:
        await pipelinesView();
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setToken(null);
      loginView("That token was refused.");
      return;
    }
    show(failure(e));
  }
}

document.getElementById("logout")?.addEventListener("click", () => {
  setToken(null);
  void route();
});
window.addEventListener("hashchange", () => void route());
void route();
