import { InputAdornment } from "@mui/material";
import type { ProfileMetric } from "@telehub/hub";
import { ArrayInput, FormDataConsumer, NumberInput, required, SelectInput, SimpleFormIterator, TextInput } from "react-admin";
import { SEVERITY_CHOICES } from "../alarms/severity";
import type { LevelRow } from "./rule-form";

const NUMERIC_OPS = [
  { id: "above", name: "above" },
  { id: "below", name: "below" },
  { id: "outside", name: "outside range" },
  { id: "inside", name: "inside range" },
];
const MATCH_OPS = [
  { id: "equals", name: "equals" },
  { id: "notEquals", name: "not equal to" },
];

/** An inline row that wraps instead of squeezing each input. */
const WRAPPING_ROW = {
  "& .RaSimpleFormIterator-form": { flexWrap: "wrap", rowGap: 1 },
  "& .RaSimpleFormIterator-form > *": { flex: "1 1 140px", minWidth: 140 },
};

const round = (value: number) => Number(value.toPrecision(3));

/** A dead band worth suggesting: 5 % of the threshold (or of the range's width), at least a little above zero. */
export function suggestedHysteresis(row: LevelRow): number | undefined {
  if (row.op === "above" || row.op === "below") {
    const value = Number(row.value);
    return row.value === null || row.value === undefined || row.value === "" || !Number.isFinite(value) || value === 0
      ? undefined
      : round(Math.abs(value) * 0.05);
  }
  if ((row.op === "outside" || row.op === "inside") && typeof row.low === "number" && typeof row.high === "number" && row.high > row.low)
    return round((row.high - row.low) * 0.05);
  return undefined;
}

/** What the hysteresis does, in words ("lets go below 76 °C"), or a suggestion while there is none. */
function hysteresisHelp(row: LevelRow, unit: string): string {
  const h = typeof row.hysteresis === "number" ? row.hysteresis : undefined;
  const suggestion = suggestedHysteresis(row);
  if (h === undefined || h === 0)
    return suggestion === undefined ? "Dead band against flapping" : `Suggested: ${suggestion}${unit} (stops flapping)`;
  const u = unit;
  if (row.op === "above" && typeof row.value === "number") return `Lets go below ${round(row.value - h)}${u}`;
  if (row.op === "below" && typeof row.value === "number") return `Lets go above ${round(row.value + h)}${u}`;
  if (typeof row.low === "number" && typeof row.high === "number") {
    if (row.op === "outside") return `Lets go inside ${round(row.low + h)}–${round(row.high - h)}${u}`;
    if (row.op === "inside") return `Lets go outside ${round(row.low - h)}–${round(row.high + h)}${u}`;
  }
  return "Dead band against flapping";
}

const adorned = (unit: string | undefined) =>
  unit ? { input: { endAdornment: <InputAdornment position="end">{unit}</InputAdornment> } } : undefined;

/** The level's dead band, with what it does in words (or a suggestion while empty). */
function HysteresisInput({ row, unit }: { row: LevelRow; unit: string | undefined }) {
  return (
    <NumberInput
      source="hysteresis"
      label="Hysteresis"
      min={0}
      slotProps={adorned(unit)}
      helperText={hysteresisHelp(row, unit ? ` ${unit}` : "")}
    />
  );
}

/** The inputs of one level, as its comparison needs them. */
function LevelInputs({ row, metric, unit }: { row: LevelRow; metric: ProfileMetric | undefined; unit: string | undefined }) {
  const textual = metric?.type === "boolean" || metric?.type === "string";
  const op = row.op ?? "above";
  if (op === "equals" || op === "notEquals")
    return (
      <TextInput
        source="value"
        label="Value"
        validate={required()}
        helperText={metric?.states ? `One of ${metric.states.join(", ")}` : 'true, false, a number or text ("42" for the text 42)'}
      />
    );
  if (op === "outside" || op === "inside")
    return (
      <>
        <NumberInput source="low" label="Low" validate={required()} slotProps={adorned(unit)} helperText={false} />
        <NumberInput source="high" label="High" validate={required()} slotProps={adorned(unit)} helperText={false} />
        <HysteresisInput row={row} unit={unit} />
      </>
    );
  return (
    <>
      <NumberInput
        source="value"
        label="Threshold"
        validate={required()}
        slotProps={adorned(unit)}
        helperText={textual ? `${metric?.name} is a ${metric?.type}: use equals` : false}
      />
      <HysteresisInput row={row} unit={unit} />
    </>
  );
}

/**
 * The severity levels of a metric condition (1 to 4, distinct severities): each a comparison
 * with its threshold or range and its hysteresis, in the metric's unit when its profile gives one.
 * With `ratePer` the levels compare the rate of change (unit per second, minute or hour): numeric comparisons only.
 */
export function LevelsInput({ metric, ratePer }: { metric: ProfileMetric | undefined; ratePer: string | undefined }) {
  const textual = metric?.type === "boolean" || metric?.type === "string";
  const ops = ratePer ? NUMERIC_OPS : textual ? MATCH_OPS : [...NUMERIC_OPS, ...MATCH_OPS];
  // A rate compares units per second, minute or hour.
  const unit = ratePer ? `${metric?.unit ?? ""}/${ratePer === "second" ? "s" : ratePer === "minute" ? "min" : "h"}` : metric?.unit;
  return (
    <ArrayInput source="levels" label="Severity levels (most severe wins; at most 4)">
      <SimpleFormIterator inline sx={WRAPPING_ROW} disableReordering>
        <SelectInput source="severity" choices={SEVERITY_CHOICES} validate={required()} helperText={false} />
        <FormDataConsumer>
          {({ scopedFormData }) => {
            const row = (scopedFormData ?? {}) as LevelRow;
            // A comparison chosen before the metric (or the rate) changed stays listed, marked, until replaced.
            const stale = row.op && !ops.some((op) => op.id === row.op) ? [{ id: row.op, name: `${row.op} (not for this metric)` }] : [];
            return (
              <>
                <SelectInput
                  source="op"
                  label="When the value is"
                  choices={[...ops, ...stale]}
                  defaultValue={ops[0]?.id}
                  validate={required()}
                  helperText={false}
                />
                <LevelInputs row={row} metric={ratePer ? undefined : metric} unit={unit} />
              </>
            );
          }}
        </FormDataConsumer>
      </SimpleFormIterator>
    </ArrayInput>
  );
}
