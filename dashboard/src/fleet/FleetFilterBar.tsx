import { Button, MenuItem, Stack, TextField } from "@mui/material";
import { Link } from "react-admin";
import { labelText } from "../devices/labels/label-rules";
import { deviceListPath, FLEET_STATES, type FleetFilter } from "./fleet-filter";
import type { FleetProfile, FleetSummary } from "./fleet-types";

type Choice = { value: string; text: string };

function FilterSelect({
  name,
  label,
  value,
  choices,
  onChange,
}: {
  name: keyof FleetFilter;
  label: string;
  value: string | undefined;
  choices: Choice[];
  onChange: (value: string | undefined) => void;
}) {
  return (
    <TextField
      select
      size="small"
      label={label}
      value={value ?? ""}
      onChange={(event) => onChange(event.target.value === "" ? undefined : event.target.value)}
      sx={{ minWidth: 140, flex: "1 1 140px", maxWidth: { sm: 240 } }}
      slotProps={{ select: { SelectDisplayProps: { "data-testid": `filter-${name}` } as object } }}
    >
      <MenuItem value="">
        <em>Any</em>
      </MenuItem>
      {choices.map((choice) => (
        <MenuItem key={choice.value} value={choice.value}>
          {choice.text}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * The overview's filters (state, profile, firmware, label; choices and counts from the summary),
 * the same as the device list's, and a link to the list filtered alike.
 */
export function FleetFilterBar({
  filter,
  summary,
  profiles,
  onChange,
}: {
  filter: FleetFilter;
  summary: FleetSummary | undefined;
  profiles: ReadonlyMap<string, FleetProfile>;
  onChange: (filter: FleetFilter) => void;
}) {
  const set = (name: keyof FleetFilter) => (value: string | undefined) => onChange({ ...filter, [name]: value });
  const profileChoices = (summary?.profiles ?? [])
    .filter((entry) => entry.value !== null)
    .map((entry) => ({
      value: entry.value as string,
      text: `${profiles.get(entry.value as string)?.name ?? entry.value} (${entry.count})`,
    }));
  const firmwareChoices = (summary?.firmware ?? [])
    .filter((entry) => entry.value !== null)
    .map((entry) => ({ value: entry.value as string, text: `${entry.value} (${entry.count})` }));
  const labelChoices = (summary?.labels ?? []).map((entry) => {
    const text = labelText(entry.key, entry.value);
    return { value: text, text: `${text} (${entry.count})` };
  });
  return (
    <Stack direction="row" useFlexGap sx={{ flexWrap: "wrap", gap: 1, alignItems: "center" }} data-testid="fleet-filters">
      <FilterSelect
        name="state"
        label="State"
        value={filter.state}
        choices={FLEET_STATES.map((state) => ({ value: state.id, text: state.name }))}
        onChange={set("state")}
      />
      <FilterSelect name="profileId" label="Profile" value={filter.profileId} choices={profileChoices} onChange={set("profileId")} />
      <FilterSelect name="firmware" label="Firmware" value={filter.firmware} choices={firmwareChoices} onChange={set("firmware")} />
      <FilterSelect name="label" label="Label" value={filter.label} choices={labelChoices} onChange={set("label")} />
      <Button component={Link} to={deviceListPath(filter)} size="small">
        Open in the device list
      </Button>
    </Stack>
  );
}
