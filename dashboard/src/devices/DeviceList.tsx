import {
  CreateButton,
  Datagrid,
  ExportButton,
  List,
  NullableBooleanInput,
  SearchInput,
  TextField,
  TopToolbar,
  usePermissions,
} from "react-admin";
import { canOperate } from "../auth/credentials";
import { FreshnessField, LastSeenField, LiveValuesField, PresenceField } from "./DeviceFields";
import { FleetLiveProvider } from "./FleetLiveContext";

const filters = [<SearchInput key="q" source="q" alwaysOn />, <NullableBooleanInput key="connected" source="connected" label="Online" />];

function ListActions() {
  const { permissions } = usePermissions();
  return (
    <TopToolbar>
      {canOperate(permissions) && <CreateButton />}
      <ExportButton />
    </TopToolbar>
  );
}

/** Devices, paged, sorted and filtered by the hub; presence, freshness and values live. */
export function DeviceList() {
  return (
    <List filters={filters} actions={<ListActions />} sort={{ field: "id", order: "ASC" }} perPage={25}>
      <FleetLiveProvider>
        <Datagrid rowClick="show" bulkActionButtons={false}>
          <TextField source="name" />
          <TextField source="id" />
          <PresenceField label="Status" />
          <LastSeenField label="Last seen" sortBy="lastSeenAt" />
          <FreshnessField label="Data" />
          <TextField source="firmware" emptyText="–" />
          <LiveValuesField label="Live values" />
        </Datagrid>
      </FleetLiveProvider>
    </List>
  );
}
