import { Admin, Resource } from "react-admin";
import apiKeys from "./api-keys";
import { canOperate, isAdmin } from "./auth/credentials";
import { KeyLoginPage } from "./auth/KeyLoginPage";
import { authProvider } from "./authProvider";
import commands from "./commands";
import { dataProvider } from "./dataProvider";
import devices from "./devices";
import { TelehubLayout } from "./layout";
import { LiveProvider } from "./live/LiveContext";

/** Wires the resources; what each shows lives in its folder. Resources follow the key's role. */
export function App() {
  return (
    <LiveProvider>
      <Admin
        title="Telehub"
        dataProvider={dataProvider}
        authProvider={authProvider}
        loginPage={KeyLoginPage}
        layout={TelehubLayout}
        disableTelemetry
      >
        {(role: unknown) => [
          <Resource key="devices" name="devices" {...devices} create={canOperate(role) ? devices.create : undefined} />,
          <Resource key="commands" name="commands" {...commands} />,
          isAdmin(role) ? <Resource key="api-keys" name="api-keys" {...apiKeys} /> : null,
        ]}
      </Admin>
    </LiveProvider>
  );
}
