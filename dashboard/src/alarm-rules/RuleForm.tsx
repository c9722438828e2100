import { Divider, Typography } from "@mui/material";
import type { AlarmRule, RuleDefinition } from "@telehub/hub";
import { useMemo } from "react";
import {
  BooleanInput,
  FormDataConsumer,
  maxLength,
  RadioButtonGroupInput,
  required,
  SaveButton,
  SimpleForm,
  TextInput,
  Toolbar,
} from "react-admin";
import { BacktestPreview } from "./BacktestPreview";
import { ConditionInputs } from "./ConditionInputs";
import { validateDuration } from "./duration";
import { formFieldOf, MAX_RULE_DURATION_MS, newRuleValues, type RuleFormValues, toDefinition, toFormValues } from "./rule-form";
import { ScopeInputs } from "./ScopeInputs";
import { useScopeDevices } from "./useScopeDevices";
import { SaveFailure, useSaveWithFieldErrors } from "./versioned-save";

const DURATION = validateDuration(MAX_RULE_DURATION_MS);
const CLEAR_MODES = [
  { id: "auto", name: "By itself, once the condition has gone" },
  { id: "manual", name: "Only by a person" },
];

/** What the inputs alone cannot check: a scope to watch, 1 to 4 levels of distinct severities. */
function validateRule(values: Record<string, unknown>): Record<string, string> {
  const form = values as unknown as RuleFormValues;
  const errors: Record<string, string> = {};
  if (form.scopeKind === "profile" && !form.profileId) errors.profileId = "Choose a profile";
  if (form.scopeKind === "labels" && !Array.isArray(form.labels) && Object.keys(form.labels ?? {}).length === 0)
    errors.labels = "At least one label";
  if (form.conditionKind === "metric") {
    const levels = form.levels ?? [];
    if (levels.length < 1 || levels.length > 4) errors.levels = "1 to 4 levels";
    const severities = levels.map((level) => level.severity);
    if (new Set(severities).size !== severities.length) errors.levels = "Each severity at most once";
  }
  return errors;
}

/** The inputs that depend on the scope's profile (metric names and units) and the backtest of the rule as typed. */
function RuleInputs({ values }: { values: RuleFormValues }) {
  const { devices, profile } = useScopeDevices(values);
  return (
    <>
      <ConditionInputs profile={profile} />
      <Typography variant="subtitle1">Clearing</Typography>
      <RadioButtonGroupInput source="clearMode" label={false} choices={CLEAR_MODES} helperText={false} />
      {values.clearMode === "auto" && (
        <TextInput
          source="quietText"
          label="Quiet period"
          validate={[required(), DURATION]}
          helperText="How long the condition must stay gone before the alarm clears; 0: at once"
        />
      )}
      <TextInput
        source="reRaiseText"
        label="Raise again after a manual clear"
        validate={[required(), DURATION]}
        helperText="If someone clears the alarm while the condition still holds, a new alarm is raised after this long"
      />
      <Divider flexItem sx={{ my: 2 }} />
      <BacktestPreview values={values} devices={devices} profile={profile} />
    </>
  );
}

/**
 * The rule form of Create and Edit: who it watches, the condition with its levels, durations and
 * hysteresis, how alarms clear, and the backtest of the rule as typed. `save` sends the
 * definition; a refusal is shown above Save and the input of the field the hub names is marked.
 */
export function RuleForm({ rule, save }: { rule?: AlarmRule; save: (definition: RuleDefinition) => Promise<void> }) {
  // One object per rule: a new record would make react-admin reset what was typed.
  const record = useMemo(() => (rule ? toFormValues(rule) : newRuleValues()) as unknown as Record<string, unknown>, [rule]);
  const { failure, submit } = useSaveWithFieldErrors<RuleFormValues>(
    (values) => save(toDefinition(values)),
    "TH_API_RULE_INVALID",
    formFieldOf,
  );
  return (
    <SimpleForm
      record={record}
      onSubmit={submit}
      validate={validateRule}
      mode="onBlur"
      toolbar={
        <Toolbar sx={{ flexDirection: "column", alignItems: "flex-start" }}>
          {failure && <SaveFailure failure={failure} testId="rule-save-failure" />}
          <SaveButton />
        </Toolbar>
      }
    >
      <TextInput source="name" validate={[required(), maxLength(100)]} fullWidth helperText="e.g. Freezer too warm" />
      <TextInput source="description" validate={maxLength(1000)} multiline fullWidth helperText={false} />
      <BooleanInput source="enabled" helperText="A disabled rule raises nothing" />
      <ScopeInputs />
      <FormDataConsumer<RuleFormValues>>{({ formData }) => <RuleInputs values={formData} />}</FormDataConsumer>
    </SimpleForm>
  );
}
