import { Chip } from "@mui/material";
import type { DeviceProfile } from "@telehub/hub";
import { CreateButton, Datagrid, DateField, FunctionField, List, NumberField, TextField, TopToolbar, usePermissions } from "react-admin";
import { isAdmin } from "../auth/credentials";
import { useFleetSummary } from "../fleet/useFleetSummary";

/** Devices per profile id, from the fleet summary (one call for the whole list); undefined until it answers. */
function useDeviceCounts(): Map<string | null, number> | undefined {
  const { summary } = useFleetSummary();
  return summary ? new Map(summary.profiles.map((entry) => [entry.value, entry.count])) : undefined;
}

function Actions() {
  const { permissions } = usePermissions();
  return <TopToolbar>{isAdmin(permissions) && <CreateButton />}</TopToolbar>;
}

/** Profiles by id: what kind of device each describes, its version, whether the hub ships it, how many devices use it. */
export function ProfileList() {
  const counts = useDeviceCounts();
  return (
    <List actions={<Actions />} sort={{ field: "id", order: "ASC" }} perPage={50}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="id" />
        <TextField source="name" sortable={false} />
        <NumberField source="version" sortable={false} />
        <FunctionField<DeviceProfile>
          label="Origin"
          sortable={false}
          render={(profile) =>
            profile.builtIn ? <Chip size="small" label="built in" /> : <Chip size="small" variant="outlined" label="custom" />
          }
        />
        <FunctionField<DeviceProfile>
          label="Devices"
          sortable={false}
          render={(profile) => <span data-testid="profile-device-count">{counts?.get(profile.id) ?? (counts ? 0 : "–")}</span>}
        />
        <DateField source="updatedAt" label="Saved" showTime sortable={false} />
      </Datagrid>
    </List>
  );
}
