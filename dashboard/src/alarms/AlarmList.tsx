import { Box, Stack, type Theme, Typography, useMediaQuery } from "@mui/material";
import type { Alarm } from "@telehub/hub";
import {
  Datagrid,
  FilterButton,
  List,
  ReferenceInput,
  SelectInput,
  SimpleList,
  TextField,
  TextInput,
  TopToolbar,
  usePermissions,
} from "react-admin";
import { canOperate } from "../auth/credentials";
import { ProfileInput } from "../fleet/ProfileInput";
import { useLiveRefresh } from "../live/useLiveRefresh";
import { DeviceLinkField, DurationField, MessageField, RaisedField, SeverityField, StatusField } from "./AlarmFields";
import { AlarmStatusChips } from "./AlarmStatusChips";
import { BulkAcknowledgeButton } from "./BulkAcknowledgeButton";
import { SeverityChip } from "./SeverityChip";
import { SEVERITIES, severityLabel } from "./severity";

/** The list opens on what needs attention: the active alarms. */
export const DEFAULT_ALARM_FILTER = { status: "active" };

/** A filter with fixed choices whose empty choice means "any". */
function choiceFilter(source: string, label: string, choices: { id: string; name: string }[], alwaysOn: boolean) {
  return <SelectInput key={source} source={source} label={label} choices={choices} emptyText="Any" alwaysOn={alwaysOn} />;
}

/** The list's filters; on a phone only the state is always shown (the others through the filter button), so the cards start near the top. */
function alarmFilters(phone: boolean) {
  return [
    choiceFilter(
      "status",
      "State",
      [
        { id: "active", name: "Active" },
        { id: "cleared", name: "Cleared" },
      ],
      true,
    ),
    choiceFilter(
      "acknowledged",
      "Acknowledged",
      [
        { id: "false", name: "Unacknowledged" },
        { id: "true", name: "Acknowledged" },
      ],
      !phone,
    ),
    choiceFilter(
      "severity",
      "Severity",
      SEVERITIES.map((s) => ({ id: s, name: severityLabel(s) })),
      !phone,
    ),
    <TextInput key="deviceId" source="deviceId" label="Device id" />,
    <ProfileInput key="profileId" source="profileId" label="Profile" emptyText="Any" />,
    <ReferenceInput key="ruleId" source="ruleId" reference="alarm-rules" perPage={100}>
      <SelectInput label="Rule" optionText="name" emptyText="Any" />
    </ReferenceInput>,
  ];
}

function ListActions() {
  return (
    <TopToolbar>
      <FilterButton />
    </TopToolbar>
  );
}

/** An alarm as a card on a phone: severity, rule, device, message, state, raised and for how long. */
function AlarmCards() {
  return (
    <SimpleList<Alarm>
      rowClick="show"
      primaryText={(alarm) => (
        <Stack direction="row" spacing={1} component="span" sx={{ alignItems: "center", minWidth: 0 }}>
          <SeverityChip severity={alarm.severity} />
          <Typography component="span" sx={{ overflowWrap: "anywhere", fontWeight: 500 }}>
            {alarm.ruleName}
          </Typography>
        </Stack>
      )}
      secondaryText={(alarm) => (
        <Stack spacing={0.5} component="span" sx={{ mt: 0.5 }}>
          <Typography variant="body2" component="span" sx={{ overflowWrap: "anywhere" }}>
            {alarm.deviceId}: {alarm.message}
          </Typography>
          <AlarmStatusChips alarm={alarm} />
          <Stack direction="row" spacing={1} component="span" useFlexGap sx={{ flexWrap: "wrap" }}>
            <RaisedField />
            <DurationField />
          </Stack>
        </Stack>
      )}
    />
  );
}

function AlarmTable({ operator }: { operator: boolean }) {
  return (
    <Datagrid rowClick="show" bulkActionButtons={operator ? <BulkAcknowledgeButton /> : false}>
      <SeverityField label="Severity" />
      <StatusField label="State" />
      <DeviceLinkField label="Device" />
      <TextField source="ruleName" label="Rule" sortable={false} />
      <MessageField label="Message" />
      <RaisedField label="Raised" />
      <DurationField label="Duration" />
    </Datagrid>
  );
}

/**
 * Alarms, newest raised first, paged and filtered by the hub (state, acknowledged, severity,
 * device, profile, rule); the active ones by default; reloaded when alarms change (the live
 * channel's `alarms:*`); operators acknowledge the selected ones at once; cards on a phone.
 */
export function AlarmList() {
  const { permissions } = usePermissions();
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
  useLiveRefresh(["alarms:*"], (update) => update.alarms.length > 0);
  return (
    <List filters={alarmFilters(phone)} filterDefaultValues={DEFAULT_ALARM_FILTER} actions={<ListActions />} perPage={25} empty={false}>
      {phone ? (
        <Box data-testid="alarm-cards">
          <AlarmCards />
        </Box>
      ) : (
        <AlarmTable operator={canOperate(permissions)} />
      )}
    </List>
  );
}
