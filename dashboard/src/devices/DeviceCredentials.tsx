import { CopyBlock, SecretOnce } from "../common/SecretOnce";
import { deviceHubUrl, esp32FlashCommand, piAgentConfig } from "./provisioning-snippets";

/** A device's token (shown once) with ready-to-paste configuration for the Pi agent and the ESP32 flasher. */
export function DeviceCredentials({ deviceId, token }: { deviceId: string; token: string }) {
  const hub = deviceHubUrl(window.location);
  return (
    <>
      <SecretOnce what="device token" secret={token} testId="device-token" />
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
