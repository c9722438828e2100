import { Card, CardContent, Typography } from "@mui/material";
import { Title } from "react-admin";
import { useIdentity } from "../auth/useIdentity";
import { ChangePasswordForm } from "./ChangePasswordForm";

/** Who is logged in, and (for a user) the password change. */
export function AccountPage() {
  const identity = useIdentity();
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Account" />
      <CardContent>
        {identity?.kind === "session" ? (
          <>
            <Typography variant="h6">{identity.user.name || identity.user.username}</Typography>
            <Typography variant="body2" color="text.secondary" gutterBottom data-testid="account-summary">
              {identity.user.username} · {identity.user.email || "no e-mail"} · {identity.role}
            </Typography>
            <Typography variant="subtitle1" sx={{ mt: 3, mb: 1 }}>
              Change password
            </Typography>
            <ChangePasswordForm />
          </>
        ) : (
          <Typography variant="body2" data-testid="account-summary">
            Logged in with the API key “{identity?.name}” ({identity?.role}). A key has no password: log in with a username to change yours.
          </Typography>
        )}
      </CardContent>
    </Card>
  );
}
