import type { ReactNode } from "react";
import { usePermissions } from "react-admin";
import { isAdmin } from "../auth/credentials";
import { NeedsAdminRole } from "../auth/NeedsRolePage";

/** `children` for admins; for other roles, the page that says changing profiles needs the admin role. */
export function AdminOnly({ children }: { children: ReactNode }) {
  const { permissions, isPending } = usePermissions();
  if (isPending) return null;
  return isAdmin(permissions) ? children : <NeedsAdminRole page="profiles" what="Changing a profile" />;
}
