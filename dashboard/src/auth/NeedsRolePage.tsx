import LockIcon from "@mui/icons-material/Lock";
import { Card, CardContent, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { NotFound, Title, useAuthenticated, useLocation, usePermissions } from "react-admin";
import { type Identity, isAdmin } from "./credentials";
import { useIdentity } from "./useIdentity";

/** The pages only an admin sees (App.tsx leaves their resources out for other roles), by the first segment of their path. */
const ADMIN_PAGES: Record<string, string> = {
  users: "The Users page",
  audit: "The Audit log page",
  "api-keys": "The API keys page",
};

function whoIs(identity: Identity | undefined): string {
  if (!identity) return "nobody";
  if (identity.kind === "key") return `the API key "${identity.name}" (role ${identity.role})`;
  return `${identity.user.name || identity.user.username} (user ${identity.user.username}, role ${identity.role})`;
}

function howToGetAccess(identity: Identity | undefined, page: string): string {
  // A user logged in with a password sees their own keys (App.tsx): only a key login lands here for API keys.
  if (page === "api-keys" && identity?.kind === "key")
    return "Log in with your username and password to manage your own keys, or ask an admin to manage them.";
  if (identity?.kind === "key") return "Log in as an admin user, or with an admin's API key.";
  return "Ask an admin to give your user the admin role (Users → your user → Role), then log in again.";
}

/** "This page needs the admin role": who the tab is logged in as, and how to get access. */
export function NeedsAdminRole({ page, what = ADMIN_PAGES[page] ?? "This page" }: { page: string; what?: string }) {
  const identity = useIdentity();
  const needs: ReactNode =
    page === "api-keys" && identity?.kind === "key" ? "the admin role, or a login with a username and password" : "the admin role";
  return (
    <Card sx={{ mt: 2 }} data-testid="needs-admin">
      <Title title="Needs the admin role" />
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: 1 }}>
          <LockIcon color="warning" />
          <Typography variant="h6">
            {what} needs {needs}
          </Typography>
        </Stack>
        <Typography variant="body1" data-testid="needs-admin-who">
          You are logged in as {whoIs(identity)}.
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {howToGetAccess(identity, page)}
        </Typography>
      </CardContent>
    </Card>
  );
}

/**
 * The page for a path no resource answers: an admin-only page visited by another role says it
 * needs the admin role; anything else is react-admin's "Not Found". Logged out, the login page.
 */
export function CatchAllPage() {
  useAuthenticated();
  const { pathname } = useLocation();
  const { permissions, isPending } = usePermissions();
  const page = pathname.split("/")[1] ?? "";
  if (isPending) return null;
  if (page in ADMIN_PAGES && !isAdmin(permissions)) return <NeedsAdminRole page={page} />;
  return <NotFound />;
}
