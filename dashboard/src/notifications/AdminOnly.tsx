import type { ReactNode } from "react";
import { useAuthenticated, usePermissions } from "react-admin";
import { isAdmin } from "../auth/credentials";
import { NeedsAdminRole } from "../auth/NeedsRolePage";

/** `children` for admins; for other roles, the page that says changing a channel needs the admin role. */
export function ChannelAdminOnly({ children }: { children: ReactNode }) {
  useAuthenticated();
  const { permissions, isPending } = usePermissions();
  if (isPending) return null;
  return isAdmin(permissions) ? children : <NeedsAdminRole page="notification-channels" what="Changing a notification channel" />;
}
