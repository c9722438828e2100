import { Typography } from "@mui/material";
import type { DeviceProfile } from "@telehub/hub";
import { BooleanInput, FormDataConsumer, RadioButtonGroupInput, regex, required, SelectInput, TextInput } from "react-admin";
import { SEVERITY_CHOICES } from "../alarms/severity";
import { validateDuration } from "./duration";
import { LevelsInput } from "./LevelsInput";
import { MAX_RULE_DURATION_MS, type RuleFormValues } from "./rule-form";

const KINDS = [
  { id: "metric", name: "A metric's value" },
  { id: "noData", name: "No data" },
  { id: "offline", name: "Offline" },
];
const PER = [
  { id: "second", name: "per second" },
  { id: "minute", name: "per minute" },
  { id: "hour", name: "per hour" },
];
/** The protocol's metric name rule (docs/protocol.md). */
const METRIC_NAME_RULE = regex(/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/, "Letters, digits and _ . - /, starting with a letter or digit");
const DURATION = validateDuration(MAX_RULE_DURATION_MS);
const METRICS_LIST = "rule-metric-names";

/** A metric name, typed or picked from the profile's metrics. */
function MetricInput({ source, label, profile, optional }: { source: string; label: string; profile?: DeviceProfile; optional?: boolean }) {
  return (
    <>
      <TextInput
        source={source}
        label={label}
        validate={optional ? METRIC_NAME_RULE : [required(), METRIC_NAME_RULE]}
        slotProps={{ htmlInput: { list: METRICS_LIST, autoComplete: "off" } }}
        helperText={profile ? `Metrics of ${profile.name}: ${profile.metrics.map((m) => m.name).join(", ")}` : false}
      />
      <datalist id={METRICS_LIST}>
        {profile?.metrics.map((metric) => (
          <option key={metric.name} value={metric.name}>
            {metric.displayName ?? metric.name}
          </option>
        ))}
      </datalist>
    </>
  );
}

function MetricConditionInputs({ values, profile }: { values: RuleFormValues; profile?: DeviceProfile }) {
  const metric = profile?.metrics.find((m) => m.name === values.metric?.trim());
  return (
    <>
      <MetricInput source="metric" label="Metric" profile={profile} />
      <BooleanInput source="useRate" label="Watch its rate of change instead of its value" helperText={false} />
      {values.useRate && (
        <div style={{ display: "flex", gap: 16, flexWrap: "wrap" }}>
          <TextInput source="rateWindow" label="Over the last" validate={[required(), DURATION]} helperText="e.g. 5 min" />
          <SelectInput source="ratePer" label="Rate" choices={PER} validate={required()} helperText={false} />
        </div>
      )}
      <LevelsInput metric={metric} ratePer={values.useRate ? values.ratePer : undefined} />
      <TextInput
        source="forText"
        label="For (how long a level must hold)"
        validate={[required(), DURATION]}
        helperText='0: at once; e.g. "5 min": a short spike raises nothing'
      />
    </>
  );
}

/** What the rule watches: a metric's value (or rate) against severity levels, no data for a while, or the device offline for a while. */
export function ConditionInputs({ profile }: { profile?: DeviceProfile }) {
  return (
    <>
      <Typography variant="subtitle1">Condition</Typography>
      <RadioButtonGroupInput source="conditionKind" label={false} choices={KINDS} row helperText={false} />
      <FormDataConsumer<RuleFormValues>>
        {({ formData }) => {
          if (formData.conditionKind === "metric") return <MetricConditionInputs values={formData} profile={profile} />;
          const offline = formData.conditionKind === "offline";
          return (
            <>
              {!offline && <MetricInput source="noDataMetric" label="From metric (empty: any metric)" profile={profile} optional />}
              <TextInput
                source="afterText"
                label={offline ? "Disconnected for" : "No reading for"}
                validate={[required(), DURATION]}
                helperText={
                  offline ? "The device's connection (presence), by the hub's clock" : "By the device's timestamps: data freshness"
                }
              />
              <SelectInput source="severity" choices={SEVERITY_CHOICES} validate={required()} helperText={false} />
            </>
          );
        }}
      </FormDataConsumer>
    </>
  );
}
