import { Box, Stack, type Theme, useMediaQuery } from "@mui/material";
import {
  CreateButton,
  Datagrid,
  EditButton,
  ExportButton,
  FilterButton,
  List,
  SimpleList,
  TextField,
  TopToolbar,
  usePermissions,
} from "react-admin";
import { canOperate } from "../auth/credentials";
import { BulkCommandButton } from "../fleet/BulkCommandButton";
import { deviceListFilters } from "../fleet/FleetFilterInputs";
import { DeviceIdLine, FreshnessField, LabelsField, LastSeenField, LiveValuesField, PresenceField, ProfileField } from "./DeviceFields";
import { ListFleetLiveProvider } from "./FleetLiveContext";

function ListActions() {
  const { permissions } = usePermissions();
  return (
    <TopToolbar>
      <FilterButton />
      {canOperate(permissions) && <CreateButton />}
      <ExportButton />
    </TopToolbar>
  );
}

/** A device as a card on a phone: name, id, presence, freshness, profile and labels. */
function DeviceCards() {
  return (
    <SimpleList
      rowClick="show"
      primaryText={(device) => device.name}
      secondaryText={
        <Stack spacing={0.5} component="span" sx={{ mt: 0.5 }}>
          <DeviceIdLine />
          <Stack direction="row" spacing={0.5} component="span" useFlexGap sx={{ flexWrap: "wrap" }}>
            <PresenceField />
            <FreshnessField />
            <ProfileField hideEmpty />
          </Stack>
          <LabelsField hideEmpty />
        </Stack>
      }
    />
  );
}

function DeviceTable({ operator }: { operator: boolean }) {
  return (
    <Datagrid rowClick="show" bulkActionButtons={operator ? <BulkCommandButton /> : false}>
      <TextField source="name" />
      <TextField source="id" />
      <PresenceField label="Status" />
      <LastSeenField label="Last seen" sortBy="lastSeenAt" />
      <FreshnessField label="Data" />
      <ProfileField label="Profile" sortable={false} />
      <LabelsField label="Labels" sortable={false} />
      <TextField source="firmware" emptyText="–" />
      <LiveValuesField label="Live values" />
      {operator && <EditButton label="" aria-label="Edit" />}
    </Datagrid>
  );
}

/**
 * Devices, paged, sorted (natural order of ids by default) and filtered by the hub (state,
 * profile, firmware, label, search: the fleet overview's filters, same query parameters);
 * presence, freshness and values live; a command to the selected devices; cards on a phone.
 */
export function DeviceList() {
  const { permissions } = usePermissions();
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
  return (
    <List filters={deviceListFilters} actions={<ListActions />} sort={{ field: "id", order: "ASC" }} perPage={25}>
      <ListFleetLiveProvider>
        {phone ? (
          <Box data-testid="device-cards">
            <DeviceCards />
          </Box>
        ) : (
          <DeviceTable operator={canOperate(permissions)} />
        )}
      </ListFleetLiveProvider>
    </List>
  );
}
