import { API_URL } from "../../api";
import { currentIdentity } from "../../auth/credentials";
import { resumeSession } from "../../auth/session-api";

/** What `GET /devices/:id/telemetry/export` was asked for. */
export interface ExportRequest {
  deviceId: string;
  format: "csv" | "json";
  from: number;
  to: number;
  /** Only these metrics; all when absent. */
  metrics?: string[];
}

/** What the hub said of an export that was saved. */
export interface ExportOutcome {
  filename: string;
  /** `X-Telehub-Export-Truncated: true`: more rows than `api.maxExportRows`, the file stops there. */
  truncated: boolean;
  /** `X-Telehub-Export-Rows`, when the hub sent it. */
  rows: number | undefined;
}

function exportUrl({ deviceId, format, from, to, metrics }: ExportRequest): string {
  const query = new URLSearchParams({ format, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
  for (const metric of metrics ?? []) query.append("metric", metric);
  return `${API_URL}/devices/${encodeURIComponent(deviceId)}/telemetry/export?${query}`;
}

function filenameOf(disposition: string | null, fallback: string): string {
  return /filename="([^"]+)"/.exec(disposition ?? "")?.[1] ?? fallback;
}

async function refusal(response: Response): Promise<Error> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  return new Error(body?.error?.message ? `${body.error.message} (${body.error.code})` : `The hub answered ${response.status}`);
}

/**
 * Fetch an export and save it as a download. Fetched (not a plain link) with either login: a key
 * must go in `Authorization`, which a link cannot send, and in both cases the page needs the
 * response's headers (truncated?) and, on a refusal, the hub's message instead of a saved error
 * page. The file is held in memory until saved; `api.maxExportRows` bounds it.
 */
export async function saveExport(request: ExportRequest): Promise<ExportOutcome> {
  const identity = currentIdentity() ?? (await resumeSession());
  if (!identity) throw new Error("Log in first");
  const response = await fetch(exportUrl(request), {
    headers: identity.kind === "key" ? { Authorization: `Bearer ${identity.key}` } : {},
    credentials: identity.kind === "key" ? "omit" : "same-origin",
  });
  if (!response.ok) throw await refusal(response);
  const blob = await response.blob();
  const filename = filenameOf(response.headers.get("Content-Disposition"), `${request.deviceId}.${request.format}`);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; free the memory a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  const rows = response.headers.get("X-Telehub-Export-Rows");
  return {
    filename,
    truncated: response.headers.get("X-Telehub-Export-Truncated") === "true",
    rows: rows === null ? undefined : Number(rows),
  };
}
