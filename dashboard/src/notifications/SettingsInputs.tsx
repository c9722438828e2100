import type { ChannelKind } from "@telehub/hub";
import { NumberInput, required, SelectInput, TextInput } from "react-admin";

const SECURITY = [
  { id: "starttls", name: "STARTTLS (upgrade required; usually port 587)" },
  { id: "tls", name: "TLS (implicit; usually port 465)" },
  { id: "none", name: "None (only to this machine: localhost)" },
];

/**
 * A write-only setting (password, webhook secret, Slack URL): the hub never returns it, so the
 * input starts empty and says whether one is set; left empty on an edit, the stored one is kept.
 */
function SecretInput({ source, label, isSet, creating }: { source: string; label: string; isSet: boolean; creating: boolean }) {
  const helperText = isSet ? "Set — leave empty to keep" : creating ? "Write-only: never shown again" : "Not set";
  return (
    <TextInput
      source={source}
      label={label}
      type="password"
      helperText={helperText}
      fullWidth
      slotProps={{ htmlInput: { autoComplete: "new-password", "data-secret-set": String(isSet) } }}
    />
  );
}

function EmailInputs({ secretsSet, creating }: { secretsSet: readonly string[]; creating: boolean }) {
  return (
    <>
      <div style={{ display: "flex", gap: 16, flexWrap: "wrap", width: "100%" }}>
        <TextInput
          source="email.host"
          label="SMTP server"
          validate={required()}
          helperText="e.g. smtp.example.com"
          sx={{ flex: "2 1 240px" }}
        />
        <NumberInput
          source="email.port"
          label="Port"
          min={1}
          max={65_535}
          step={1}
          validate={required()}
          helperText={false}
          sx={{ flex: "1 1 100px" }}
        />
        <SelectInput
          source="email.security"
          label="Security"
          choices={SECURITY}
          validate={required()}
          helperText={false}
          sx={{ flex: "2 1 260px" }}
        />
      </div>
      <div style={{ display: "flex", gap: 16, flexWrap: "wrap", width: "100%" }}>
        <TextInput source="email.username" label="Username (SMTP AUTH)" helperText="Empty: no authentication" sx={{ flex: "1 1 240px" }} />
        <div style={{ flex: "1 1 240px" }}>
          <SecretInput source="email.password" label="Password" isSet={secretsSet.includes("password")} creating={creating} />
        </div>
      </div>
      <TextInput source="email.from" label="From" validate={required()} helperText="a@example.com or Telehub <a@example.com>" fullWidth />
      <TextInput
        source="email.toText"
        label="To"
        validate={required()}
        multiline
        helperText="One address per line (or separated by commas)"
        fullWidth
      />
      <TextInput
        source="email.ca"
        label="CA certificate (PEM, optional)"
        multiline
        minRows={2}
        helperText="Trust a private mail server's certificate authority besides the system's"
        fullWidth
        sx={{ "& textarea": { fontFamily: "monospace" } }}
      />
    </>
  );
}

/** The settings inputs of a channel's kind. */
export function SettingsInputs({ kind, secretsSet, creating }: { kind: ChannelKind; secretsSet: readonly string[]; creating: boolean }) {
  if (kind === "email") return <EmailInputs secretsSet={secretsSet} creating={creating} />;
  if (kind === "webhook")
    return (
      <>
        <TextInput
          source="webhook.url"
          label="URL"
          validate={required()}
          helperText="https://… : a signed JSON POST per message"
          fullWidth
        />
        <SecretInput
          source="webhook.secret"
          label="Signing secret (HMAC-SHA256)"
          isSet={secretsSet.includes("secret")}
          creating={creating}
        />
      </>
    );
  return (
    <>
      <SecretInput source="slack.url" label="Incoming webhook URL" isSet={secretsSet.includes("url")} creating={creating} />
      <TextInput source="slack.username" label="Post as (optional)" helperText="Mattermost and legacy Slack webhooks" fullWidth />
    </>
  );
}
