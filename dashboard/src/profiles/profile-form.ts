import type { DeviceProfile, ProfileChart, ProfileCommand, ProfileDefinition, ProfileMetric } from "@telehub/hub";

/**
 * The profile form's values: the definition as react-admin inputs edit it. What the inputs
 * cannot hold as such is text: match patterns one per line, a metric's states comma-separated,
 * a command's `args` schema and the default configuration as JSON.
 */
export interface ProfileFormValues {
  id: string;
  name: string;
  description?: string;
  matchModels?: string;
  matchFirmware?: string;
  metrics: (Partial<Omit<ProfileMetric, "states">> & { statesText?: string })[];
  commands: { name?: string; description?: string; argsText?: string }[];
  charts: Partial<ProfileChart>[];
  defaultConfigText?: string;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The form's values for a stored profile (edit) or none (create: one empty metric list). */
export function toFormValues(profile?: DeviceProfile): ProfileFormValues {
  if (!profile) return { id: "", name: "", metrics: [], commands: [], charts: [] };
  return {
    id: profile.id,
    name: profile.name,
    description: profile.description ?? "",
    matchModels: (profile.match?.models ?? []).join("\n"),
    matchFirmware: (profile.match?.firmware ?? []).join("\n"),
    metrics: profile.metrics.map(({ states, ...metric }) => ({ ...metric, statesText: (states ?? []).join(", ") })),
    commands: profile.commands.map((command) => ({
      name: command.name,
      description: command.description ?? "",
      argsText: command.args ? json(command.args) : "",
    })),
    charts: profile.layout.charts.map((chart) => ({ ...chart, shown: chart.shown !== false })),
    defaultConfigText: profile.defaultConfig ? json(profile.defaultConfig) : "",
  };
}

const text = (value: string | null | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};
const number = (value: number | null | undefined): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;
const lines = (value: string | undefined): string[] => (value ?? "").split("\n").flatMap((line) => text(line) ?? []);

/** A JSON object typed in a text input; undefined when the input is empty. Throws on anything else (the validators below say why first). */
function jsonObject(value: string | undefined): Record<string, unknown> | undefined {
  if (!text(value)) return undefined;
  const parsed: unknown = JSON.parse(value as string);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not a JSON object");
  return parsed as Record<string, unknown>;
}

/** react-admin validator: empty, or a JSON object (`{…}`). */
export function validateJsonObject(value: string | undefined): string | undefined {
  try {
    jsonObject(value);
    return undefined;
  } catch (error) {
    return error instanceof SyntaxError ? `Not valid JSON: ${error.message}` : "Must be a JSON object: {…}";
  }
}

function metricOf(metric: ProfileFormValues["metrics"][number]): ProfileMetric {
  const min = number(metric.range?.min);
  const max = number(metric.range?.max);
  const states = (metric.statesText ?? "").split(",").flatMap((state) => text(state) ?? []);
  return {
    name: text(metric.name) ?? "",
    type: metric.type ?? "number",
    kind: metric.kind ?? "gauge",
    ...(text(metric.displayName) && { displayName: text(metric.displayName) }),
    ...(text(metric.unit) && { unit: text(metric.unit) }),
    ...(number(metric.decimals) !== undefined && { decimals: number(metric.decimals) }),
    ...((min !== undefined || max !== undefined) && { range: { ...(min !== undefined && { min }), ...(max !== undefined && { max }) } }),
    ...(states.length > 0 && { states }),
  };
}

function commandOf(command: ProfileFormValues["commands"][number]): ProfileCommand {
  const args = jsonObject(command.argsText);
  return {
    name: text(command.name) ?? "",
    ...(text(command.description) && { description: text(command.description) }),
    ...(args && { args }),
  };
}

/** The definition `POST /profiles` (and, without `id`, `PUT /profiles/:id`) takes, from the form's values. */
export function toDefinition(values: ProfileFormValues): ProfileDefinition {
  const models = lines(values.matchModels);
  const firmware = lines(values.matchFirmware);
  const defaultConfig = jsonObject(values.defaultConfigText);
  return {
    id: text(values.id) ?? "",
    name: text(values.name) ?? "",
    ...(text(values.description) && { description: text(values.description) }),
    ...((models.length > 0 || firmware.length > 0) && {
      match: { ...(models.length > 0 && { models }), ...(firmware.length > 0 && { firmware }) },
    }),
    metrics: (values.metrics ?? []).map(metricOf),
    commands: (values.commands ?? []).map(commandOf),
    ...(defaultConfig && { defaultConfig }),
    layout: {
      charts: (values.charts ?? []).map((chart) => ({
        title: text(chart.title) ?? "",
        metrics: chart.metrics ?? [],
        shown: chart.shown !== false,
      })),
    },
  };
}

/**
 * The form input a field the hub names in a `TH_API_PROFILE_INVALID` refusal (`metrics[1].name`,
 * `layout.charts[0].metrics[2]`, `commands[0].args`, `defaultConfig`): `metrics.1.name`,
 * `charts.0.metrics`, `commands.0.argsText`, `defaultConfigText`; undefined for a field the form has no input for.
 */
export function formFieldOf(field: string): string | undefined {
  const path = field.replace(/^layout\./, "").replace(/\[(\d+)\]/g, ".$1");
  const metric = /^metrics\.(\d+)\.(name|type|kind|displayName|unit|decimals|range|states)/.exec(path);
  if (metric) return `metrics.${metric[1]}.${{ range: "range.min", states: "statesText" }[metric[2] as string] ?? metric[2]}`;
  const command = /^commands\.(\d+)\.(name|description|args)/.exec(path);
  if (command) return `commands.${command[1]}.${command[2] === "args" ? "argsText" : command[2]}`;
  const chart = /^charts\.(\d+)\.(title|metrics|shown)/.exec(path);
  if (chart) return `charts.${chart[1]}.${chart[2]}`;
  if (path === "defaultConfig") return "defaultConfigText";
  if (/^(id|name|description)$/.test(path)) return path;
  return undefined;
}
