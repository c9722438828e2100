import { Admin, CustomRoutes, Resource, reactRouterProvider } from "react-admin";
import { AccountPage } from "./account/AccountPage";
import alarmRules from "./alarm-rules";
import alarms from "./alarms";
import apiKeys from "./api-keys";
import audit from "./audit";
import { canOperate, currentIdentity, isAdmin } from "./auth/credentials";
import { LoginPage } from "./auth/LoginPage";
import { CatchAllPage } from "./auth/NeedsRolePage";
import { authProvider } from "./authProvider";
import commands from "./commands";
import { dataProvider } from "./dataProvider";
import devices from "./devices";
import { FleetOverview } from "./fleet";
import { TelehubLayout } from "./layout";
import { LiveProvider } from "./live/LiveContext";
import { channels, deliveries } from "./notifications";
import profiles from "./profiles";
import users from "./users";

const { Route } = reactRouterProvider;

/**
 * Wires the resources; what each shows lives in its folder. The home page is the fleet overview. Resources follow the role of the
 * user (or key): users and the audit log for admins; API keys for admins (every key) and for
 * users logged in with a password (their own keys), not for a non-admin logged in with a key.
 */
export function App() {
  return (
    <LiveProvider>
      <Admin
        title="Telehub"
        dataProvider={dataProvider}
        authProvider={authProvider}
        loginPage={LoginPage}
        catchAll={CatchAllPage}
        layout={TelehubLayout}
        dashboard={FleetOverview}
        disableTelemetry
      >
        <CustomRoutes>
          <Route path="/account" element={<AccountPage />} />
        </CustomRoutes>
        {(role: unknown) => [
          <Resource
            key="devices"
            name="devices"
            {...devices}
            create={canOperate(role) ? devices.create : undefined}
            edit={canOperate(role) ? devices.edit : undefined}
          />,
          <Resource key="alarms" name="alarms" {...alarms} />,
          <Resource
            key="alarm-rules"
            name="alarm-rules"
            {...alarmRules}
            create={canOperate(role) ? alarmRules.create : undefined}
            edit={canOperate(role) ? alarmRules.edit : undefined}
          />,
          <Resource key="notification-channels" name="notification-channels" {...channels} />,
          canOperate(role) ? <Resource key="notification-deliveries" name="notification-deliveries" {...deliveries} /> : null,
          <Resource key="commands" name="commands" {...commands} />,
          <Resource key="profiles" name="profiles" {...profiles} />,
          isAdmin(role) ? <Resource key="users" name="users" {...users} /> : null,
          isAdmin(role) || currentIdentity()?.kind === "session" ? <Resource key="api-keys" name="api-keys" {...apiKeys} /> : null,
          isAdmin(role) ? <Resource key="audit" name="audit" {...audit} /> : null,
        ]}
      </Admin>
    </LiveProvider>
  );
}
