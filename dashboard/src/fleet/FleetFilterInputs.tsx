import { SearchInput, SelectInput } from "react-admin";
import { labelText } from "../devices/labels/label-rules";
import { FLEET_STATES } from "./fleet-filter";
import { ProfileInput } from "./ProfileInput";
import { useFleetSummary } from "./useFleetSummary";

type FilterInputProps = { source: string; alwaysOn?: boolean; label?: string };

/** Firmware versions the fleet reports, with their device counts. */
export function FirmwareFilterInput(props: FilterInputProps) {
  const { summary } = useFleetSummary();
  const choices = (summary?.firmware ?? [])
    .filter((entry) => entry.value !== null)
    .map((entry) => ({ id: entry.value as string, name: `${entry.value} (${entry.count})` }));
  return <SelectInput {...props} choices={choices} isPending={!summary} />;
}

/** Labels the fleet carries, as `key=value`, with their device counts. */
export function LabelFilterInput(props: FilterInputProps) {
  const { summary } = useFleetSummary();
  const choices = (summary?.labels ?? []).map((entry) => {
    const text = labelText(entry.key, entry.value);
    return { id: text, name: `${text} (${entry.count})` };
  });
  return <SelectInput {...props} choices={choices} isPending={!summary} />;
}

export function StateFilterInput(props: FilterInputProps) {
  return <SelectInput {...props} choices={FLEET_STATES.map(({ id, name }) => ({ id, name }))} />;
}

/** The device list's filters: the fleet filters (fleet-filter.ts) plus the search. */
export const deviceListFilters = [
  <SearchInput key="q" source="q" alwaysOn />,
  <StateFilterInput key="state" source="state" label="State" />,
  <ProfileInput key="profileId" source="profileId" label="Profile" emptyText="Any" />,
  <FirmwareFilterInput key="firmware" source="firmware" label="Firmware" />,
  <LabelFilterInput key="label" source="label" label="Label" />,
];
