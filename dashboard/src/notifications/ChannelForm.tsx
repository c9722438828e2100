import { Typography } from "@mui/material";
import type { ChannelDefinition, ChannelView } from "@telehub/hub";
import { useMemo } from "react";
import {
  BooleanInput,
  CheckboxGroupInput,
  FormDataConsumer,
  maxLength,
  NumberInput,
  required,
  SaveButton,
  SelectInput,
  SimpleForm,
  TextInput,
  Toolbar,
} from "react-admin";
import { validateDuration } from "../alarm-rules/duration";
import { choicesOf, SaveFailure, useSaveWithFieldErrors } from "../alarm-rules/versioned-save";
import { SEVERITY_CHOICES } from "../alarms/severity";
import { type ChannelFormValues, formFieldOf, newChannelValues, toDefinition, toFormValues } from "./channel-form";
import { SettingsInputs } from "./SettingsInputs";

const KINDS = [
  { id: "email", name: "E-mail (SMTP)" },
  { id: "webhook", name: "Webhook (signed JSON)" },
  { id: "slack", name: "Slack / Mattermost incoming webhook" },
];
const STEPS = [
  ...choicesOf(["raised", "escalated"]),
  { id: "deescalated", name: "de-escalated" },
  ...choicesOf(["cleared", "acknowledged"]),
];
/** The hub's limits (CHANNEL_LIMITS): reminders up to 30 days, rate windows 1 s to 1 day. */
const REPEAT = validateDuration(30 * 86_400_000);
const WINDOW = validateDuration(86_400_000);

/** What the inputs alone cannot check: secrets a new channel needs, at least one severity. */
function validateChannelForm(creating: boolean) {
  return (values: Record<string, unknown>): Record<string, string> => {
    const form = values as unknown as ChannelFormValues;
    const errors: Record<string, string> = {};
    if ((form.severities ?? []).length === 0) errors.severities = "At least one severity";
    if (creating && form.kind === "webhook" && !form.webhook?.secret) errors["webhook.secret"] = "Required: deliveries are signed with it";
    if (creating && form.kind === "slack" && !form.slack?.url) errors["slack.url"] = "Required";
    if (
      form.kind === "email" &&
      Boolean(form.email?.username?.trim()) !== Boolean(form.email?.password) &&
      (creating || !form.email?.username)
    )
      errors["email.password"] = "SMTP AUTH takes both a username and a password";
    return errors;
  };
}

/**
 * The channel form of Create and Edit: kind-specific settings (secrets write-only), which
 * severities and steps notify, reminders and the rate limit. A refusal is shown above Save and
 * the input of the field the hub names is marked.
 */
export function ChannelForm({ channel, save }: { channel?: ChannelView; save: (definition: ChannelDefinition) => Promise<void> }) {
  const record = useMemo(() => (channel ? toFormValues(channel) : newChannelValues()) as unknown as Record<string, unknown>, [channel]);
  const validate = useMemo(() => validateChannelForm(channel === undefined), [channel]);
  const { failure, submit } = useSaveWithFieldErrors<ChannelFormValues>(
    (values) => save(toDefinition(values)),
    "TH_API_CHANNEL_INVALID",
    (field, values) => formFieldOf(field, values.kind),
  );
  return (
    <SimpleForm
      record={record}
      onSubmit={submit}
      validate={validate}
      mode="onBlur"
      toolbar={
        <Toolbar sx={{ flexDirection: "column", alignItems: "flex-start" }}>
          {failure && <SaveFailure failure={failure} testId="channel-save-failure" />}
          <SaveButton />
        </Toolbar>
      }
    >
      <TextInput source="name" validate={[required(), maxLength(100)]} fullWidth helperText="e.g. On-call e-mail" />
      <BooleanInput source="enabled" helperText="A disabled channel sends nothing (a test still goes)" />
      <SelectInput
        source="kind"
        choices={KINDS}
        validate={required()}
        readOnly={channel !== undefined}
        helperText={channel ? "The kind cannot change: create another channel" : false}
      />
      <FormDataConsumer<ChannelFormValues>>
        {({ formData }) => <SettingsInputs kind={formData.kind} secretsSet={channel?.secretsSet ?? []} creating={channel === undefined} />}
      </FormDataConsumer>
      <Typography variant="subtitle1">What notifies</Typography>
      <CheckboxGroupInput
        source="severities"
        label="Severities (the alarm's after the step)"
        choices={SEVERITY_CHOICES}
        helperText={false}
      />
      <CheckboxGroupInput source="on" label="Steps" choices={STEPS} helperText={false} />
      <TextInput
        source="repeatText"
        label="Remind every"
        validate={[required(), REPEAT]}
        helperText='While an alarm is active and unacknowledged; 0: never; e.g. "1 h"'
      />
      <Typography variant="subtitle1">Rate limit</Typography>
      <div style={{ display: "flex", gap: 16, flexWrap: "wrap" }}>
        <NumberInput source="rateCount" label="At most (messages)" min={1} step={1} validate={required()} helperText={false} />
        <TextInput source="rateWindowText" label="Per" validate={[required(), WINDOW]} helperText="e.g. 5 min" />
      </div>
      <Typography variant="caption" color="text.secondary">
        Messages beyond the limit in a window are gathered into one digest sent when the window ends.
      </Typography>
    </SimpleForm>
  );
}
