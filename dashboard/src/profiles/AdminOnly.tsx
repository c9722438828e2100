import type { ReactNode } from "react";
import { useAuthenticated, usePermissions } from "react-admin";
import { isAdmin } from "../auth/credentials";
import { NeedsAdminRole } from "../auth/NeedsRolePage";

/** `children` for admins; the login page when logged out; for other roles, the page that says changing profiles needs the admin role. */
export function AdminOnly({ children }: { children: ReactNode }) {
  // Logged out: the login page (react-admin checks only in its own page controllers).
  useAuthenticated();
  const { permissions, isPending } = usePermissions();
  if (isPending) return null;
  return isAdmin(permissions) ? children : <NeedsAdminRole page="profiles" what="Changing a profile" />;
}
