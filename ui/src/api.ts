// The REST API of `dls serve` (see /api/openapi.json): typed calls with the bearer token.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface GraphNode {
  name: string;
  destination: string;
  entity_id: string;
  kind: string;
  source_format: string;
  is_quarantined: boolean;
  cdc: boolean;
  scd_type: number | null;
  upstream: string[];
  status: string;
  metrics: Record<string, Json>;
  last_update_id: string | null;
}
export interface Graph {
  pipeline: string;
  target: string;
  running_update: string | null;
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
}
export interface Pipeline {
  name: string;
  group: string | null;
  datasets: number;
  has_event_log: boolean;
  running_update: string | null;
}
export interface UpdateSummary {
  update_id: string;
  started: string;
  duration_ms: number;
  status: string;
  completed: number;
  failed: number;
  skipped: number;
  rows_written: number;
  failed_records: number;
}
export interface DatasetResult {
  dataset: string | null;
  status: string;
  metrics: Record<string, Json>;
  expectations: { name: string; action: string; passed_records: number; failed_records: number }[];
  error?: string;
}
export interface Update {
  pipeline: string;
  update_id: string;
  status: string;
  started: string | null;
  datasets: DatasetResult[];
}
export interface QualityRule {
  update_id: string;
  started: string;
  dataset: string | null;
  rule: string | null;
  action: string | null;
  passed: number | null;
  failed: number | null;
}
export interface FieldChange {
  field: string;
  from: Json;
  to: Json;
}
export interface Entity {
  entity_id: string;
  [key: string]: Json;
}
export interface SwitchResult {
  entity_id: string;
  action: string;
  dry_run: boolean;
  affected: string[];
}
export interface TableDescription {
  name: string;
  version: number;
  partition_columns: string[];
  num_files: number;
  size_bytes: number;
  num_records: number | null;
  description: string | null;
  properties: Record<string, string>;
  schema: { name: string; type: string; nullable: boolean }[];
}
export interface HistoryEntry {
  version: number;
  timestamp: string;
  operation: string | null;
  operation_metrics: Record<string, Json>;
}
export interface Rows {
  columns: string[];
  rows: Json[][];
}

const TOKEN_KEY = "dls-token";

export function token(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}
export function setToken(value: string | null): void {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token() ?? ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let doc: unknown = null;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = null;
  }
  if (!res.ok) {
    const err = (doc as { error?: { message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.message ?? `${res.status} ${res.statusText}`);
  }
  return doc as T;
}

const q = encodeURIComponent;

export const api = {
  pipelines: () => call<{ pipelines: Pipeline[] }>("GET", "/api/pipelines"),
  graph: (p: string) => call<Graph>("GET", `/api/pipelines/${q(p)}/graph`),
  updates: (p: string, last = 20) =>
    call<{ updates: UpdateSummary[] }>("GET", `/api/pipelines/${q(p)}/updates?last=${last}`),
  update: (p: string, id: string) => call<Update>("GET", `/api/pipelines/${q(p)}/updates/${q(id)}`),
  startUpdate: (p: string, select: string[] = []) =>
    call<{ update_id: string }>("POST", `/api/pipelines/${q(p)}/updates`, select.length ? { select } : {}),
  cancelUpdate: (p: string, id: string) =>
    call<{ status: string }>("POST", `/api/pipelines/${q(p)}/updates/${q(id)}/cancel`),
  quality: (p: string, last = 50) =>
    call<{ rules: QualityRule[] }>("GET", `/api/pipelines/${q(p)}/quality?last=${last}`),
  entities: (where?: string) =>
    call<{ total: number; entities: Entity[] }>(
      "GET",
      `/api/entities?limit=1000${where ? `&where=${q(where)}` : ""}`,
    ),
  entityVersions: (id: string) =>
    call<{ versions: { version: number; entity: Entity; changes: FieldChange[] }[] }>(
      "GET",
      `/api/entities/${q(id)}/versions`,
    ),
  setEnabled: (id: string, enable: boolean, dryRun: boolean) =>
    call<SwitchResult>(
      "POST",
      `/api/entities/${q(id)}/${enable ? "enable" : "disable"}?dry_run=${dryRun}`,
    ),
  tables: () => call<{ tables: string[] }>("GET", "/api/tables"),
  table: (name: string) => call<TableDescription>("GET", `/api/tables/${q(name)}`),
  tableHistory: (name: string) =>
    call<{ history: HistoryEntry[] }>("GET", `/api/tables/${q(name)}/history?limit=20`),
  tableRows: (name: string) => call<Rows>("GET", `/api/tables/${q(name)}/rows?limit=20`),
};

/** Server-sent events of a running update, read with fetch (so the token goes in a header). */
export async function streamUpdate(
  p: string,
  id: string,
  onEvent: (event: Record<string, Json>) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await fetch(`/api/pipelines/${q(p)}/updates/${q(id)}/stream`, {
    headers: { Authorization: `Bearer ${token() ?? ""}` },
    signal,
  });
  if (!res.ok || !res.body) throw new ApiError(res.status, `stream: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of block.split("\n")) {
        if (line.startsWith("data: ")) onEvent(JSON.parse(line.slice(6)) as Record<string, Json>);
      }
    }
  }
}
