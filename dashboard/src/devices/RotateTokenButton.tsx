import KeyIcon from "@mui/icons-material/Key";
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from "@mui/material";
import { useState } from "react";
import { useNotify, useRecordContext } from "react-admin";
import { hubFetch } from "../api";
import { DeviceCredentials } from "./DeviceCredentials";
import type { Device } from "./device-types";

/**
 * Give the device a new token (`POST /devices/:id/token`): the old one stops working at once and
 * a live session is closed; the new token is shown once, in this dialog's state only.
 */
export function RotateTokenButton() {
  const device = useRecordContext<Device>();
  const notify = useNotify();
  const [step, setStep] = useState<"closed" | "confirm" | { token: string }>("closed");
  if (!device) return null;
  const rotate = async () => {
    try {
      const { json } = await hubFetch<{ token: string }>(`/devices/${encodeURIComponent(device.id)}/token`, { method: "POST" });
      setStep({ token: json.token });
    } catch (error) {
      setStep("closed");
      notify((error as Error).message, { type: "error" });
    }
  };
  return (
    <>
      <Button size="small" startIcon={<KeyIcon />} onClick={() => setStep("confirm")}>
        New token
      </Button>
      <Dialog open={step !== "closed"} onClose={() => setStep("closed")} maxWidth="md" fullWidth>
        <DialogTitle>New token for {device.id}</DialogTitle>
        <DialogContent>
          {typeof step === "object" ? (
            <DeviceCredentials deviceId={device.id} token={step.token} />
          ) : (
            <Typography>
              The current token stops working at once and a connected device is disconnected until it uses the new one. Also undoes a
              revocation.
            </Typography>
          )}
        </DialogContent>
        <DialogActions>
          {typeof step === "object" ? (
            <Button onClick={() => setStep("closed")}>Done</Button>
          ) : (
            <>
              <Button onClick={() => setStep("closed")}>Cancel</Button>
              <Button variant="contained" color="warning" onClick={rotate}>
                Issue a new token
              </Button>
            </>
          )}
        </DialogActions>
      </Dialog>
    </>
  );
}
