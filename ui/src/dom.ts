// Small DOM helpers: elements from a tag, attributes and children; text is always escaped.

export type Child = Node | string | number | null | undefined | false;

export function h(
  tag: string,
  attrs: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function badge(status: string): HTMLElement {
  return h("span", { class: `badge status-${status}`, "data-status": status }, status);
}

export function table(columns: string[], rows: Child[][], numeric: Set<string> = new Set()): HTMLElement {
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))),
    h(
      "tbody",
      {},
      rows.map((r) =>
        h("tr", {}, r.map((cell, i) => h("td", numeric.has(columns[i] ?? "") ? { class: "num" } : {}, cell))),
      ),
    ),
  );
}

export function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
