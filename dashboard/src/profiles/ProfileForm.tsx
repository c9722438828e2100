import { Alert, Button, Typography } from "@mui/material";
import type { DeviceProfile, ProfileDefinition } from "@telehub/hub";
import { useMemo, useState } from "react";
import {
  ArrayInput,
  BooleanInput,
  FormDataConsumer,
  HttpError,
  maxLength,
  NumberInput,
  regex,
  required,
  SaveButton,
  SelectArrayInput,
  SelectInput,
  SimpleForm,
  SimpleFormIterator,
  TextInput,
  Toolbar,
} from "react-admin";
import { ProfileConflict } from "./profile-api";
import { formFieldOf, type ProfileFormValues, toDefinition, toFormValues, validateJsonObject } from "./profile-form";

const choices = (values: string[]) => values.map((value) => ({ id: value, name: value }));
const TYPES = choices(["number", "boolean", "string"]);
const KINDS = [
  { id: "gauge", name: "gauge (a level)" },
  { id: "counter", name: "counter (charted as a rate)" },
  { id: "state", name: "state (a timeline)" },
];
/** The hub's rules (docs/api.md, "Profiles"), checked here too so the form says so before saving. */
const ID_RULE = regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "Lower-case letters, digits and dashes (at most 64), not starting with a dash");
const METRIC_NAME_RULE = regex(/^[A-Za-z0-9][A-Za-z0-9_.\-/]*$/, "Letters, digits and _ . - /, starting with a letter or digit");
const COMMAND_NAME_RULE = regex(
  /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/,
  "Letters, digits and _ . : - (at most 64), starting with a letter or digit",
);

function MetricsInput() {
  return (
    <ArrayInput source="metrics" label="Metrics">
      <SimpleFormIterator inline sx={WRAPPING_ROW}>
        <TextInput source="name" validate={[required(), METRIC_NAME_RULE]} helperText={false} />
        <SelectInput source="type" choices={TYPES} defaultValue="number" validate={required()} helperText={false} />
        <SelectInput source="kind" choices={KINDS} defaultValue="gauge" validate={required()} helperText={false} />
        <TextInput source="displayName" label="Shown as" helperText={false} />
        <TextInput source="unit" validate={maxLength(16)} helperText={false} />
        <NumberInput source="decimals" min={0} max={6} step={1} helperText={false} />
        <NumberInput source="range.min" label="Min" helperText={false} />
        <NumberInput source="range.max" label="Max" helperText={false} />
        <TextInput source="statesText" label="States (a, b, …)" helperText={false} />
      </SimpleFormIterator>
    </ArrayInput>
  );
}

/** An inline row of inputs that wraps instead of squeezing each input to a few characters. */
const WRAPPING_ROW = {
  "& .RaSimpleFormIterator-form": { flexWrap: "wrap", rowGap: 1 },
  "& .RaSimpleFormIterator-form > *": { flex: "1 1 150px", minWidth: 150 },
};

/** A JSON object typed as text (monospace), checked as the user types. */
function JsonInput({ source, label }: { source: string; label: string }) {
  return (
    <TextInput
      source={source}
      label={label}
      multiline
      minRows={3}
      fullWidth
      validate={validateJsonObject}
      sx={{ "& textarea": { fontFamily: "monospace" } }}
    />
  );
}

function CommandsInput() {
  return (
    <ArrayInput source="commands" label="Commands">
      <SimpleFormIterator>
        <TextInput source="name" validate={[required(), COMMAND_NAME_RULE]} />
        <TextInput source="description" fullWidth />
        <JsonInput source="argsText" label="Arguments: a JSON Schema (empty: none described)" />
      </SimpleFormIterator>
    </ArrayInput>
  );
}

/** A chart's metrics, picked from the metrics above (as they stand in the form now). */
function ChartMetricsInput() {
  return (
    <FormDataConsumer<ProfileFormValues>>
      {({ formData }) => {
        const names = (formData.metrics ?? []).flatMap((metric) => (metric.name?.trim() ? [metric.name.trim()] : []));
        return <SelectArrayInput source="metrics" choices={choices(names)} validate={required()} sx={{ minWidth: 240 }} />;
      }}
    </FormDataConsumer>
  );
}

