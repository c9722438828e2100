import { DeleteButton, Show, TopToolbar, usePermissions } from "react-admin";
import { canOperate } from "../auth/credentials";
import { DevicePage } from "./page/DevicePage";
import { RotateTokenButton } from "./RotateTokenButton";

function ShowActions() {
  const { permissions } = usePermissions();
  return (
    <TopToolbar>
      {canOperate(permissions) && <RotateTokenButton />}
      {canOperate(permissions) && <DeleteButton mutationMode="pessimistic" />}
    </TopToolbar>
  );
}

/** A device: its page laid out by its profile (devices/page/DevicePage.tsx). */
export function DeviceShow() {
  return (
    <Show actions={<ShowActions />} sx={{ minWidth: 0, "& .RaShow-card": { overflow: "visible" } }}>
      <DevicePage />
    </Show>
  );
}
