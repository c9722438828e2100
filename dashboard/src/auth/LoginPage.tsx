import { Box, Card, CardContent, Divider, Typography } from "@mui/material";
import { KeyLoginForm } from "./KeyLoginForm";
import { PasswordLoginForm } from "./PasswordLoginForm";

/**
 * The login page: username and password first (a session in an `HttpOnly` cookie); an API key
 * below it for keys made before accounts and for trying the API's credentials.
 */
export function LoginPage() {
  return (
    <Box sx={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", bgcolor: "#eceff1" }}>
      <Card sx={{ width: 440 }}>
        <CardContent>
          <Typography variant="h5" gutterBottom>
            Telehub
          </Typography>
          <Typography variant="body2" color="text.secondary" gutterBottom>
            Log in with your username and password. The hub prints the first admin's password when it starts for the first time; an admin
            creates more users under Users.
          </Typography>
          <PasswordLoginForm />
          <Divider sx={{ my: 3 }}>
            <Typography variant="caption" color="text.secondary">
              or
            </Typography>
          </Divider>
          <KeyLoginForm />
        </CardContent>
      </Card>
    </Box>
  );
}
