import { Alert } from "@mui/material";
import { CopyBlock, SecretOnce } from "../common/SecretOnce";
import { deviceHubUrl, esp32FlashCommand, isLoopbackHost, piAgentConfig } from "./provisioning-snippets";

/**
 * The snippets below carry this page's host: 127.0.0.1 or localhost only reach the hub from its
 * own machine. The hub has no setting for its public address (docs/configuration.md), so the
 * page says what to replace, and that opening the dashboard at the LAN address fixes the snippets.
 */
function LoopbackWarning({ hostname, port }: { hostname: string; port: string }) {
  return (
    <Alert severity="warning" sx={{ my: 2 }} data-testid="loopback-warning">
      This page is open at <b>{hostname}</b>, so the snippets below point the device at {hostname}. A real board (a Raspberry Pi, an ESP32)
      cannot reach the hub there: on the board, {hostname} is the board itself. Replace {hostname} with this machine's address on the
      board's network (for example <code>ws://192.168.1.20{port ? `:${port}` : ""}</code>; <code>hostname -I</code> shows it on Linux), and
      make sure the hub listens on that network (<code>TELEHUB_HOST=0.0.0.0</code>; <code>npm start</code> listens on 127.0.0.1 only). Or
      open the dashboard at that address: the snippets then carry it.
    </Alert>
  );
}

/** A device's token (shown once) with ready-to-paste configuration for the Pi agent and the ESP32 flasher. */
export function DeviceCredentials({ deviceId, token }: { deviceId: string; token: string }) {
  const hub = deviceHubUrl(window.location);
  return (
    <>
      <SecretOnce what="device token" secret={token} testId="device-token" />
      {isLoopbackHost(window.location.hostname) && <LoopbackWarning hostname={window.location.hostname} port={window.location.port} />}
      <CopyBlock label="Raspberry Pi agent: /etc/telehub/agent.json" text={piAgentConfig(hub, deviceId, token)} testId="pi-agent-config" />
      <CopyBlock label="then" text="telehub-agent --config /etc/telehub/agent.json" />
      <CopyBlock
        label="ESP32 (Espruino): from the repository's device-client folder"
        text={esp32FlashCommand(hub, deviceId)}
        testId="esp32-flash"
      />
    </>
  );
}
