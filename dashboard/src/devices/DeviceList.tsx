import EditIcon from "@mui/icons-material/Edit";
import { Box, IconButton, Stack, type Theme, useMediaQuery } from "@mui/material";
import type { MouseEvent } from "react";
import {
  CreateButton,
  Datagrid,
  ExportButton,
  FilterButton,
  Link,
  List,
  SimpleList,
  TextField,
  TopToolbar,
  usePermissions,
  useRecordContext,
} from "react-admin";
import { canOperate } from "../auth/credentials";
import { BulkCommandButton } from "../fleet/BulkCommandButton";
import { deviceListFilters } from "../fleet/FleetFilterInputs";
import {
  type ColumnProps,
  DeviceIdLine,
  FreshnessField,
  LabelsField,
  LiveValuesField,
  PresenceField,
  ProfileField,
  StatusField,
} from "./DeviceFields";
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

/** The row's way to the edit page (an icon: the table is wide). */
function EditIconButton(_props: ColumnProps) {
  const device = useRecordContext();
  if (!device) return null;
  return (
    <IconButton
      size="small"
      component={Link}
      to={`/devices/${encodeURIComponent(String(device.id))}/edit`}
      aria-label="Edit"
      title="Edit name, labels, profile"
      onClick={(event: MouseEvent) => event.stopPropagation()}
    >
      <EditIcon fontSize="small" />
    </IconButton>
  );
}

function DeviceTable({ operator }: { operator: boolean }) {
  return (
    <Datagrid rowClick="show" bulkActionButtons={operator ? <BulkCommandButton /> : false}>
      <TextField source="name" />
      <TextField source="id" />
      <StatusField label="Status" sortBy="lastSeenAt" />
      <FreshnessField label="Data" />
      <ProfileField label="Profile" sortable={false} />
      <LabelsField label="Labels" sortable={false} />
      <TextField source="firmware" emptyText="–" />
      <LiveValuesField label="Live values" />
      {operator && <EditIconButton />}
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
