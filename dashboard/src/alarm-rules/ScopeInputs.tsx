import { Typography } from "@mui/material";
import { AutocompleteInput, FormDataConsumer, RadioButtonGroupInput, ReferenceInput, required } from "react-admin";
import { LabelsInput } from "../devices/labels/LabelsInput";
import { ProfileInput } from "../fleet/ProfileInput";
import type { RuleFormValues } from "./rule-form";

const SCOPES = [
  { id: "profile", name: "Every device with a profile" },
  { id: "device", name: "One device" },
  { id: "labels", name: "Devices with labels" },
];

/** Search devices by id or name as the user types. */
const deviceSearch = (text: string) => ({ q: text });

/** Which devices the rule watches: one device, every device of a profile, or every device whose labels include all of those given. */
export function ScopeInputs() {
  return (
    <>
      <Typography variant="subtitle1">Devices</Typography>
      <RadioButtonGroupInput source="scopeKind" label={false} choices={SCOPES} row helperText={false} />
      <FormDataConsumer<RuleFormValues>>
        {({ formData }) => {
          if (formData.scopeKind === "device")
            return (
              <ReferenceInput source="deviceId" reference="devices">
                <AutocompleteInput
                  label="Device"
                  optionText={(device: { id: string; name?: string }) =>
                    device.name && device.name !== device.id ? `${device.name} (${device.id})` : device.id
                  }
                  filterToQuery={deviceSearch}
                  validate={required()}
                  sx={{ minWidth: 320 }}
                />
              </ReferenceInput>
            );
          if (formData.scopeKind === "profile") return <ProfileInput source="profileId" label="Profile" emptyText="Choose a profile" />;
          return (
            <>
              <LabelsInput source="labels" />
              <Typography variant="caption" color="text.secondary" sx={{ mt: -1, mb: 2 }}>
                Devices that have all of these labels (now and as labels change).
              </Typography>
            </>
          );
        }}
      </FormDataConsumer>
    </>
  );
}