function ChartsInput() {
  return (
    <ArrayInput source="charts" label="Device page charts (in page order)">
      <SimpleFormIterator inline sx={WRAPPING_ROW}>
        <TextInput source="title" validate={required()} helperText={false} />
        <ChartMetricsInput />
        <BooleanInput source="shown" label="Shown by default" defaultValue={true} helperText={false} />
      </SimpleFormIterator>
    </ArrayInput>
  );
}

/** The form input of a `TH_API_PROFILE_INVALID` refusal (the hub names the field in `details.field`). */
function invalidFieldOf(error: unknown): string | undefined {
  if (!(error instanceof HttpError)) return undefined;
  const body = error.body as { error?: { code?: string; details?: { field?: unknown } } } | undefined;
  const field = body?.error?.details?.field;
  return body?.error?.code === "TH_API_PROFILE_INVALID" && typeof field === "string" ? formFieldOf(field) : undefined;
}

/** Why the last save failed: the hub's message, or a version conflict with the way out. */
function SaveFailure({ failure }: { failure: Error }) {
  return (
    <Alert
      severity="error"
      data-testid="profile-save-failure"
      sx={{ mb: 2, width: "100%" }}
      action={
        failure instanceof ProfileConflict ? (
          <Button color="inherit" size="small" onClick={() => window.location.reload()}>
            Reload
          </Button>
        ) : undefined
      }
    >
      {failure.message}
    </Alert>
  );
}

/**
 * The profile form of Create and Edit. `save` sends the definition (the hub validates it again:
 * a refusal names the field and is shown above the Save button, the form keeps what was typed).
 */
export function ProfileForm({ profile, save }: { profile?: DeviceProfile; save: (definition: ProfileDefinition) => Promise<void> }) {
  const [failure, setFailure] = useState<Error | undefined>();
  // One object per profile: a new record would make react-admin reset what was typed.
  const record = useMemo(() => toFormValues(profile) as unknown as Record<string, unknown>, [profile]);
  // Answers the field the hub named (react-admin marks that input) besides the message above Save.
  const submit = async (values: Record<string, unknown>): Promise<Record<string, string> | undefined> => {
    setFailure(undefined);
    try {
      await save(toDefinition(values as unknown as ProfileFormValues));
      return undefined;
    } catch (error) {
      setFailure(error as Error);
      const input = invalidFieldOf(error);
      return input ? { [input]: (error as Error).message } : undefined;
    }
  };
  return (
    <SimpleForm
      record={record}
      onSubmit={submit}
      mode="onBlur"
      toolbar={
        <Toolbar sx={{ flexDirection: "column", alignItems: "flex-start" }}>
          {failure && <SaveFailure failure={failure} />}
          <SaveButton />
        </Toolbar>
      }
    >
      <TextInput
        source="id"
        validate={[required(), ID_RULE]}
        readOnly={profile !== undefined}
        helperText={profile ? "The id cannot change" : "A slug: devices and the API name the profile by it"}
      />
      <TextInput source="name" validate={[required(), maxLength(128)]} fullWidth />
      <TextInput source="description" validate={maxLength(1024)} multiline fullWidth />
      <Typography variant="subtitle1">
        Assign automatically to devices whose hello matches (one pattern per line, * matches anything)
      </Typography>
      <TextInput source="matchModels" label="Model patterns" multiline minRows={1} fullWidth helperText="e.g. esp32 or sim-*" />
      <TextInput source="matchFirmware" label="Firmware patterns" multiline minRows={1} fullWidth helperText="e.g. telehub-agent *" />
      <MetricsInput />
      <CommandsInput />
      <ChartsInput />
      <JsonInput source="defaultConfigText" label="Default desired configuration (JSON object; empty: none)" />
    </SimpleForm>
  );
}
